// Stream view against the real server, with Chromium's fake microphone playing a speech WAV: the page
// creates a `moq_peer` session, `<moq-publish>` sends the microphone over MoQ on HTTP/3 WebTransport (the
// page reports it, the server's metrics confirm it), and `<moq-watch>` plays the processed output, whose level
// the page meters. Setting the session's gain to 0 silences what comes back, so the audio measured is the
// pipeline's output, not a local loopback. A last test reaches the server through a TCP-only forwarder (UDP
// unreachable) and proves the WebSocket fallback.
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS, fakeMicrophoneArgs } from './chromium';
import { expect, MOCK, screenshot, test } from './helpers';

test.skip(MOCK, 'needs the real server (MoQ)');

const MIC_WAV = join(__dirname, '..', 'samples/audio/system/speech_en_48k_stereo.wav');

test.use({
  launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...fakeMicrophoneArgs(MIC_WAV)] },
});

async function tuneGain(request: APIRequestContext, sessionId: string, gain: number): Promise<void> {
  const res = await request.post('/api/v1/graphql', {
    data: {
      query: `mutation($s: String!, $p: JSON!) { tuneNode(sessionId: $s, nodeId: "gain", params: $p) { params } }`,
      variables: { s: sessionId, p: { gain } },
    },
  });
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as { errors?: unknown[] };
  expect(body.errors).toBeUndefined();
}

/** `moq_sessions_active{transport="..."}` from the server's Prometheus metrics. */
async function activeSessions(request: APIRequestContext, transport: string): Promise<number> {
  const text = await (await request.get('/metrics')).text();
  const m = new RegExp(`^moq_sessions_active\\{transport="${transport}"\\} (\\d+)`, 'm').exec(text);
  return Number(m?.[1] ?? 0);
}

async function sessionIdOf(page: Page): Promise<string> {
  const text = await page.getByTestId('stream-session').locator('p.mono').textContent();
  return (text ?? '').trim();
}

/** The output meter's RMS level (dBFS), as the page measured it from the decoded audio. */
async function outputDb(page: Page): Promise<number> {
  return Number(await page.getByTestId('stream-output-level').getAttribute('data-db'));
}

let sessionId = '';

test.afterEach(async ({ request }) => {
  if (sessionId) await request.delete(`/api/v1/sessions/${sessionId}`).catch(() => undefined);
  sessionId = '';
});

test('the microphone goes through a moq_peer session and comes back processed', async ({ page, request }) => {
  test.setTimeout(90_000);
  // No uncaught error and no console error on a normal connect and disconnect over HTTP/3.
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.location().url)) pageErrors.push(`console: ${m.text()}`);
  });

  await page.goto('/stream');
  const sample = page.getByTestId('stream-sample').filter({ hasText: 'MoQ peer' });
  await expect(sample).toBeVisible();
  await sample.click();
  await page.getByLabel('Session name').fill('e2e-stream');
  await page.getByTestId('stream-create').click();

  await expect(page.getByTestId('stream-session')).toBeVisible();
  sessionId = await sessionIdOf(page);
  expect(sessionId).not.toBe('');
  await expect(page.getByTestId('stream-url')).toHaveValue(/^http:\/\/127\.0\.0\.1:\d+\/moq$/);

  await expect(page.getByTestId('stream-relay')).toHaveText('connected', { timeout: 15_000 });
  await expect(page.getByTestId('stream-transport')).toHaveAttribute('data-transport', 'webtransport');
  await expect(page.getByTestId('stream-transport')).toHaveText('HTTP/3 (WebTransport)');
  // Publisher and player: two sessions on the server, both over HTTP/3.
  await expect
    .poll(() => activeSessions(request, 'webtransport'), { timeout: 10_000 })
    .toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('stream-mic')).toHaveText('ready', { timeout: 15_000 });
  await expect(page.getByTestId('stream-watch')).toHaveText('live', { timeout: 15_000 });
  await expect(page.getByTestId('stream-session-status')).toContainText('Running');

  // The microphone is heard and the processed audio comes back, not silent, for at least a second.
  await expect
    .poll(async () => Number(await page.getByTestId('stream-input-level').getAttribute('data-db')), {
      timeout: 15_000,
    })
    .toBeGreaterThan(-60);
  await expect
    .poll(async () => Number(await page.getByTestId('stream-audible').getAttribute('data-ms')), {
      timeout: 20_000,
    })
    .toBeGreaterThan(1000);
  await expect(page.getByTestId('stream-received')).not.toHaveText('0 B');
  // Frames arrive whole and in order: the session's decoder has (almost) nothing to conceal. Browsers
  // interleave their group streams, which once cost a frame every few hundred ms here.
  const concealed = await page.locator('.telemetry-events li', { hasText: 'opus.concealed' }).count();
  expect(concealed).toBeLessThanOrEqual(2);

  // The round trip is measured from the two envelopes once there is enough speech.
  await expect
    .poll(async () => Number((await page.getByTestId('stream-latency').getAttribute('data-ms')) || -1), {
      timeout: 40_000,
    })
    .toBeGreaterThan(0);
  const rtt = Number(await page.getByTestId('stream-latency').getAttribute('data-ms'));
  expect(rtt).toBeLessThan(1500);
  test.info().annotations.push({ type: 'round-trip', description: `${rtt} ms` });
  console.log(`Stream view round trip (microphone to played output): ${rtt} ms`);
  await screenshot(page, 'stream-live');

  // Gain 0 on the server silences what the page plays; gain 1 brings it back.
  await tuneGain(request, sessionId, 0);
  await expect.poll(() => outputDb(page), { timeout: 10_000 }).toBeLessThan(-80);
  await tuneGain(request, sessionId, 1);
  await expect.poll(() => outputDb(page), { timeout: 10_000 }).toBeGreaterThan(-60);

  // The microphone toggle sends silence without dropping the session's input.
  await page.getByTestId('stream-mic-toggle').click();
  await expect(page.getByTestId('stream-mic')).toHaveText('muted');
  await expect.poll(() => outputDb(page), { timeout: 10_000 }).toBeLessThan(-80);
  await page.getByTestId('stream-mic-toggle').click();
  await expect(page.getByTestId('stream-mic')).toHaveText('ready');
  await expect.poll(() => outputDb(page), { timeout: 10_000 }).toBeGreaterThan(-60);

  // Destroying through the view disconnects and removes the session.
  await page.getByTestId('stream-destroy').click();
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('stream-session')).toHaveCount(0);
  await expect(page.getByTestId('stream-create')).toBeVisible();
  const list = (await (await request.get('/api/v1/sessions')).json()) as { id: string }[];
  expect(list.some((s) => s.id === sessionId)).toBe(false);
  sessionId = '';
  expect(pageErrors).toEqual([]);
});

test('Connect reaches a peer session created elsewhere, at its own gateway path', async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  const yaml = `mode: dynamic
nodes:
  peer:
    kind: transport::moq::peer
    params: { gateway_path: /moq/e2e-direct, input_broadcast: mic, output_broadcast: back }
    needs: encoder
  decoder: { kind: audio::opus::decoder, params: { channels: 1 }, needs: peer }
  gain: { kind: audio::gain, params: { gain: 0.5 }, needs: decoder }
  encoder: { kind: audio::opus::encoder, needs: gain }
`;
  const res = await request.post('/api/v1/sessions', { data: { name: 'e2e-direct', yaml } });
  expect(res.ok()).toBe(true);
  sessionId = ((await res.json()) as { session_id: string }).session_id;

  await page.goto('/stream');
  await expect(page.getByTestId('stream-url')).not.toHaveValue('');
  const origin = new URL(page.url()).origin;
  await page.getByTestId('stream-url').fill(`${origin}/moq/e2e-direct`);
  await page.getByLabel('Input broadcast (you → session)').fill('mic');
  await page.getByLabel('Output broadcast (session → you)').fill('back');
  await page.getByTestId('stream-connect').click();
  await expect(page.getByTestId('stream-watch')).toHaveText('live', { timeout: 15_000 });
  await expect
    .poll(async () => Number(await page.getByTestId('stream-audible').getAttribute('data-ms')), {
      timeout: 20_000,
    })
    .toBeGreaterThan(500);
  await page.getByTestId('stream-disconnect').click();
  await expect(page.getByTestId('stream-connect')).toBeVisible();
});

/** A TCP-only forwarder to the server: its port has no UDP listener, so HTTP/3 cannot reach anything there. */
async function tcpForwarder(target: URL): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

test('falls back to the WebSocket path when UDP to the relay is unreachable', async ({ page, request }) => {
  test.setTimeout(60_000);
  const yaml = `mode: dynamic
nodes:
  peer:
    kind: transport::moq::peer
    params: { gateway_path: /moq/e2e-fallback, input_broadcast: mic, output_broadcast: back }
    needs: encoder
  decoder: { kind: audio::opus::decoder, params: { channels: 1 }, needs: peer }
  gain: { kind: audio::gain, params: { gain: 1.0 }, needs: decoder }
  encoder: { kind: audio::opus::encoder, needs: gain }
`;
  const res = await request.post('/api/v1/sessions', { data: { name: 'e2e-fallback', yaml } });
  expect(res.ok()).toBe(true);
  sessionId = ((await res.json()) as { session_id: string }).session_id;
  const base = new URL(test.info().project.use.baseURL ?? process.env.E2E_BASE_URL ?? '');
  const forwarder = await tcpForwarder(base);
  try {
    const before = await activeSessions(request, 'websocket');
    await page.goto(`http://127.0.0.1:${forwarder.port}/stream`);
    await expect(page.getByTestId('stream-url')).not.toHaveValue('');
    await page.getByTestId('stream-url').fill(`http://127.0.0.1:${forwarder.port}/moq/e2e-fallback`);
    await page.getByLabel('Input broadcast (you → session)').fill('mic');
    await page.getByLabel('Output broadcast (session → you)').fill('back');
    await page.getByTestId('stream-connect').click();
    await expect(page.getByTestId('stream-transport')).toHaveAttribute('data-transport', 'websocket', {
      timeout: 15_000,
    });
    await expect(page.getByTestId('stream-status')).toContainText('unreachable');
    await expect(page.getByTestId('stream-watch')).toHaveText('live', { timeout: 15_000 });
    await expect
      .poll(async () => Number(await page.getByTestId('stream-audible').getAttribute('data-ms')), {
        timeout: 20_000,
      })
      .toBeGreaterThan(500);
    expect(await activeSessions(request, 'websocket')).toBeGreaterThanOrEqual(before + 2);
    await page.getByTestId('stream-disconnect').click();
  } finally {
    forwarder.server.close();
  }
});
