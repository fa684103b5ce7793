// Shared fan-out against the real server: subscribers of the same document receive the very same message
// text (their own id aside), each executed and encoded once; other documents and variables get their own.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../testing/test-server';
import { SessionEventHub } from './session-event-hub';

let server: TestServer;
before(async () => {
  server = await startTestServer({ config: { permissions: { default_role: 'admin' } } });
});
after(() => server.close());

/** A raw graphql-ws connection that records the text of every `next` message. */
async function subscriber(query: string, variables: Record<string, unknown>) {
  const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/graphql`, 'graphql-transport-ws');
  const messages: string[] = [];
  ws.on('message', (data) => {
    const text = String(data);
    if ((JSON.parse(text) as { type: string }).type === 'next') messages.push(text);
  });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise((resolve) => ws.once('message', resolve));
  const id = `sub-${Math.random().toString(36).slice(2)}`;
  ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  return { ws, id, messages };
}

it('subscribers of one document share each message; other documents and variables get their own', async () => {
  const gql = async (query: string) =>
    (await (
      await fetch(`${server.url}/api/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      })
    ).json()) as { data: Record<string, { id: string }> };
  const session = (await gql('mutation { createSession(name: "fan") { id } }')).data.createSession.id;
  const byId = 'subscription($s: String!) { sessionEvents(sessionId: $s) { type sessionId } }';
  const withNode =
    'subscription($s: String!) { sessionEvents(sessionId: $s) { type ... on NodeAddedEvent { nodeId kind } } }';
  const subs = [
    await subscriber(byId, { s: session }),
    await subscriber(byId, { s: session }),
    await subscriber(withNode, { s: session }),
    await subscriber(byId, { s: 'fan' }),
  ];
  const hub = server.app.get(SessionEventHub);
  while (hub.subscriberCount(session) < subs.length) await new Promise((r) => setTimeout(r, 10));
  await gql(
    `mutation { addNode(sessionId: "${session}", nodeId: "p", kind: "core::passthrough") { nodeId } }`,
  );
  while (subs.some((s) => s.messages.length === 0)) await new Promise((r) => setTimeout(r, 10));

  const payload = (s: (typeof subs)[number]) => s.messages[0].replace(`"id":"${s.id}"`, '"id":"?"');
  assert.equal(payload(subs[0]), payload(subs[1]), 'same document and variables: the same text');
  assert.deepEqual(JSON.parse(subs[0].messages[0]), {
    type: 'next',
    id: subs[0].id,
    payload: { data: { sessionEvents: { type: 'NODE_ADDED', sessionId: session } } },
  });
  assert.deepEqual(JSON.parse(subs[2].messages[0]).payload, {
    data: { sessionEvents: { type: 'NODE_ADDED', nodeId: 'p', kind: 'core::passthrough' } },
  });
  // The session by name: the same event through other variables.
  assert.equal(JSON.parse(subs[3].messages[0]).payload.data.sessionEvents.sessionId, session);
  for (const s of subs) s.ws.close();
});
