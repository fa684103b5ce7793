// Issue 23, findings 4 and 7 (oneshot intake): `config` gets the same 1 MiB cap as a file part as it has as a
// field (a 95 MB config file froze the server for 28 s), an upload over max_body_size never ends as a clean
// 200, and oneshots beyond `max_concurrent_oneshots` are refused with 429 under the default config.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attackFromWorker, multipartParts } from '../testing/attacker';
import { whileProbing } from '../testing/healthz-probe';
import { LINGER_MS } from '../common/plain-text-exception.filter';
import { startTestServer, type TestServer } from '../testing/test-server';
import { OneshotService } from './oneshot.service';

const REPO = join(__dirname, '../../../../..');
const SPEECH = readFileSync(join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg'));
const PASSTHROUGH =
  'mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n';
const PACED = [
  'mode: oneshot',
  'steps:',
  '  - kind: streamkit::http_input',
  '  - kind: containers::ogg::demuxer',
  '  - kind: core::pacer',
  '  - kind: containers::ogg::muxer',
  '  - kind: streamkit::http_output',
].join('\n');
const BOUNDARY = 'skit-hostile-boundary';
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

describe('oneshot intake bounds (default config)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({});
  });
  after(() => server.close());

  it('refuses a 95 MB config sent as a file part with 413, reading no more than the cap', async () => {
    const parts = multipartParts(BOUNDARY, [
      { name: 'config', filename: 'pipeline.yml', type: 'application/x-yaml', value: 95 * 1024 * 1024 },
    ]);
    const { result, latency } = await whileProbing(server.url, () =>
      attackFromWorker(server.url, [
        { method: 'POST', path: '/api/v1/process', headers: MULTIPART, body: { parts } },
      ]),
    );
    const [answer] = result;
    assert.equal(answer.status, 413, answer.body);
    assert.equal(answer.body, "The 'config' part exceeds 1048576 bytes");
    assert.ok(answer.ms < 5000, `refused after ${answer.ms.toFixed(0)} ms`);
    assert.ok(latency.p99 < 100, `/healthz p99 ${latency.p99.toFixed(1)} ms during the upload`);
  });

  it('a client that keeps sending after its 413 reads the answer, and is cut off after the linger', async () => {
    const url = new URL(server.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let answer = '';
    let answeredAt = 0;
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answeredAt === 0 && answer.includes('\r\n\r\n')) answeredAt = performance.now();
    });
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
    socket.on('error', () => undefined); // the cut arrives as a reset while still writing
    socket.write(
      `POST /api/v1/process HTTP/1.1\r\nhost: ${url.host}\r\ntransfer-encoding: chunked\r\n` +
        `content-type: multipart/form-data; boundary=${BOUNDARY}\r\n\r\n`,
    );
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="config"; filename="p.yml"\r\n\r\n`,
    );
    socket.write(`${head.length.toString(16)}\r\n`);
    socket.write(head);
    socket.write('\r\n');
    // An endless config part, as fast as the server takes it.
    const zeros = Buffer.alloc(256 * 1024);
    const chunk = Buffer.concat([
      Buffer.from(`${zeros.length.toString(16)}\r\n`),
      zeros,
      Buffer.from('\r\n'),
    ]);
    let open = true;
    void closed.then(() => (open = false));
    while (open) {
      if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
    }
    const closedAt = await closed;
    assert.match(answer, /^HTTP\/1\.1 413 /, 'the refusal reaches a client still sending');
    assert.match(answer, /The 'config' part exceeds 1048576 bytes/);
    const lingered = closedAt - answeredAt;
    assert.ok(
      lingered >= LINGER_MS - 200 && lingered < LINGER_MS + 1500,
      `connection cut ${lingered.toFixed(0)} ms after the answer (linger ${LINGER_MS} ms)`,
    );
  });

  it('refuses a config field over 1 MiB with 413 instead of parsing a truncated text', async () => {
    const fd = new FormData();
    fd.append('config', `# ${'x'.repeat(1024 * 1024)}\n${PASSTHROUGH}`);
    fd.append('media', new Blob([SPEECH]));
    const res = await fetch(`${server.url}/api/v1/process`, { method: 'POST', body: fd });
    assert.equal(res.status, 413);
    assert.equal(await res.text(), "The 'config' part exceeds 1048576 bytes");
  });

  it('a chunked upload of 150 MB against the 100 MB limit never ends as a clean 200', async () => {
    const parts = multipartParts(BOUNDARY, [
      { name: 'config', value: PASSTHROUGH },
      { name: 'media', filename: 'big.bin', type: 'application/octet-stream', value: 150 * 1024 * 1024 },
    ]);
    const [answer] = await attackFromWorker(server.url, [
      { method: 'POST', path: '/api/v1/process', headers: MULTIPART, body: { parts } },
    ]);
    // Output streams while the upload arrives, so the refusal is a 413 before the first byte or an aborted body.
    assert.ok(
      answer.status === 413 || (answer.status === 200 && !answer.complete),
      `status ${answer.status}, complete ${answer.complete}: ${answer.body.slice(0, 200)}`,
    );
    const oneshots = server.app.get(OneshotService);
    const deadline = Date.now() + 5000;
    while ((oneshots.running > 0 || oneshots.requests > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(oneshots.running, 0, 'the pipeline stopped');
  });

  it('50 concurrent oneshots: those beyond max_concurrent_oneshots get 429 at once', async () => {
    const limit = server.config.permissions.max_concurrent_oneshots;
    const parts = multipartParts(BOUNDARY, [
      { name: 'config', value: PACED },
      { name: 'media', filename: 'speech.ogg', type: 'audio/ogg', value: SPEECH },
    ]);
    const oneshots = server.app.get(OneshotService);
    // The admitted ones run in real time: the clients hang up after 2 s, under the probe.
    const request = {
      method: 'POST',
      path: '/api/v1/process',
      headers: MULTIPART,
      body: { parts },
      abortAfterMs: 2000,
    };
    const { result, latency } = await whileProbing(server.url, () =>
      attackFromWorker(
        server.url,
        Array.from({ length: 50 }, () => request),
        { concurrency: 50 },
      ),
    );
    const running = result.filter((a) => a.status === 200);
    const refused = result.filter((a) => a.status === 429);
    assert.equal(running.length, limit);
    assert.equal(refused.length, 50 - limit);
    assert.equal(refused[0].body, 'Maximum concurrent oneshot pipelines limit reached');
    assert.ok(Math.max(...refused.map((a) => a.ms)) < 1500, 'refused at once, not queued');
    assert.ok(
      latency.p99 < 100,
      `/healthz p99 ${latency.p99.toFixed(1)} ms with ${running.length} oneshots running`,
    );
    const deadline = Date.now() + 5000;
    while (oneshots.requests > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(oneshots.requests, 0);
  });
});
