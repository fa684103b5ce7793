// `skit models`: the listing against a models directory, a pull from a local mirror (progress, SHA-256,
// atomic finish), a download cut short leaving nothing, and the error when the source is unreachable.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const REPO = join(__dirname, '../../../../..');
const SKIT = join(REPO, 'bin/skit.js');
const MODEL = readFileSync(join(REPO, 'libs/pipeline/models/silero_vad.onnx'));

/** Runs `skit models ARGS` (asynchronously: the mirror answers from this process). */
function skit(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SKIT, 'models', ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({
        code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
        out: stdout,
        err: stderr,
      });
    });
  });
}

describe('skit models', () => {
  let server: Server;
  let base = '';

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/cut.onnx') {
        // Promises the whole file, sends half, then hangs up.
        res.writeHead(200, { 'content-length': MODEL.length });
        res.write(MODEL.subarray(0, MODEL.length / 2), () => res.destroy());
        return;
      }
      res.writeHead(200, { 'content-length': MODEL.length });
      res.end(MODEL);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('pulls a model from a mirror: file in place, SHA-256 printed and kept, listed as present', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skit-models-'));
    const before = await skit(['list', '--dir', dir]);
    assert.equal(before.code, 0);
    assert.match(before.out, /silero-vad\s+missing\s+2 MB/);
    const r = await skit(['pull', 'silero-vad', '--dir', dir, '--from', `${base}/silero_vad.onnx`]);
    assert.equal(r.code, 0, r.err);
    const sha = createHash('sha256').update(MODEL).digest('hex');
    assert.match(r.out, new RegExp(`sha256 ${sha}`));
    assert.match(r.err, /silero-vad: 1\.8 \/ 1\.8 MB \(100 %\)/);
    assert.deepEqual(readFileSync(join(dir, 'silero_vad.onnx')), MODEL);
    assert.match(readFileSync(join(dir, 'silero_vad.onnx.sha256'), 'utf8'), new RegExp(`^${sha}`));
    assert.match((await skit(['list', '--dir', dir])).out, /silero-vad\s+present/);
  });

  it('a download cut short fails and leaves nothing in the models directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skit-models-'));
    const r = await skit(['pull', 'silero-vad', '--dir', dir, '--from', `${base}/cut.onnx`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /skit models pull silero-vad: /);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('an unreachable source is a clear error naming the host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skit-models-'));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await skit([
      'pull',
      'ten-vad',
      '--dir',
      dir,
      '--from',
      `http://127.0.0.1:${port}/ten-vad.onnx`,
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      new RegExp(`cannot reach 127\\.0\\.0\\.1:${port} \\(offline, or blocked\\?\\): ECONNREFUSED`),
    );
    assert.ok(!existsSync(join(dir, 'ten-vad.onnx')));
  });

  it('unknown names, models with no single download and bad usage are refused', async () => {
    assert.match((await skit(['pull', 'nope'])).err, /Unknown model 'nope'\. Known: whisper-base-en-q5_1/);
    const nllb = await skit(['pull', 'nllb', '--dir', mkdtempSync(join(tmpdir(), 'skit-models-'))]);
    assert.equal(nllb.code, 1);
    assert.match(nllb.err, /cannot be pulled as one file: a Hugging Face snapshot/);
    assert.equal((await skit(['frobnicate'])).code, 2);
  });
});
