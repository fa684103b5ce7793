// A MoQ gateway path belongs to one peer node at a time, on a real server over HTTP: a second session (or a
// live edit) claiming a path another session holds is refused with 409 naming the path and the holder, two
// concurrent creates for one path have exactly one winner, and destroying the holder frees the path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PipelineView } from '@streamkit/pipeline';
import { startTestServer, type TestServer } from '../testing/test-server';

const peerYaml = (path: string | null, id = 'peer') => `mode: dynamic
nodes:
  ${id}:
    kind: transport::moq::peer
    params: { ${path === null ? '' : `gateway_path: '${path}', `}input_broadcast: mic, output_broadcast: back }
    needs: encoder
  decoder: { kind: audio::opus::decoder, params: { channels: 1 }, needs: ${id} }
  gain: { kind: audio::gain, params: { gain: 1.0 }, needs: decoder }
  encoder: { kind: audio::opus::encoder, needs: gain }
`;

const PASS = 'mode: dynamic\nsteps:\n  - kind: core::passthrough\n  - kind: core::sink\n';

describe('MoQ gateway path claims', () => {
  let server: TestServer;
  const created: string[] = [];

  const create = async (name: string, yaml: string) => {
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, yaml }),
    });
    const text = await res.text();
    if (res.status === 200) created.push((JSON.parse(text) as { session_id: string }).session_id);
    return { status: res.status, text };
  };
  const destroy = async (id: string) => {
    const res = await fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
    assert.equal(res.status, 200, await res.text());
  };
  const graphql = async (query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/api/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };
  const pipeline = async (id: string) =>
    (await (await fetch(`${server.url}/api/v1/sessions/${id}/pipeline`)).json()) as PipelineView;
  const names = async () =>
    ((await (await fetch(`${server.url}/api/v1/sessions`)).json()) as { name: string }[]).map((s) => s.name);

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const id of created) await fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
    await server.close();
  });

  it('refuses a second session on a held path with 409 naming the path and the holder, until it is destroyed', async () => {
    const first = await create('claims-holder', peerYaml('/moq/claims-a'));
    assert.equal(first.status, 200, first.text);
    const holderId = (JSON.parse(first.text) as { session_id: string }).session_id;

    // The same path written differently (no leading slash, a trailing one) is the same route.
    const second = await create('claims-second', peerYaml('moq/claims-a/'));
    assert.equal(second.status, 409, second.text);
    assert.match(second.text, /gateway path '\/moq\/claims-a'/);
    assert.match(second.text, /session 'claims-holder'/);
    assert.ok(second.text.includes(holderId), second.text);
    assert.match(second.text, /gateway_path/);
    assert.ok(!(await names()).includes('claims-second'), 'the refused session does not exist');

    // The holder's peer runs; nothing of the refused session touched it.
    const view = await pipeline(holderId);
    assert.deepEqual(view.nodes.peer.state, 'Running');

    await destroy(holderId);
    const again = await create('claims-second', peerYaml('/moq/claims-a'));
    assert.equal(again.status, 200, again.text);
    const againId = (JSON.parse(again.text) as { session_id: string }).session_id;
    const deadline = Date.now() + 5000;
    let state: unknown;
    while (Date.now() < deadline) {
      state = (await pipeline(againId)).nodes.peer.state;
      if (state === 'Running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(state, 'Running', 'the freed path is registered by the new peer, which runs');
    await destroy(againId);
  });

  it('of concurrent creates for one path, exactly one wins', async () => {
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => create(`claims-race-${i}`, peerYaml('/moq/claims-race'))),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409, 409, 409], JSON.stringify(results));
    const live = (await names()).filter((n) => n.startsWith('claims-race-'));
    assert.equal(live.length, 1);
    for (const r of results.filter((x) => x.status === 409)) assert.match(r.text, new RegExp(`'${live[0]}'`));
  });

  it('counts the default gateway_path and refuses two peers on one path in the same pipeline', async () => {
    const holder = await create('claims-default', peerYaml(null));
    assert.equal(holder.status, 200, holder.text);
    const other = await create('claims-default-2', peerYaml('/moq'));
    assert.equal(other.status, 409, other.text);
    assert.match(other.text, /gateway path '\/moq' is already in use by session 'claims-default'/);

    const twice = `mode: dynamic
nodes:
  a: { kind: transport::moq::peer, params: { gateway_path: /moq/claims-twice }, needs: b }
  b: { kind: transport::moq::peer, params: { gateway_path: /moq/claims-twice }, needs: a }
`;
    const res = await create('claims-twice', twice);
    assert.equal(res.status, 409, res.text);
    assert.match(
      res.text,
      /Node 'b': MoQ gateway path '\/moq\/claims-twice' is already in use by node 'a' of this same session/,
    );
    await destroy((JSON.parse(holder.text) as { session_id: string }).session_id);
  });

  it('refuses a live add_node on a held path, and lets a batch re-add its own peer on the same path', async () => {
    const holder = await create('claims-live-holder', peerYaml('/moq/claims-live'));
    assert.equal(holder.status, 200, holder.text);
    const holderId = (JSON.parse(holder.text) as { session_id: string }).session_id;
    const editor = await create('claims-live-editor', PASS);
    assert.equal(editor.status, 200, editor.text);
    const editorId = (JSON.parse(editor.text) as { session_id: string }).session_id;

    const add = await graphql(
      `
        mutation ($s: String!, $p: JSON) {
          addNode(sessionId: $s, nodeId: "intruder", kind: "transport::moq::peer", params: $p) {
            nodeId
          }
        }
      `,
      { s: editorId, p: { gateway_path: '/moq/claims-live' } },
    );
    assert.equal(add.errors?.length, 1, JSON.stringify(add));
    assert.match(
      add.errors?.[0].message ?? '',
      /Node 'intruder': MoQ gateway path '\/moq\/claims-live' is already in use by session 'claims-live-holder'/,
    );
    assert.equal((await pipeline(editorId)).nodes.intruder, undefined);

    // A failed edit reserves nothing: the editor may take a free path afterwards.
    const free = await graphql(
      `
        mutation ($s: String!, $p: JSON) {
          addNode(sessionId: $s, nodeId: "own", kind: "transport::moq::peer", params: $p) {
            nodeId
          }
        }
      `,
      { s: editorId, p: { gateway_path: '/moq/claims-live-2' } },
    );
    assert.equal(free.errors, undefined, JSON.stringify(free));

    // The holder replaces its peer (remove + add with other params) in one batch: its own path stays its own.
    const batch = await graphql(
      `
        mutation ($s: String!, $ops: [BatchOperationInput!]!) {
          applyBatch(sessionId: $s, operations: $ops) {
            applied
          }
        }
      `,
      {
        s: holderId,
        ops: [
          { action: 'REMOVE_NODE', nodeId: 'peer' },
          {
            action: 'ADD_NODE',
            nodeId: 'peer',
            kind: 'transport::moq::peer',
            params: { gateway_path: '/moq/claims-live', output_broadcast: 'back2' },
          },
        ],
      },
    );
    assert.equal(batch.errors, undefined, JSON.stringify(batch));
    // Still held by the holder: the editor is refused again.
    const retry = await graphql(
      `
        mutation ($s: String!, $p: JSON) {
          addNode(sessionId: $s, nodeId: "intruder", kind: "transport::moq::peer", params: $p) {
            nodeId
          }
        }
      `,
      { s: editorId, p: { gateway_path: '/moq/claims-live' } },
    );
    assert.match(retry.errors?.[0].message ?? '', /already in use by session 'claims-live-holder'/);

    // Removing the holder's peer frees the path at once, without destroying the session.
    const removed = await graphql(
      `
        mutation ($s: String!) {
          removeNode(sessionId: $s, nodeId: "peer") {
            nodeId
          }
        }
      `,
      { s: holderId },
    );
    assert.equal(removed.errors, undefined, JSON.stringify(removed));
    const taken = await graphql(
      `
        mutation ($s: String!, $p: JSON) {
          addNode(sessionId: $s, nodeId: "intruder", kind: "transport::moq::peer", params: $p) {
            nodeId
          }
        }
      `,
      { s: editorId, p: { gateway_path: '/moq/claims-live' } },
    );
    assert.equal(taken.errors, undefined, JSON.stringify(taken));
    await destroy(holderId);
    await destroy(editorId);
  });
});
