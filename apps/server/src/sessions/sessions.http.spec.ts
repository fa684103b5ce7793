// REST sessions against the real server: create, names, conflicts, limits, validation, roles, pipeline, delete.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';

const PASS = 'mode: dynamic\nsteps:\n  - kind: core::passthrough\n  - kind: core::sink\n';

describe('REST /api/v1/sessions', () => {
  let server: TestServer;
  const post = (body: unknown, role = 'admin') =>
    fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-role': role },
      body: JSON.stringify(body),
    });
  const get = (path: string, role = 'admin') =>
    fetch(`${server.url}${path}`, { headers: { 'x-role': role } });
  const del = (path: string, role = 'admin') =>
    fetch(`${server.url}${path}`, { method: 'DELETE', headers: { 'x-role': role } });

  before(async () => {
    server = await startTestServer({
      tempDirs: true,
      config: {
        permissions: {
          role_header: 'x-role',
          max_concurrent_sessions: 3,
          roles: {
            viewer: { list_sessions: true, allowed_nodes: ['*'] },
            tuner: {
              create_sessions: true,
              list_sessions: true,
              destroy_sessions: true,
              allowed_nodes: ['core::*'],
            },
          },
        },
      },
    });
  });
  after(() => server.close());

  it('creates a session with a generated name and shows its live pipeline', async () => {
    const res = await post({ yaml: PASS });
    assert.equal(res.status, 200);
    const created = (await res.json()) as { session_id: string; name: string; created_at: string };
    assert.match(created.session_id, /^[0-9a-f-]{36}$/);
    assert.match(created.name, /^[a-z]+-[a-z]+-[0-9a-f]{4}$/);
    assert.ok(!Number.isNaN(Date.parse(created.created_at)));

    const byName = await get(`/api/v1/sessions/${created.name}/pipeline`);
    assert.equal(byName.status, 200);
    const pipeline = (await byName.json()) as {
      mode: string;
      nodes: Record<string, { kind: string; state?: unknown; stats?: { received: number } }>;
      connections: unknown[];
    };
    assert.equal(pipeline.mode, 'dynamic');
    assert.deepEqual(Object.keys(pipeline.nodes), ['step_0', 'step_1']);
    assert.equal(pipeline.nodes.step_0.kind, 'core::passthrough');
    assert.ok(pipeline.nodes.step_0.state !== undefined, 'live state is reported');
    assert.ok(pipeline.nodes.step_0.stats !== undefined, 'live stats are reported');
    assert.deepEqual(pipeline.connections, [
      { from_node: 'step_0', from_pin: 'out', to_node: 'step_1', to_pin: 'in' },
    ]);

    const list = (await (await get('/api/v1/sessions')).json()) as { id: string }[];
    assert.ok(list.some((s) => s.id === created.session_id));

    const gone = await del(`/api/v1/sessions/${created.session_id}`);
    assert.equal(gone.status, 200);
    assert.deepEqual(await gone.json(), { session_id: created.session_id });
    assert.equal((await get(`/api/v1/sessions/${created.session_id}/pipeline`)).status, 404);
    assert.equal((await del(`/api/v1/sessions/${created.session_id}`)).status, 404);
  });

  it('answers 409 for a taken name', async () => {
    assert.equal((await post({ name: 'dup', yaml: PASS })).status, 200);
    const again = await post({ name: 'dup', yaml: PASS });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /already exists/);
    assert.equal((await del('/api/v1/sessions/dup')).status, 200);
  });

  it('lists every problem of an invalid pipeline with 400', async () => {
    const yaml = [
      'nodes:',
      '  a: { kind: core::nope }',
      '  g: { kind: audio::gain, params: { gain: 9, bogus: 1 } }',
      '  s: { kind: core::sink, needs: missing }',
    ].join('\n');
    const res = await post({ yaml });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    const text = await res.text();
    assert.match(text, /core::nope/);
    assert.match(text, /gain/);
    assert.doesNotMatch(text, /bogus/, 'an unknown param is a warning, not one of the problems');
    assert.match(text, /missing/);
  });

  it('refuses bad YAML, empty pipelines and oneshot-only nodes with 400', async () => {
    assert.equal((await post({ yaml: 'nodes: [' })).status, 400);
    assert.equal((await post({ yaml: 'steps: []' })).status, 400);
    const marker = await post({ yaml: 'steps:\n  - kind: streamkit::http_input\n  - kind: core::sink\n' });
    assert.equal(marker.status, 400);
    assert.match(await marker.text(), /oneshot-only/);
    assert.equal((await post({ name: 'x' })).status, 400);
  });

  it('enforces roles: create permission, node allow-list, ownership', async () => {
    const denied = await post({ yaml: PASS }, 'viewer');
    assert.equal(denied.status, 403);
    assert.equal(await denied.text(), 'Permission denied: cannot create sessions');
    const gain = await post({ yaml: 'steps:\n  - kind: audio::gain\n' }, 'tuner');
    assert.equal(gain.status, 403);
    assert.match(await gain.text(), /audio::gain/);

    const own = (await (await post({ name: 'tuners', yaml: PASS }, 'tuner')).json()) as {
      session_id: string;
    };
    const adminOwned = (await (await post({ name: 'admins', yaml: PASS })).json()) as { session_id: string };
    const tunerList = (await (await get('/api/v1/sessions', 'tuner')).json()) as { id: string }[];
    assert.deepEqual(
      tunerList.map((s) => s.id),
      [own.session_id],
    );
    const adminList = (await (await get('/api/v1/sessions')).json()) as { id: string }[];
    assert.ok(
      adminList.some((s) => s.id === own.session_id) && adminList.some((s) => s.id === adminOwned.session_id),
    );
    assert.equal((await get(`/api/v1/sessions/admins/pipeline`, 'tuner')).status, 403);
    assert.equal((await del('/api/v1/sessions/admins', 'tuner')).status, 403);
    assert.equal((await del('/api/v1/sessions/tuners', 'tuner')).status, 200);
    assert.equal((await del('/api/v1/sessions/admins')).status, 200);
  });

  it('answers 429 at max_concurrent_sessions', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post({ yaml: PASS });
      assert.equal(res.status, 200);
      ids.push(((await res.json()) as { session_id: string }).session_id);
    }
    const over = await post({ yaml: PASS });
    assert.equal(over.status, 429);
    assert.equal(await over.text(), 'Maximum concurrent sessions limit reached');
    for (const id of ids) assert.equal((await del(`/api/v1/sessions/${id}`)).status, 200);
  });

  it('checks file_reader paths against the allow-list', async () => {
    const res = await post({
      yaml: 'steps:\n  - kind: core::file_reader\n    params: { path: /etc/passwd }\n',
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /outside allowed directories/);
  });
});
