// Plugins through the HTTP API against the real server: upload the example WASM plugin, use it in a oneshot
// pipeline, delete it; the native example loaded from the plugins directory at start; malformed files (422),
// management disabled (403).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exampleNativeGain, exampleWasmGain } from '@streamkit/pipeline/testing/plugin-examples';
import { startTestServer, type TestServer } from '../testing/test-server';

const REPO = join(__dirname, '../../../../..');
const TONE = join(REPO, 'samples/audio/system/tone_440hz_48k_stereo_5s.wav');

const pipeline = (kind: string) =>
  [
    'mode: oneshot',
    'steps:',
    '  - kind: streamkit::http_input',
    '  - kind: containers::wav::demuxer',
    `  - kind: ${kind}`,
    '    params: { gain_db: -6.0206 }',
    '  - kind: containers::wav::muxer',
    '    params: { sample_format: f32, streaming_mode: file }',
    '  - kind: streamkit::http_output',
  ].join('\n');

/** Peak of a float WAV body (data chunk found by scanning). */
function peak(wav: Buffer): number {
  const at = wav.indexOf('data', 12, 'latin1');
  const samples = new Float32Array(wav.buffer.slice(wav.byteOffset + at + 8, wav.byteOffset + wav.length));
  let max = 0;
  for (const x of samples) max = Math.max(max, Math.abs(x));
  return max;
}

async function runOneshot(server: TestServer, kind: string): Promise<Response> {
  const fd = new FormData();
  fd.append('config', pipeline(kind));
  fd.append('media', new Blob([readFileSync(TONE)], { type: 'audio/wav' }));
  return fetch(`${server.url}/api/v1/process`, { method: 'POST', body: fd });
}

describe('REST /api/v1/plugins', () => {
  let server: TestServer;
  let pluginsDir: string;

  before(async () => {
    pluginsDir = mkdtempSync(join(tmpdir(), 'sk-plugins-'));
    mkdirSync(join(pluginsDir, 'native'));
    copyFileSync(exampleNativeGain(), join(pluginsDir, 'native', 'gain.node'));
    server = await startTestServer({
      config: { plugins: { directory: pluginsDir, allow_http_management: true } },
    });
  });
  after(async () => {
    await server.close();
    rmSync(pluginsDir, { recursive: true, force: true });
  });

  const list = async () => (await (await fetch(`${server.url}/api/v1/plugins`)).json()) as { kind: string }[];
  const kinds = async () =>
    ((await (await fetch(`${server.url}/api/v1/schema/nodes`)).json()) as { kind: string }[]).map(
      (n) => n.kind,
    );
  const upload = (name: string, bytes: Uint8Array) => {
    const fd = new FormData();
    fd.append('plugin', new Blob([bytes]), name);
    return fetch(`${server.url}/api/v1/plugins`, { method: 'POST', body: fd });
  };

  it('loads the native example from the plugins directory at start and runs it', async () => {
    assert.deepEqual(
      (await list()).map((p) => p.kind),
      ['plugin::native::gain'],
    );
    const res = await runOneshot(server, 'plugin::native::gain');
    assert.equal(res.status, 200, await res.clone().text());
    const ratio = peak(Buffer.from(await res.arrayBuffer())) / peak(readWavAsFloat());
    assert.ok(Math.abs(ratio - 0.5) < 0.01, `native gain -6 dB halves the level (ratio ${ratio})`);
  });

  it('uploads the WASM example, uses it in a oneshot pipeline, deletes it', async () => {
    const res = await upload('gain.wasm', readFileSync(exampleWasmGain()));
    assert.equal(res.status, 201, await res.clone().text());
    const summary = (await res.json()) as Record<string, unknown>;
    assert.equal(summary.kind, 'plugin::wasm::gain');
    assert.equal(summary.original_kind, 'gain');
    assert.equal(summary.plugin_type, 'wasm');
    assert.equal(typeof summary.loaded_at_ms, 'number');
    assert.ok((await kinds()).includes('plugin::wasm::gain'), 'listed in /schema/nodes at once');

    const out = await runOneshot(server, 'plugin::wasm::gain');
    assert.equal(out.status, 200, await out.clone().text());
    const ratio = peak(Buffer.from(await out.arrayBuffer())) / peak(readWavAsFloat());
    assert.ok(Math.abs(ratio - 0.5) < 0.01, `wasm gain -6 dB halves the level (ratio ${ratio})`);

    const del = await fetch(`${server.url}/api/v1/plugins/${encodeURIComponent('plugin::wasm::gain')}`, {
      method: 'DELETE',
    });
    assert.equal(del.status, 200);
    assert.ok(!(await kinds()).includes('plugin::wasm::gain'));
    const again = await fetch(`${server.url}/api/v1/plugins/${encodeURIComponent('plugin::wasm::gain')}`, {
      method: 'DELETE',
    });
    assert.equal(again.status, 422);
  });

  it('refuses malformed files with 422 and bad names with 400, and stays healthy', async () => {
    const junk = await upload('junk.wasm', new Uint8Array(1024));
    assert.equal(junk.status, 422);
    assert.match(await junk.text(), /junk\.wasm/);
    assert.equal((await upload('evil.sh', new Uint8Array(8))).status, 400);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });

  it('answers 403 when HTTP management is disabled', async () => {
    const locked = await startTestServer({ tempDirs: true });
    try {
      const fd = new FormData();
      fd.append('plugin', new Blob([new Uint8Array(8)]), 'gain.wasm');
      const res = await fetch(`${locked.url}/api/v1/plugins`, { method: 'POST', body: fd });
      assert.equal(res.status, 403);
      assert.match(await res.text(), /allow_http_management/);
      const del = await fetch(`${locked.url}/api/v1/plugins/x`, { method: 'DELETE' });
      assert.equal(del.status, 403);
    } finally {
      await locked.close();
    }
  });
});

/** The tone as float samples, as the pipeline's WAV muxer writes them without gain. */
function readWavAsFloat(): Buffer {
  const wav = readFileSync(TONE);
  const at = wav.indexOf('data', 12, 'latin1');
  const pcm = new Int16Array(wav.buffer.slice(wav.byteOffset + at + 8, wav.byteOffset + wav.length));
  const f = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) f[i] = pcm[i] / 32768;
  return Buffer.concat([Buffer.from('RIFF....WAVEdata....', 'latin1'), Buffer.from(f.buffer)]);
}
