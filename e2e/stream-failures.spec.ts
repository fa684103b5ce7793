// The Stream view never claims a session streams when it does not: creating a session on a gateway path another
// session holds shows the server's 409 (path and holder named) instead of "created" and LIVE, and a session
// whose node failed shows the failure and its reason instead of LIVE, while the relay link itself connects.
import type { APIRequestContext } from '@playwright/test';
import { expect, MOCK, test } from './helpers';

test.skip(MOCK, 'needs the real server (MoQ)');

const created: string[] = [];

async function createSession(request: APIRequestContext, name: string, yaml: string): Promise<string> {
  const res = await request.post('/api/v1/sessions', { data: { name, yaml } });
  expect(res.status(), await res.text()).toBe(200);
  const id = ((await res.json()) as { session_id: string }).session_id;
  created.push(id);
  return id;
}

test.afterEach(async ({ request }) => {
  for (const id of created.splice(0)) await request.delete(`/api/v1/sessions/${id}`);
});

test('creating a session on a gateway path another session holds shows the 409, not LIVE', async ({
  page,
  request,
}) => {
  // The shipped "MoQ peer" sample's path, taken by a session started through the API.
  const holderYaml = `mode: dynamic
nodes:
  peer: { kind: transport::moq::peer, params: { gateway_path: /moq }, needs: encoder }
  decoder: { kind: audio::opus::decoder, params: { channels: 1 }, needs: peer }
  gain: { kind: audio::gain, needs: decoder }
  encoder: { kind: audio::opus::encoder, needs: gain }
`;
  const holderId = await createSession(request, 'e2e-path-holder', holderYaml);

  await page.goto('/stream');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  const sample = page.getByTestId('stream-sample').filter({ hasText: 'MoQ peer' });
  await sample.click();
  await page.getByLabel('Session name').fill('e2e-path-second');
  await page.getByTestId('stream-create').click();

  const error = page.getByTestId('stream-error');
  await expect(error).toContainText("MoQ gateway path '/moq' is already in use by session 'e2e-path-holder'");
  await expect(error).toContainText(holderId);
  await expect(page.getByTestId('stream-session')).toHaveCount(0);
  await expect(page.locator('.chip-live')).toHaveCount(0);
  await expect(page.getByTestId('stream-relay')).toHaveCount(0);
  await expect(page.getByTestId('toast-success')).toHaveCount(0);
  const sessions = (await (await request.get('/api/v1/sessions')).json()) as { name: string }[];
  expect(sessions.map((s) => s.name)).not.toContain('e2e-path-second');
});

test('a session with a failed node shows the failure and its reason, never LIVE', async ({
  page,
  request,
}) => {
  await page.goto('/stream');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await expect(page.getByTestId('stream-sample').first()).toBeVisible();
  await page.getByText('Edit YAML').click();
  const editor = page.locator('.yaml-details .cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  // The peer runs; a script between decoder and gain fails as it loads.
  await page.keyboard.insertText(
    [
      'mode: dynamic',
      'nodes:',
      '  peer:',
      '    kind: transport::moq::peer',
      '    params: { gateway_path: /moq/e2e-failed, input_broadcast: mic, output_broadcast: back }',
      '    needs: encoder',
      '  decoder: { kind: audio::opus::decoder, params: { channels: 1 }, needs: peer }',
      `  boom: { kind: core::script, params: { script: "throw new Error('boom at load')" }, needs: decoder }`,
      '  gain: { kind: audio::gain, needs: boom }',
      '  encoder: { kind: audio::opus::encoder, needs: gain }',
      '',
    ].join('\n'),
  );
  await page.getByLabel('Session name').fill('e2e-failed-node');
  await page.getByTestId('stream-create').click();
  await expect(page.getByTestId('stream-session')).toBeVisible();
  const id = ((await page.getByTestId('stream-session').locator('p.mono').textContent()) ?? '').trim();
  created.push(id);

  const failure = page.getByTestId('stream-session-failed');
  await expect(failure).toContainText('boom');
  await expect(failure).toContainText('boom at load');
  await expect(page.getByTestId('stream-session-chip')).toHaveText('Session failed');
  await expect(page.getByTestId('stream-session-status')).toContainText('Failed');
  // The relay link connects (the peer runs), and still nothing says LIVE.
  await expect(page.getByTestId('stream-relay')).toHaveText('connected', { timeout: 15_000 });
  await expect(page.locator('.chip-live')).toHaveCount(0);
  await expect(page.getByTestId('stream-session-chip')).not.toHaveText(/active/i);
  const view = (await (await request.get(`/api/v1/sessions/${id}/pipeline`)).json()) as {
    nodes: Record<string, { state?: unknown }>;
  };
  expect(view.nodes.boom.state).toEqual({ Failed: { reason: expect.stringContaining('boom at load') } });
});
