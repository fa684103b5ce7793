// Issue 23, findings 5, 6, 7 and 8 (server storage): a sample is validated before it is written and a bad file
// on disk never breaks the listings (also after a restart); sample and asset reads follow no symlink out of
// their roots and writes never go through one; uploads and saves are atomic (a killed upload leaves nothing
// under its final name, an upload over the limit is 413, one that ends short is 400, temporary files are swept
// at start); an upload whose bytes are not its format is 422 naming the file.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AssetsModule } from '../assets/assets.module';
import { AssetsService } from '../assets/assets.service';
import { attackFromWorker, multipartParts } from '../testing/attacker';
import { startTestServer, type TestServer } from '../testing/test-server';

const BOMB = [
  'a0: &a0 [x, x, x, x, x, x, x, x, x]',
  ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`),
  'steps: *a8',
].join('\n');
const GOOD = 'name: Good\nmode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n';
const BOUNDARY = 'skit-storage-boundary';
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
const WAV_HEAD = 'RIFF\0\0\0\0WAVE';

describe('sample and asset storage', () => {
  let root: string;
  let samples: string;
  let audio: string;
  let outside: string;
  let server: TestServer;

  const start = async () => {
    server = await startTestServer({ config: { server: { samples_dir: samples } } });
    // The asset store lives under the working directory in production; point it at the temp root here, and
    // run the module's start-up step again for it.
    Object.assign(server.app.get(AssetsService), new AssetsService(audio));
    await server.app.get(AssetsModule).onModuleInit();
  };
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const ids = async (mode: string) => {
    const res = await call('GET', `/api/v1/samples/${mode}`);
    assert.equal(res.status, 200, `GET /api/v1/samples/${mode}`);
    return ((await res.json()) as { id: string; name: string }[]).map((s) => `${s.id}=${s.name}`);
  };
  const save = (name: string, yaml: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/api/v1/samples/oneshot', { name, description: 'd', yaml, ...extra });
  const userFiles = () => readdirSync(join(samples, 'user')).sort();

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'skit-storage-'));
    samples = join(root, 'pipelines');
    audio = join(root, 'audio');
    outside = join(root, 'outside');
    for (const d of ['oneshot', 'dynamic', 'user']) mkdirSync(join(samples, d), { recursive: true });
    for (const d of ['system', 'user']) mkdirSync(join(audio, d), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(samples, 'oneshot', 'good.yml'), GOOD);
    // What a killed save or upload of an older release (or this one) left behind.
    writeFileSync(join(samples, 'user', '.half.yml.0123456789ab.tmp'), 'steps: [');
    writeFileSync(join(samples, 'user', '.half.yml.0123456789ab.skit-tmp'), 'steps: [');
    writeFileSync(join(audio, 'user', '.take.wav.abcdefabcdef.skit-tmp'), WAV_HEAD);
    await start();
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('sweeps temporary files of interrupted saves and uploads at start', async () => {
    assert.deepEqual(userFiles(), []);
    assert.deepEqual(readdirSync(join(audio, 'user')), []);
  });

  it('validates a sample before writing it: an alias bomb or a broken pipeline is 400 and leaves nothing', async () => {
    const bomb = await save('bomb', BOMB);
    assert.equal(bomb.status, 400);
    assert.match(await bomb.text(), /Invalid YAML: .*alias/i);
    const unknown = await save('unknown', 'steps:\n  - kind: audio::nope\n');
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /Invalid pipeline: Node 'step_0': unknown kind 'audio::nope'/);
    assert.deepEqual(userFiles(), []);
    assert.deepEqual(await ids('oneshot'), ['oneshot/good=Good']);
    assert.equal((await save('fine', GOOD)).status, 201);
    assert.deepEqual(userFiles(), ['fine.yml']);
  });

  it('a bad file on disk never breaks the listings, also after a restart', async () => {
    writeFileSync(join(samples, 'user', 'planted_bomb.yml'), BOMB);
    writeFileSync(join(samples, 'dynamic', 'huge.yml'), `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    writeFileSync(join(samples, 'dynamic', 'broken.yml'), 'steps: [');
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(await ids('oneshot'), ['oneshot/good=Good', 'user/fine=fine']);
      const dynamic = await ids('dynamic');
      assert.ok(dynamic.includes('user/planted_bomb=Planted Bomb'), dynamic.join());
      assert.ok(dynamic.includes('dynamic/broken=Broken'), dynamic.join());
      assert.ok(!dynamic.some((s) => s.startsWith('dynamic/huge')), 'the oversize file is skipped');
      const gql = await call('POST', '/api/v1/graphql', { query: '{ samples { id } }' });
      assert.equal(((await gql.json()) as { errors?: unknown }).errors, undefined);
      await server.close();
      await start();
    }
    assert.equal((await call('DELETE', `/api/v1/samples/oneshot/${encodeURIComponent('user/planted_bomb')}`)).status, 204);
  });

  it('reads follow no symlink out of the samples or assets root', async () => {
    writeFileSync(join(outside, 'secret.yml'), 'name: Secret\nsteps:\n  - kind: core::passthrough\n');
    writeFileSync(join(outside, 'secret.wav'), WAV_HEAD);
    symlinkSync(join(outside, 'secret.yml'), join(samples, 'oneshot', 'leak.yml'));
    symlinkSync(join(outside, 'secret.wav'), join(audio, 'system', 'leak.wav'));
    symlinkSync(join(samples, 'oneshot', 'good.yml'), join(samples, 'oneshot', 'alias.yml'));
    assert.ok(!(await ids('oneshot')).some((s) => s.includes('Secret')));
    assert.ok((await ids('oneshot')).includes('oneshot/alias=Good'), 'a symlink inside the root still works');
    const leak = await call('GET', `/api/v1/samples/oneshot/${encodeURIComponent('oneshot/leak')}`);
    assert.equal(leak.status, 403);
    assert.doesNotMatch(await leak.text(), /Secret/);
    const assets = (await (await call('GET', '/api/v1/assets/audio')).json()) as { id: string }[];
    assert.ok(!assets.some((a) => a.id === 'leak.wav'));
    assert.equal((await call('GET', '/api/v1/assets/audio/leak.wav')).status, 404);
  });

  it('writes never go through a planted symlink', async () => {
    writeFileSync(join(outside, 'victim.yml'), 'untouched');
    symlinkSync(join(outside, 'victim.yml'), join(samples, 'user', 'victim.yml'));
    assert.equal((await save('victim', GOOD)).status, 409);
    assert.equal((await save('victim', GOOD, { overwrite: true })).status, 201);
    assert.equal(readFileSync(join(outside, 'victim.yml'), 'utf8'), 'untouched');
    assert.match(readFileSync(join(samples, 'user', 'victim.yml'), 'utf8'), /streamkit::http_output/);

    writeFileSync(join(outside, 'victim.wav'), 'untouched');
    symlinkSync(join(outside, 'victim.wav'), join(audio, 'user', 'victim.wav'));
    const fd = new FormData();
    fd.append('file', new Blob([WAV_HEAD]), 'victim.wav');
    assert.equal((await fetch(`${server.url}/api/v1/assets/audio`, { method: 'POST', body: fd })).status, 409);
    assert.equal(readFileSync(join(outside, 'victim.wav'), 'utf8'), 'untouched');

    // A samples `user/` folder that is itself a symlink out of the root is refused.
    rmSync(join(samples, 'user'), { recursive: true });
    symlinkSync(outside, join(samples, 'user'));
    const res = await save('escape', GOOD);
    assert.equal(res.status, 403);
    assert.equal(existsSync(join(outside, 'escape.yml')), false);
    rmSync(join(samples, 'user'));
    mkdirSync(join(samples, 'user'));
  });

  it('an asset upload killed mid-way leaves nothing: not listed, not served, and a re-upload is 200', async () => {
    const parts = (size: number) =>
      multipartParts(BOUNDARY, [{ name: 'file', filename: 'take.wav', type: 'audio/wav', value: WAV_HEAD }]).flatMap(
        (p) => (p === WAV_HEAD ? [WAV_HEAD, size] : [p]),
      );
    const [killed] = await attackFromWorker(server.url, [
      {
        method: 'POST',
        path: '/api/v1/assets/audio',
        headers: MULTIPART,
        body: { parts: parts(8 * 1024 * 1024), abortAfterBytes: 4 * 1024 * 1024 },
      },
    ]);
    assert.equal(killed.status, 0, 'the client vanished before an answer');
    const temps = () => readdirSync(join(audio, 'user')).filter((n) => n.startsWith('.take'));
    await waitFor(() => temps().length === 0, 5000, 'the killed upload leaves no temporary file');
    assert.deepEqual(
      readdirSync(join(audio, 'user')).filter((n) => n.startsWith('take') || n.startsWith('.take')),
      [],
    );
    const listed = (await (await call('GET', '/api/v1/assets/audio')).json()) as { id: string }[];
    assert.ok(!listed.some((a) => a.id === 'take.wav'));
    assert.equal((await call('GET', '/api/v1/assets/audio/take.wav')).status, 404);
    const [again] = await attackFromWorker(server.url, [
      { method: 'POST', path: '/api/v1/assets/audio', headers: MULTIPART, body: { parts: parts(1024) } },
    ]);
    assert.equal(again.status, 200, again.body);
    assert.equal((await call('GET', '/api/v1/assets/audio/take.wav')).status, 200);
    assert.equal((await call('DELETE', '/api/v1/assets/audio/take.wav')).status, 204);
  });

  it('a chunked asset upload of 150 MB is 413, one that ends short is 400, and neither leaves a file', async () => {
    const big = multipartParts(BOUNDARY, [{ name: 'file', filename: 'big.wav', value: 150 * 1024 * 1024 }]);
    big.splice(1, 0, WAV_HEAD);
    const short = multipartParts(BOUNDARY, [{ name: 'file', filename: 'short.wav', value: WAV_HEAD }]);
    short.pop(); // no closing boundary: the form ends inside the file
    const [tooBig, cut] = await attackFromWorker(server.url, [
      { method: 'POST', path: '/api/v1/assets/audio', headers: MULTIPART, body: { parts: big } },
      { method: 'POST', path: '/api/v1/assets/audio', headers: MULTIPART, body: { parts: short } },
    ]);
    assert.equal(tooBig.status, 413, tooBig.body);
    assert.equal(tooBig.body, 'File too large. Maximum size: 104857600 bytes');
    assert.equal(cut.status, 400, cut.body);
    assert.match(cut.body, /short\.wav/);
    const left = () => readdirSync(join(audio, 'user')).filter((n) => /big|short/.test(n));
    await waitFor(() => left().length === 0, 5000, 'big.wav and short.wav leave no file');
  });

  it('an upload that is not the format its name says is 422 naming the file', async () => {
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(4096).fill(7)]), 'noise.flac');
    const res = await fetch(`${server.url}/api/v1/assets/audio`, { method: 'POST', body: fd });
    assert.equal(res.status, 422);
    assert.equal(await res.text(), "Uploaded file 'noise.flac' is not FLAC audio (it starts with 07070707)");
    assert.equal(existsSync(join(audio, 'user', 'noise.flac')), false);
  });
});

async function waitFor(check: () => boolean, ms = 5000, what = ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met in time ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
