// Samples and audio assets routes against the real server: every status code of the seed's rules.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AssetsService } from '../assets/assets.service';
import { startTestServer, type TestServer } from '../testing/test-server';

describe('REST samples and assets', () => {
  let server: TestServer;
  let samples: string;
  const json = (method: string, path: string, body?: unknown, role = 'admin') =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'x-role': role, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    server = await startTestServer({
      tempDirs: true,
      config: {
        permissions: {
          role_header: 'x-role',
          roles: {
            reader: {
              list_samples: true,
              read_samples: true,
              allowed_samples: ['oneshot/*.yml'],
              allowed_assets: ['samples/audio/system/*'],
            },
          },
        },
      },
    });
    samples = join(server.tempDir!, 'samples', 'pipelines');
    writeFileSync(
      join(samples, 'oneshot', 'echo.yml'),
      'name: Echo\ndescription: Returns the upload\nmode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: streamkit::http_output\n',
    );
    writeFileSync(join(samples, 'dynamic', 'live.yml'), 'mode: dynamic\nsteps:\n  - kind: core::passthrough\n');
  });
  after(() => server.close());

  it('lists, fetches, saves, refuses clashes and deletes samples', async () => {
    const oneshot = (await (await json('GET', '/api/v1/samples/oneshot')).json()) as { id: string }[];
    assert.deepEqual(
      oneshot.map((s) => s.id),
      ['oneshot/echo'],
    );
    const dynamic = (await (await json('GET', '/api/v1/samples/dynamic')).json()) as { id: string }[];
    assert.deepEqual(
      dynamic.map((s) => s.id),
      ['dynamic/live'],
    );
    const one = await json('GET', `/api/v1/samples/oneshot/${encodeURIComponent('oneshot/echo')}`);
    assert.equal(one.status, 200);
    assert.equal(((await one.json()) as { name: string }).name, 'Echo');

    const body = { name: 'mine', description: 'd', yaml: 'mode: oneshot\nsteps: []\n', is_fragment: false };
    const saved = await json('POST', '/api/v1/samples/oneshot', body);
    assert.equal(saved.status, 201);
    assert.equal(((await saved.json()) as { id: string }).id, 'user/mine');
    assert.equal((await json('POST', '/api/v1/samples/oneshot', body)).status, 409);
    assert.equal((await json('POST', '/api/v1/samples/oneshot', { ...body, overwrite: true })).status, 201);
    assert.equal((await json('POST', '/api/v1/samples/oneshot', { name: 'x' })).status, 400);
    const huge = { ...body, name: 'huge', yaml: `# ${'x'.repeat(1024 * 1024)}` };
    assert.equal((await json('POST', '/api/v1/samples/oneshot', huge)).status, 413);

    assert.equal((await json('DELETE', `/api/v1/samples/oneshot/${encodeURIComponent('oneshot/echo')}`)).status, 403);
    assert.equal((await json('DELETE', `/api/v1/samples/oneshot/${encodeURIComponent('user/mine')}`)).status, 204);
    assert.equal((await json('DELETE', `/api/v1/samples/oneshot/${encodeURIComponent('user/mine')}`)).status, 404);
  });

  it('rejects traversal and applies allowed_samples and the flags', async () => {
    for (const id of ['oneshot%2F..%2F..%2Fsecret', '..%2F..%2Fetc%2Fpasswd', 'oneshot%2F..%5Cx']) {
      assert.equal((await json('GET', `/api/v1/samples/oneshot/${id}`)).status, 400, id);
    }
    const listed = (await (await json('GET', '/api/v1/samples/dynamic', undefined, 'reader')).json()) as unknown[];
    assert.equal(listed.length, 0);
    assert.equal((await json('GET', '/api/v1/samples/oneshot/dynamic%2Flive', undefined, 'reader')).status, 403);
    const save = await json('POST', '/api/v1/samples/oneshot', { name: 'n', description: '', yaml: 'a: 1' }, 'reader');
    assert.equal(save.status, 403);
    assert.equal(await save.text(), 'Access forbidden');
  });

  it('lists, uploads, refuses and deletes audio assets', async () => {
    // Point the asset store at the temp dir so the test never touches the repository's samples/audio.
    const audio = join(server.tempDir!, 'audio');
    mkdirSync(join(audio, 'system'), { recursive: true });
    writeFileSync(join(audio, 'system', 'tone.wav'), Buffer.alloc(64));
    Object.assign(server.app.get(AssetsService), new AssetsService(audio));

    const upload = (name: string, bytes: Uint8Array, role = 'admin') => {
      const fd = new FormData();
      fd.append('file', new Blob([bytes]), name);
      return fetch(`${server.url}/api/v1/assets/audio`, { method: 'POST', body: fd, headers: { 'x-role': role } });
    };
    const res = await upload('My Take.ogg', new Uint8Array([79, 103, 103, 83]));
    assert.equal(res.status, 200);
    const asset = (await res.json()) as { id: string; path: string; is_system: boolean; license: string };
    assert.equal(asset.id, 'My_Take.ogg');
    assert.equal(asset.path, 'samples/audio/user/My_Take.ogg');
    assert.equal(asset.is_system, false);
    assert.match(asset.license, /CC0-1.0/);
    assert.equal((await upload('My Take.ogg', new Uint8Array([1]))).status, 409);
    assert.equal((await upload('x.exe', new Uint8Array([1]))).status, 400);
    assert.equal((await upload('y.wav', new Uint8Array([1]), 'reader')).status, 403);

    const all = (await (await json('GET', '/api/v1/assets/audio')).json()) as { id: string }[];
    assert.deepEqual(all.map((a) => a.id).sort(), ['My_Take.ogg', 'tone.wav']);
    const limited = (await (await json('GET', '/api/v1/assets/audio', undefined, 'reader')).json()) as { id: string }[];
    assert.deepEqual(
      limited.map((a) => a.id),
      ['tone.wav'],
    );
    const file = await json('GET', '/api/v1/assets/audio/tone.wav', undefined, 'reader');
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'audio/wav');
    assert.equal((await file.arrayBuffer()).byteLength, 64);
    assert.equal((await json('GET', '/api/v1/assets/audio/My_Take.ogg', undefined, 'reader')).status, 404);
    assert.equal((await json('DELETE', '/api/v1/assets/audio/tone.wav')).status, 403);
    assert.equal((await json('DELETE', '/api/v1/assets/audio/..%2Fsystem%2Ftone.wav')).status, 403);
    assert.equal((await json('DELETE', '/api/v1/assets/audio/My_Take.ogg')).status, 204);
    assert.equal((await json('DELETE', '/api/v1/assets/audio/My_Take.ogg')).status, 404);
  });
});
