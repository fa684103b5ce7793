// StreamKit YAML as StreamKit accepts it: unknown node params are ignored with warnings (session create,
// validate batch, oneshot header) unless `[engine].strict_params`, which refuses them naming each one.
// Wrong types and ranges of known params stay errors either way. Real server, real HTTP and GraphQL.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';

const REPO = join(__dirname, '..', '..', '..', '..', '..');
const SPEECH = readFileSync(join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg'));

// The load-test pipelines' style: params StreamKit's nodes ignore (`frame_size`, `max_retries`, ...).
const DYNAMIC = `mode: dynamic
nodes:
  pace:
    kind: core::pacer
    params: { speed: 1.0, buffer_size: 16, max_retries: 5 }
  gain:
    kind: audio::gain
    params: { gain: 1.0, backoff_cap: 4 }
  sink: { kind: core::sink, needs: gain }
`;

const ONESHOT = `mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: audio::opus::decoder
  - kind: audio::gain
    params: { gain: 1.0, volume_db: 3 }
  - kind: audio::opus::encoder
    params: { bitrate: 64000, complexity_hint: 10 }
  - kind: containers::ogg::muxer
    params: { channels: 2 }
  - kind: streamkit::http_output
`;

function form(yaml: string): FormData {
  const f = new FormData();
  f.append('config', yaml);
  f.append('media', new Blob([SPEECH], { type: 'audio/ogg' }), 'speech.ogg');
  return f;
}

function createSession(server: TestServer, yaml: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ yaml }),
  });
}

describe('unknown node params (lenient, the default)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ tempDirs: true });
  });
  after(() => server.close());

  it('session create succeeds and returns one warning per node and param; the nodes never see them', async () => {
    const res = await createSession(server, DYNAMIC);
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as {
      session_id: string;
      warnings: { node_id: string; param: string; message: string }[];
    };
    assert.deepEqual(
      body.warnings.map((w) => [w.node_id, w.param]),
      [
        ['pace', 'max_retries'],
        ['gain', 'backoff_cap'],
      ],
    );
    assert.match(
      body.warnings[1].message,
      /Node 'gain' \(audio::gain\): unknown param 'backoff_cap' ignored/,
    );
    const pipeline = (await (
      await fetch(`${server.url}/api/v1/sessions/${body.session_id}/pipeline`)
    ).json()) as { nodes: Record<string, { params: Record<string, unknown> }> };
    assert.deepEqual(pipeline.nodes.gain.params, { gain: 1 });
    assert.equal('max_retries' in pipeline.nodes.pace.params, false);

    // validateBatch (GraphQL) reports the same warnings for an add_node, and applying returns them too.
    const gql = async (query: string) =>
      (await (
        await fetch(`${server.url}/api/v1/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        })
      ).json()) as {
        data?: Record<string, { warnings: { nodeId: string; path: string }[] }>;
        errors?: unknown;
      };
    const ops = `[{ action: ADD_NODE, nodeId: "g2", kind: "audio::gain", params: { gain: 2, mystery: true } }]`;
    const validated = await gql(
      `mutation { validateBatch(sessionId: "${body.session_id}", operations: ${ops}) { valid warnings { nodeId path } } }`,
    );
    assert.equal(validated.errors, undefined, JSON.stringify(validated.errors));
    assert.deepEqual(validated.data?.validateBatch.warnings, [{ nodeId: 'g2', path: '/mystery' }]);
    const applied = await gql(
      `mutation { applyBatch(sessionId: "${body.session_id}", operations: ${ops}) { applied warnings { nodeId path } } }`,
    );
    assert.deepEqual(applied.data?.applyBatch.warnings, [{ nodeId: 'g2', path: '/mystery' }]);
  });

  it('a session without unknown params has no warnings field (StreamKit’s exact create answer)', async () => {
    const res = await createSession(
      server,
      'mode: dynamic\nsteps:\n  - kind: core::passthrough\n  - kind: core::sink\n',
    );
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys((await res.json()) as object).sort(), ['created_at', 'name', 'session_id']);
  });

  it('oneshot runs and names the ignored params in the x-skit-warnings header', async () => {
    const res = await fetch(`${server.url}/api/v1/process`, { method: 'POST', body: form(ONESHOT) });
    assert.equal(res.status, 200, res.status === 200 ? '' : await res.text());
    const warnings = JSON.parse(res.headers.get('x-skit-warnings') ?? '[]') as string[];
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /Node 'step_3' \(audio::gain\): unknown param 'volume_db' ignored/);
    assert.match(
      warnings[1],
      /Node 'step_4' \(audio::opus::encoder\): unknown param 'complexity_hint' ignored/,
    );
    assert.ok((await res.arrayBuffer()).byteLength > 1000);
  });

  it('wrong types and ranges of known params are still errors naming node and param', async () => {
    const res = await createSession(server, DYNAMIC.replace('gain: 1.0,', 'gain: loud,'));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Node 'gain' \(audio::gain\): param 'gain' must be number/);
    const range = await fetch(`${server.url}/api/v1/process`, {
      method: 'POST',
      body: form(ONESHOT.replace('gain: 1.0,', 'gain: 9,')),
    });
    assert.equal(range.status, 400);
    assert.match(await range.text(), /param 'gain' must be <= 4/);
  });
});

describe('unknown node params with [engine].strict_params = true', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ tempDirs: true, config: { engine: { strict_params: true } } });
  });
  after(() => server.close());

  it('session create and oneshot are refused, naming every unknown param', async () => {
    const res = await createSession(server, DYNAMIC);
    assert.equal(res.status, 400);
    const text = await res.text();
    assert.match(text, /Node 'pace' \(core::pacer\): unknown param 'max_retries'/);
    assert.match(text, /Node 'gain' \(audio::gain\): unknown param 'backoff_cap'/);
    const oneshot = await fetch(`${server.url}/api/v1/process`, { method: 'POST', body: form(ONESHOT) });
    assert.equal(oneshot.status, 400);
    const message = await oneshot.text();
    assert.match(message, /unknown param 'volume_db'/);
    assert.match(message, /unknown param 'complexity_hint'/);
  });
});
