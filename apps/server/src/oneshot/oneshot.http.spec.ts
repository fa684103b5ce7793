// POST /api/v1/process against the real server with real codecs: the double_volume sample checked by opusdec and
// by level, the multipart rules, 413, 429, client disconnect and the file_reader allow-list.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';
import { OneshotService } from './oneshot.service';

const REPO = join(__dirname, '../../../../..');
const SPEECH = join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg');
const DOUBLE_VOLUME = readFileSync(join(REPO, 'samples/pipelines/oneshot/double_volume.yml'), 'utf8');
// Real time through a pacer: the run lasts as long as the speech (16 s) unless it is stopped.
const PACED = [
  'mode: oneshot',
  'steps:',
  '  - kind: streamkit::http_input',
  '  - kind: containers::ogg::demuxer',
  '  - kind: core::pacer',
  '  - kind: containers::ogg::muxer',
  '  - kind: streamkit::http_output',
].join('\n');

function form(parts: [string, string | Blob][]): FormData {
  const fd = new FormData();
  for (const [name, value] of parts) fd.append(name, value);
  return fd;
}

const media = () => new Blob([readFileSync(SPEECH)], { type: 'audio/ogg' });

/** RMS of a file's decoded audio (ffmpeg to f32). */
function rms(path: string): number {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-ac', '1', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const f = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  let sum = 0;
  for (const x of f) sum += x * x;
  return Math.sqrt(sum / f.length);
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('REST /api/v1/process', () => {
  let server: TestServer;
  let tmp: string;
  const process = (body: FormData, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(`${server.url}/api/v1/process`, { method: 'POST', body, headers, signal });

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'sk-oneshot-'));
    server = await startTestServer({
      config: {
        server: { max_body_size: 2 * 1024 * 1024 },
        permissions: {
          role_header: 'x-role',
          max_concurrent_oneshots: 1,
          roles: { viewer: { list_sessions: true, allowed_nodes: ['*'] } },
        },
        security: { allowed_file_paths: [`${REPO}/samples/**`] },
      },
    });
  });
  after(async () => {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs double_volume: audio/ogg that opusdec decodes, at twice the level', async () => {
    const res = await process(
      form([
        ['config', DOUBLE_VOLUME],
        ['media', media()],
      ]),
    );
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'audio/ogg');
    const out = Buffer.from(await res.arrayBuffer());
    assert.equal(out.subarray(0, 4).toString('latin1'), 'OggS');
    const outPath = join(tmp, 'out.ogg');
    writeFileSync(outPath, out);
    execFileSync('opusdec', ['--quiet', outPath, join(tmp, 'out.wav')]);
    const ratio = rms(outPath) / rms(SPEECH);
    assert.ok(ratio > 1.8 && ratio < 2.2, `level ratio ${ratio.toFixed(3)} should be about 2`);
  });

  it('requires config first, a pipeline that fits the upload, and a permitted role', async () => {
    const wrongOrder = await process(
      form([
        ['media', media()],
        ['config', DOUBLE_VOLUME],
      ]),
    );
    assert.equal(wrongOrder.status, 400);
    assert.equal(await wrongOrder.text(), "Multipart fields must be ordered: 'config' first, then 'media'");
    const noInput = await process(form([['config', 'steps:\n  - kind: core::passthrough\n']]));
    assert.equal(noInput.status, 400);
    const noMedia = await process(form([['config', DOUBLE_VOLUME]]));
    assert.equal(noMedia.status, 400);
    assert.match(await noMedia.text(), /http_input/);
    const badYaml = await process(
      form([
        ['config', 'steps: ['],
        ['media', media()],
      ]),
    );
    assert.equal(badYaml.status, 400);
    const denied = await process(
      form([
        ['config', DOUBLE_VOLUME],
        ['media', media()],
      ]),
      { 'x-role': 'viewer' },
    );
    assert.equal(denied.status, 403);
    assert.equal(await denied.text(), 'Permission denied: cannot execute oneshot pipelines');
  });

  it('answers 413 over max_body_size', async () => {
    const big = new Blob([new Uint8Array(3 * 1024 * 1024)], { type: 'audio/ogg' });
    const res = await process(
      form([
        ['config', DOUBLE_VOLUME],
        ['media', big],
      ]),
    );
    assert.equal(res.status, 413);
  });

  it('checks core::file_reader paths even with an upload', async () => {
    const yaml = [
      'mode: oneshot',
      'nodes:',
      '  up: { kind: streamkit::http_input }',
      '  f: { kind: core::file_reader, params: { path: /etc/passwd } }',
      '  s: { kind: core::sink, needs: f }',
      '  out: { kind: streamkit::http_output, needs: up }',
    ].join('\n');
    const res = await process(
      form([
        ['config', yaml],
        ['media', media()],
      ]),
    );
    assert.equal(res.status, 400);
    assert.match(await res.text(), /outside allowed directories/);
  });

  it('answers 429 over max_concurrent_oneshots and stops a pipeline whose client went away', async () => {
    const svc = server.app.get(OneshotService);
    const abort = new AbortController();
    const first = await process(
      form([
        ['config', PACED],
        ['media', media()],
      ]),
      {},
      abort.signal,
    );
    assert.equal(first.status, 200);
    const reader = first.body!.getReader();
    assert.ok(!(await reader.read()).done, 'first bytes arrive while the pipeline is paced');
    assert.equal(svc.running, 1);

    const second = await process(
      form([
        ['config', DOUBLE_VOLUME],
        ['media', media()],
      ]),
    );
    assert.equal(second.status, 429);
    assert.equal(await second.text(), 'Maximum concurrent oneshot pipelines limit reached');

    const t0 = Date.now();
    abort.abort();
    await reader.cancel().catch(() => undefined);
    assert.ok(
      await waitFor(() => svc.running === 0 && svc.requests === 0, 1000),
      'pipeline stopped within 1 s',
    );
    assert.ok(Date.now() - t0 < 1000);
  });
});
