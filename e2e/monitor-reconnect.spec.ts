// Killing the server shows the "connection lost" banner; once it is back the Monitor reconnects by
// itself (no reload) and live updates flow again. Uses its own server so the shared one stays up.
import { expect, MOCK, test } from './helpers';
import { startDedicatedServer, type ServerControl } from './server-control';

test.skip(MOCK, 'needs the real server');

let server: ServerControl | null = null;

test.afterEach(async () => {
  await server?.dispose();
  server = null;
});

test('a killed and restarted server shows the banner, then recovers without a reload', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  server = await startDedicatedServer();
  await page.goto(`${server.url}/monitor`);
  await expect(page.getByTestId('connection-status')).toHaveText('live');
  await expect(page.getByTestId('connection-lost-banner')).toHaveCount(0);

  await server.kill();
  await expect(page.getByTestId('connection-lost-banner')).toBeVisible();
  // Stay down long enough for several retries: StreamKit gave up after 10, this must not.
  await page.waitForTimeout(4_000);
  await server.start();
  await expect(page.getByTestId('connection-lost-banner')).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId('connection-status')).toHaveText('live');

  // The re-subscribed sessionsChanged stream delivers a session created after the restart.
  const name = `e2e-after-restart-${Date.now()}`;
  const res = await request.post(`${server.url}/api/v1/sessions`, {
    data: { name, yaml: 'mode: dynamic\nnodes:\n  sink:\n    kind: core::sink\n' },
  });
  expect(res.ok(), await res.text()).toBe(true);
  await expect(page.getByTestId('session-item').filter({ hasText: name })).toBeVisible();
});
