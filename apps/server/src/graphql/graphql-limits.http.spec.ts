// Issue 23, finding 4 (GraphQL): cost bounds refused before graphql-js validates or executes (aliases, tokens,
// depth, fields with fragments expanded), the result size cap, and the per-connection bounds of the WebSocket:
// connections, connection_init deadline, subscriptions, and a slow reader dropped instead of buffered.
// `/healthz` p99 is measured while each flood runs.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import WebSocket from 'ws';
import { attackFromWorker } from '../testing/attacker';
import { whileProbing } from '../testing/healthz-probe';
import { startTestServer, type TestServer } from '../testing/test-server';
import { SessionEventHub } from './session-event-hub';
import { GraphqlConnections } from './ws-connections';

interface GqlResult {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const aliases = (n: number) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: config { version }`).join(' ')} }`;

/** A raw graphql-transport-ws client: every message kept, sends what a hostile client would. */
class RawClient {
  readonly ws: WebSocket;
  readonly messages: { type: string; id?: string; payload?: unknown }[] = [];
  private waiters: (() => void)[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/graphql`, 'graphql-transport-ws', {
      headers,
    });
    this.ws.on('message', (m: Buffer) => {
      this.messages.push(JSON.parse(m.toString()) as RawClient['messages'][number]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.ws.on('error', () => undefined);
  }

  async init(): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
    this.send({ type: 'connection_init', payload: {} });
    await this.until((m) => m.type === 'connection_ack', 'connection_ack');
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  async until(match: (m: RawClient['messages'][number]) => boolean, what: string, ms = 10_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GraphQL bounds', () => {
  let server: TestServer;
  const open: RawClient[] = [];
  const client = (headers?: Record<string, string>) => {
    const c = new RawClient(server.url, headers);
    open.push(c);
    return c;
  };
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${server.url}/api/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as GqlResult };
  };

  before(async () => {
    server = await startTestServer({
      tempDirs: true,
      config: {
        server: {
          graphql: { max_connections: 8, connection_init_timeout_ms: 500, max_response_bytes: 256 * 1024 },
        },
      },
    });
  });
  after(async () => {
    for (const c of open) c.ws.terminate();
    await server.close();
  });

  it('refuses 26,000 aliases at once over HTTP and WebSocket, without freezing /healthz', async () => {
    const body = JSON.stringify({ query: aliases(26_000) });
    const request = {
      method: 'POST',
      path: '/api/v1/graphql',
      headers: { 'content-type': 'application/json' },
      body,
    };
    const ws = client();
    await ws.init();
    // Warm up (code paths compiled, worker started) so the probe measures the attack, not the first call.
    await attackFromWorker(server.url, [request]);
    ws.subscribe('warm', aliases(26_000));
    await ws.until((m) => m.id === 'warm', 'the first refusal');
    const { result: answers, latency } = await whileProbing(server.url, async () => {
      const http = await attackFromWorker(
        server.url,
        Array.from({ length: 10 }, () => request),
        { gapMs: 50 },
      );
      ws.subscribe('bomb', aliases(26_000));
      const refused = await ws.until((m) => m.id === 'bomb', 'the refusal');
      assert.equal(refused.type, 'error');
      assert.match(JSON.stringify(refused.payload), /more than 10000 tokens \(server.graphql.max_tokens\)/);
      ws.subscribe('fine', '{ config { version } }');
      assert.equal((await ws.until((m) => m.id === 'fine', 'a normal query')).type, 'next');
      return http;
    });
    for (const { status, body: text, ms } of answers) {
      assert.equal(status, 400);
      const answer = JSON.parse(text) as GqlResult;
      assert.equal(answer.data ?? null, null);
      assert.match(answer.errors?.[0].message ?? '', /more than 10000 tokens \(server.graphql.max_tokens\)/);
      assert.ok(ms < 1000, `a refusal took ${ms.toFixed(0)} ms`);
    }
    assert.ok(latency.p99 < 100, `/healthz p99 ${latency.p99.toFixed(1)} ms during the flood`);
  });

  it('names the bound an operation crossed: aliases, depth, fields with fragments expanded', async () => {
    const refused = async (query: string, pattern: RegExp) => {
      const { status, body } = await post(query);
      assert.equal(status, 400, query.slice(0, 80));
      assert.equal(body.errors?.[0].extensions?.code, 'QUERY_TOO_COMPLEX');
      assert.match(body.errors?.[0].message ?? '', pattern);
    };
    await refused(aliases(51), /51 aliases; at most 50 are allowed \(server.graphql.max_aliases\)/);
    const deep = `{ ${'a { '.repeat(17)}b${' }'.repeat(17)} }`;
    await refused(deep, /18 levels deep; at most 16/);
    await refused(`{ ${'a { '.repeat(3000)}b${' }'.repeat(3000)} }`, /nests deeper than 64 levels/);
    // Ten fragments each spreading the next twice: 2^10 copies of one field.
    const fragments = Array.from(
      { length: 10 },
      (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    await refused(
      `{ ...F0 }\n${fragments}\nfragment F10 on Query { config { version } }`,
      /selects \d+ fields/,
    );
    await refused('{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }', /spreads itself/);
    const ok = await post('{ a: config { version } b: permissions { role } }');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.errors, undefined);
    // Tools (GraphiQL, code generators) send the full introspection query: it fits the default bounds.
    const introspection = await post(getIntrospectionQuery());
    assert.equal(introspection.status, 200);
    assert.equal(introspection.body.errors, undefined);
  });

  it('replaces a result over max_response_bytes with an error, over HTTP and WebSocket', async () => {
    const big = `{ ${Array.from({ length: 20 }, (_, i) => `k${i}: nodeKinds { paramSchema }`).join(' ')} }`;
    const { status, body } = await post(big);
    assert.equal(status, 400);
    assert.equal(body.errors?.[0].extensions?.code, 'RESPONSE_TOO_LARGE');
    assert.match(body.errors?.[0].message ?? '', /exceeds server.graphql.max_response_bytes \(262144\)/);
    const ws = client();
    await ws.init();
    ws.subscribe('big', big);
    const answer = await ws.until((m) => m.id === 'big', 'the answer');
    assert.equal(answer.type, 'error');
    assert.match(JSON.stringify(answer.payload), /RESPONSE_TOO_LARGE/);
  });

  it(
    'closes a WebSocket that never sends connection_init, and refuses connections over the cap',
    { timeout: 30_000 },
    async () => {
      const silent = client();
      const [code, reason] = (await once(silent.ws, 'close')) as [number, Buffer];
      assert.equal(code, 4408);
      assert.equal(reason.toString(), 'Connection initialisation timeout');

      const connections = server.app.get(GraphqlConnections);
      const stillOpen = () => open.filter((c) => c.ws.readyState === WebSocket.OPEN).length;
      await waitFor(() => connections.size === stillOpen(), 'the server to count only open connections');
      const held = Array.from({ length: 8 - connections.size }, () => client());
      await Promise.all(held.map((c) => c.init()));
      const extra = client();
      const [extraCode, extraReason] = (await once(extra.ws, 'close')) as [number, Buffer];
      assert.equal(extraCode, 1013);
      assert.match(extraReason.toString(), /server.graphql.max_connections is 8/);
      for (const c of held) c.ws.close();
      await Promise.all(held.map((c) => once(c.ws, 'close')));
    },
  );

  it(
    '1,000 subscriptions on one connection: 32 are accepted; a reader that stops is dropped, not buffered',
    { timeout: 30_000 },
    async () => {
      const created = await post('mutation { createSession(name: "slow") { id } }');
      const sessionId = (created.body.data as { createSession: { id: string } }).createSession.id;
      await post(
        'mutation($s: String!) { addNode(sessionId: $s, nodeId: "g", kind: "audio::gain") { nodeId } }',
        {
          s: sessionId,
        },
      );
      const hub = server.app.get(SessionEventHub);
      const ws = client();
      await ws.init();
      const query = 'subscription($s: String!) { sessionEvents(sessionId: $s) { type sessionId } }';
      for (let i = 0; i < 1000; i++) ws.subscribe(`s${i}`, query, { s: sessionId });
      await ws.until((m) => m.id === 's999' && m.type === 'error', 'the refusal of the last subscription');
      const refusals = ws.messages.filter((m) => m.type === 'error');
      assert.equal(refusals.length, 1000 - 32);
      assert.match(JSON.stringify(refusals[0].payload), /max_subscriptions_per_connection is 32/);
      assert.equal(hub.subscriberCount(sessionId), 32);

      ws.ws.pause();
      // A paused client cannot see its socket close: the server side tells whether it was dropped.
      const connections = server.app.get(GraphqlConnections);
      const before = connections.size;
      // Each batch adds (or removes) 50 nodes: 50 structural events for each of the 32 subscriptions.
      const batch = (n: number) =>
        Array.from({ length: 50 }, (_, i) =>
          n % 2 === 0
            ? { action: 'ADD_NODE', nodeId: `n${i}`, kind: 'audio::gain' }
            : { action: 'REMOVE_NODE', nodeId: `n${i}` },
        );
      const { result: tunes, latency } = await whileProbing(server.url, async () => {
        let n = 0;
        while (connections.size === before && n < 400) {
          const applied = await post(
            'mutation($s: String!, $ops: [BatchOperationInput!]!) { applyBatch(sessionId: $s, operations: $ops) { applied } }',
            { s: sessionId, ops: batch(n++) },
          );
          assert.equal(applied.body.errors, undefined, JSON.stringify(applied.body.errors));
        }
        return n;
      });
      assert.equal(
        connections.size,
        before - 1,
        `the stalled reader was still connected after ${tunes} batches`,
      );
      // Everything it held is released: no subscriber of the session is left.
      await waitFor(() => hub.subscriberCount(sessionId) === 0, 'the dropped subscriptions to detach');
      assert.ok(latency.p99 < 100, `/healthz p99 ${latency.p99.toFixed(1)} ms while the reader stalled`);
    },
  );

  it(
    'drops a client whose socket holds more unsent bytes than max_outbound_buffer_bytes',
    { timeout: 30_000 },
    async () => {
      const ws = client();
      await ws.init();
      ws.ws.pause();
      const connections = server.app.get(GraphqlConnections);
      const before = connections.size;
      // Each answer is ~200 KiB (under max_response_bytes, whatever the number of kinds); the kernel takes a few
      // MiB, then the 4 MiB bound hits.
      const one = JSON.stringify((await post('{ nodeKinds { paramSchema } }')).body).length;
      const aliases = Math.max(1, Math.floor((200 * 1024) / one));
      const query = `{ ${Array.from({ length: aliases }, (_, i) => `k${i}: nodeKinds { paramSchema }`).join(' ')} }`;
      for (let i = 0; i < 2000 && connections.size === before; i++) {
        ws.subscribe(`q${i}`, query);
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 10));
      }
      await waitFor(() => connections.size === before - 1, 'the client that stopped reading to be dropped');
    },
  );
});
