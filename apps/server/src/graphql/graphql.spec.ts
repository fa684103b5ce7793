// GraphQL against the real server: queries and mutations over HTTP, live subscriptions with a real
// graphql-ws client over `ws`, error codes, permissions, the Origin check and isolation of a stalled subscriber.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../testing/test-server';
import { SessionEventHub } from './session-event-hub';

interface GqlError {
  message: string;
  extensions?: { code?: string };
}
interface GqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: GqlError[];
}
type Event = { type: string; nodeId?: string; [k: string]: unknown };

const EVENT_FIELDS = `type sessionId
  ... on NodeAddedEvent { nodeId kind params }
  ... on NodeRemovedEvent { nodeId }
  ... on ConnectionAddedEvent { connection { fromNode fromPin toNode toPin mode } }
  ... on ConnectionRemovedEvent { connection { fromNode toNode } }
  ... on NodeParamsChangedEvent { nodeId params changed }
  ... on NodeStateChangedEvent { nodeId state { status reason } }
  ... on NodeStatsUpdatedEvent { nodeId missed stats { received } }
  ... on NodeTelemetryEvent { nodeId typeId missed }`;

/** One subscription's events, with waits on them. */
class Subscription {
  readonly events: Event[] = [];
  error: GqlError[] | Error | undefined;
  completed = false;
  private wake: (() => void) | undefined;
  readonly dispose: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown>) {
    this.dispose = client.subscribe<Record<string, Event>>(
      { query, variables },
      {
        next: (r) => {
          const value = r.data ? Object.values(r.data)[0] : undefined;
          if (value) this.events.push(value);
          if (r.errors) this.error = r.errors as GqlError[];
          this.wake?.();
        },
        error: (e) => {
          this.error = e instanceof Error ? e : (e as GqlError[]);
          this.wake?.();
        },
        complete: () => {
          this.completed = true;
          this.wake?.();
        },
      },
    );
  }

  async until(done: (s: this) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  errorCode(): string | undefined {
    const e = this.error;
    return Array.isArray(e) ? e[0]?.extensions?.code : undefined;
  }
}

describe('GraphiQL', () => {
  it('is served at /graphiql (pointing at /api/v1/graphql) only when server.graphiql is on', async () => {
    for (const enabled of [true, false]) {
      const server = await startTestServer({ config: { server: { graphiql: enabled } } });
      try {
        const body = await (await fetch(`${server.url}/graphiql/config.js`)).text();
        assert.equal(body.includes("GRAPHQL_ENDPOINT = '/api/v1/graphql'"), enabled);
      } finally {
        await server.close();
      }
    }
  });
});

describe('GraphQL API', () => {
  let server: TestServer;
  let hub: SessionEventHub;
  const clients: Client[] = [];
  const allSockets: WebSocket[] = [];

  const gql = async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    role = 'admin',
  ): Promise<GqlResult<T>> => {
    const res = await fetch(`${server.url}/api/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-role': role },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GqlResult<T>;
  };
  const ok = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => {
    const r = await gql<T>(query, variables);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    return r.data as T;
  };
  const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;

  /** A graphql-ws client; `sockets` collects its WebSockets (to stall one). */
  function connect(options: { params?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    const sockets: WebSocket[] = [];
    class TrackedWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: options.headers });
        sockets.push(this);
        allSockets.push(this);
      }
    }
    const client = createClient({
      url: `${server.url.replace(/^http/, 'ws')}/api/v1/graphql`,
      webSocketImpl: TrackedWebSocket,
      connectionParams: options.params,
      retryAttempts: 0,
      lazy: true,
    });
    clients.push(client);
    return { client, sockets };
  }

  const createSession = async (name: string) =>
    (
      await ok<{ createSession: { id: string } }>(
        'mutation($n: String) { createSession(name: $n) { id name } }',
        { n: name },
      )
    ).createSession.id;

  const waitSubscribers = async (sessionId: string, n: number) => {
    const deadline = Date.now() + 5000;
    while (hub.subscriberCount(sessionId) < n) {
      if (Date.now() > deadline)
        throw new Error(`only ${hub.subscriberCount(sessionId)} of ${n} subscribers`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  before(async () => {
    server = await startTestServer({
      tempDirs: true,
      config: {
        permissions: {
          role_header: 'x-role',
          max_concurrent_sessions: 6,
          roles: { viewer: { list_sessions: true, allowed_nodes: ['*'] } },
        },
      },
    });
    hub = server.app.get(SessionEventHub);
  });
  after(async () => {
    for (const c of clients) void c.dispose();
    for (const ws of allSockets) ws.terminate();
    await server.close();
  });

  it('answers the discovery queries with the same data as REST', async () => {
    const data = await ok<{
      config: { version: string };
      permissions: { role: string; permissions: { createSessions: boolean; loadPlugins: boolean } };
      nodeKinds: { kind: string; inputs: { name: string }[] }[];
      packetTypes: { id: string }[];
      plugins: unknown[];
      samples: unknown[];
      assets: { id: string }[];
    }>(`{ config { version profiling } permissions { role permissions { createSessions loadPlugins } }
          nodeKinds { kind inputs { name } paramSchema } packetTypes { id compatibility }
          plugins { kind } samples { id } assets { id } }`);
    const rest = (await (await fetch(`${server.url}/api/v1/config`)).json()) as { version: string };
    assert.equal(data.config.version, rest.version);
    assert.deepEqual(data.permissions, {
      role: 'admin',
      permissions: { createSessions: true, loadPlugins: true },
    });
    const restKinds = (await (
      await fetch(`${server.url}/api/v1/schema/nodes`, { headers: { 'x-role': 'admin' } })
    ).json()) as {
      kind: string;
    }[];
    assert.deepEqual(
      data.nodeKinds.map((k) => k.kind),
      restKinds.map((k) => k.kind),
    );
    assert.ok(data.nodeKinds.some((k) => k.kind === 'audio::gain' && k.inputs[0].name === 'in'));
    assert.ok(data.packetTypes.some((t) => t.id === 'RawAudio'));
    assert.deepEqual(data.plugins, [], 'no plugin catalog is registered yet');
    assert.ok(Array.isArray(data.samples));
    assert.ok(Array.isArray(data.assets));
  });

  it('streams a session built by mutations: nodes, connection, tuning, destroy, in order', async () => {
    const id = await createSession('live');
    const { client } = connect({ params: { 'x-role': 'admin' } });
    const sub = new Subscription(
      client,
      `subscription($s: String!) { sessionEvents(sessionId: $s) { ${EVENT_FIELDS} } }`,
      {
        s: 'live',
      },
    );
    await waitSubscribers(id, 1);

    await ok(
      'mutation($s: String!) { addNode(sessionId: $s, nodeId: "g1", kind: "audio::gain") { nodeId } }',
      { s: id },
    );
    await ok(
      'mutation($s: String!) { addNode(sessionId: $s, nodeId: "g2", kind: "audio::gain", params: {gain: 1.5}) { nodeId params } }',
      {
        s: id,
      },
    );
    const conn = await ok<{ connect: { mode: string } }>(
      `mutation($s: String!) { connect(sessionId: $s, connection: {fromNode: "g1", fromPin: "out", toNode: "g2", toPin: "in"}) { fromNode toNode mode } }`,
      { s: id },
    );
    assert.equal(conn.connect.mode, 'RELIABLE');
    const tuned = await ok<{ tuneNode: { changed: unknown } }>(
      'mutation($s: String!) { tuneNode(sessionId: $s, nodeId: "g2", params: {gain: 2}) { nodeId params changed } }',
      { s: id },
    );
    assert.deepEqual(tuned.tuneNode.changed, { gain: 2 });
    const view = await ok<{
      session: { pipeline: { nodes: { id: string; params: { gain: number } }[]; connections: unknown[] } };
    }>(
      '{ session(idOrName: "live") { id pipeline { nodes { id params state { status } } connections { fromNode } } } }',
    );
    assert.deepEqual(
      view.session.pipeline.nodes.map((n) => [n.id, n.params.gain]),
      [
        ['g1', 1],
        ['g2', 2],
      ],
    );
    await ok(
      'mutation($s: String!) { disconnect(sessionId: $s, connection: {fromNode: "g1", fromPin: "out", toNode: "g2", toPin: "in"}) { fromNode } }',
      {
        s: id,
      },
    );
    await ok('mutation($s: String!) { removeNode(sessionId: $s, nodeId: "g1") { nodeId } }', { s: id });
    await ok('mutation($s: String!) { destroySession(sessionId: $s) { sessionId } }', { s: id });
    await sub.until((s) => s.completed, 'the subscription to complete after destroy');

    const structural = sub.events
      .filter((e) => !['NODE_STATE_CHANGED', 'NODE_STATS_UPDATED', 'NODE_TELEMETRY'].includes(e.type))
      .map((e) => `${e.type}${e.nodeId ? ` ${e.nodeId}` : ''}`);
    assert.deepEqual(structural, [
      'NODE_ADDED g1',
      'NODE_ADDED g2',
      'CONNECTION_ADDED',
      'NODE_PARAMS_CHANGED g2',
      'CONNECTION_REMOVED',
      'NODE_REMOVED g1',
      'SESSION_DESTROYED',
    ]);
    const firstState = sub.events.findIndex((e) => e.type === 'NODE_STATE_CHANGED' && e.nodeId === 'g1');
    const added = sub.events.findIndex((e) => e.type === 'NODE_ADDED' && e.nodeId === 'g1');
    assert.ok(firstState > added, 'a node reports its state after it was added');
    assert.deepEqual(sub.events.find((e) => e.type === 'NODE_PARAMS_CHANGED')?.changed, { gain: 2 });
    assert.equal(hub.subscriberCount(id), 0, 'the subscriber is detached');
  });

  it('nodeStates starts with the current state of every node; sessionsChanged follows lifecycles', async () => {
    const { client } = connect();
    const changes = new Subscription(
      client,
      'subscription { sessionsChanged { type session { id name } } }',
      {},
    );
    const deadline = Date.now() + 5000;
    while (hub.changeSubscriberCount() < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    const id = await ok<{ createSession: { id: string } }>(
      'mutation { createSession(name: "states", yaml: "steps:\\n  - kind: core::passthrough\\n  - kind: core::sink\\n") { id } }',
    ).then((d) => d.createSession.id);
    const states = new Subscription(
      client,
      'subscription($s: String!) { nodeStates(sessionId: $s) { nodeId state { status } } }',
      { s: id },
    );
    await states.until((s) => new Set(s.events.map((e) => e.nodeId)).size === 2, 'a state for both nodes');
    assert.deepEqual([...new Set(states.events.map((e) => e.nodeId))].sort(), ['step_0', 'step_1']);
    await ok('mutation($s: String!) { destroySession(sessionId: $s) { sessionId } }', { s: id });
    await states.until((s) => s.completed, 'nodeStates to complete');
    await changes.until((s) => s.events.length >= 2, 'created and destroyed');
    assert.deepEqual(
      changes.events.filter((e) => (e.session as { id: string }).id === id).map((e) => e.type),
      ['CREATED', 'DESTROYED'],
    );
    changes.dispose();
  });

  it('nodeStats delivers stats at the asked interval and refuses a bad interval with a code', async () => {
    const id = await createSession('stats');
    await ok(
      'mutation($s: String!) { addNode(sessionId: $s, nodeId: "p", kind: "core::passthrough") { nodeId } }',
      { s: id },
    );
    const { client } = connect();
    const bad = new Subscription(
      client,
      'subscription($s: String!) { nodeStats(sessionId: $s, intervalMs: 1) { nodeId } }',
      { s: id },
    );
    await bad.until((s) => s.error !== undefined, 'an error');
    assert.equal(bad.errorCode(), 'BAD_REQUEST');
    const stats = new Subscription(
      client,
      'subscription($s: String!) { nodeStats(sessionId: $s, intervalMs: 100) { nodeId missed stats { received sent } } }',
      { s: id },
    );
    await stats.until((s) => s.events.length >= 1, 'a stats update', 5000);
    assert.equal(stats.events[0].nodeId, 'p');
    stats.dispose();
    await ok('mutation($s: String!) { destroySession(sessionId: $s) { sessionId } }', { s: id });
  });

  it('reports service and GraphQL errors with extensions.code', async () => {
    const id = await createSession('errors');
    const badParam = await gql(
      'mutation($s: String!) { addNode(sessionId: $s, nodeId: "g", kind: "audio::gain", params: {gain: 9}) { nodeId } }',
      {
        s: id,
      },
    );
    assert.equal(codeOf(badParam), 'BAD_REQUEST');
    assert.match(badParam.errors![0].message, /Node 'g'.*gain/);
    assert.equal(codeOf(await gql('{ session(idOrName: "nope") { id } }')), 'NOT_FOUND');
    assert.equal(codeOf(await gql('mutation { createSession(name: "errors") { id } }')), 'CONFLICT');
    assert.equal(codeOf(await gql('{ nope }')), 'BAD_REQUEST');
    const batch = await gql<{
      validateBatch: { valid: boolean; problems: { nodeId: string; path: string }[] };
    }>(
      `mutation($s: String!) { validateBatch(sessionId: $s, operations: [
         {action: ADD_NODE, nodeId: "a", kind: "audio::gain", params: {gain: 7}},
         {action: CONNECT, connection: {fromNode: "a", fromPin: "out", toNode: "zz", toPin: "in"}}]) { valid problems { nodeId path message } } }`,
      { s: id },
    );
    assert.equal(batch.data?.validateBatch.valid, false);
    assert.ok(batch.data!.validateBatch.problems.length >= 2, JSON.stringify(batch.data));
    const missing = await gql(
      'mutation($s: String!) { applyBatch(sessionId: $s, operations: [{action: REMOVE_NODE}]) { applied } }',
      { s: id },
    );
    assert.equal(codeOf(missing), 'BAD_REQUEST');
    assert.match(missing.errors![0].message, /operations\[0\] \(remove_node\): 'nodeId' is required/);
    const applied = await ok<{ applyBatch: { applied: number } }>(
      `mutation($s: String!) { applyBatch(sessionId: $s, operations: [
         {action: ADD_NODE, nodeId: "a", kind: "core::passthrough"}, {action: ADD_NODE, nodeId: "b", kind: "core::sink"},
         {action: CONNECT, connection: {fromNode: "a", fromPin: "out", toNode: "b", toPin: "in"}}]) { applied } }`,
      { s: id },
    );
    assert.equal(applied.applyBatch.applied, 3);
    const names = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
    const results = [];
    for (const n of names)
      results.push(await gql('mutation($n: String) { createSession(name: $n) { id } }', { n }));
    assert.ok(
      results.some((r) => codeOf(r) === 'TOO_MANY_REQUESTS'),
      'the session cap answers 429',
    );
    for (const n of [...names, 'errors'])
      await gql('mutation($n: String!) { destroySession(sessionId: $n) { sessionId } }', { n });
  });

  it('denies by role: HTTP header, WebSocket header, or connection params', async () => {
    assert.equal(codeOf(await gql('mutation { createSession { id } }', {}, 'viewer')), 'FORBIDDEN');
    const id = await createSession('owned');
    const viewerOverHttp = await gql('{ session(idOrName: "owned") { id } }', {}, 'viewer');
    assert.equal(codeOf(viewerOverHttp), 'FORBIDDEN');

    const byParams = connect({ params: { 'x-role': 'viewer' } });
    const denied = new Subscription(
      byParams.client,
      'subscription { sessionEvents(sessionId: "owned") { type } }',
      {},
    );
    await denied.until((s) => s.error !== undefined, 'a denial');
    assert.equal(denied.errorCode(), 'FORBIDDEN');

    // The upgrade's own header wins over connection params (a proxy-set role cannot be overridden).
    const byHeader = connect({ headers: { 'x-role': 'viewer' }, params: { 'x-role': 'admin' } });
    const overWs = new Subscription(byHeader.client, 'mutation { createSession(name: "nope") { id } }', {});
    await overWs.until((s) => s.events.length > 0 || s.error !== undefined || s.completed, 'an answer');
    assert.equal(overWs.errorCode(), 'FORBIDDEN');

    const admin = connect({ params: { headers: { 'X-Role': 'admin' } } });
    const allowed = new Subscription(
      admin.client,
      'subscription { sessionEvents(sessionId: "owned") { type } }',
      {},
    );
    await waitSubscribers(id, 1);
    allowed.dispose();
    await ok('mutation { destroySession(sessionId: "owned") { sessionId } }');
  });

  it('refuses a WebSocket upgrade from a foreign Origin', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/graphql`, 'graphql-transport-ws', {
      headers: { origin: 'https://evil.example' },
    });
    const status = await new Promise<number>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('upgrade was accepted')));
      ws.on('error', () => undefined);
    });
    ws.terminate();
    assert.equal(status, 403);
  });

  it('a stalled subscriber delays neither the session nor another subscriber, and loses no structure', async () => {
    const id = await createSession('stall');
    await ok(
      'mutation($s: String!) { addNode(sessionId: $s, nodeId: "g", kind: "audio::gain") { nodeId } }',
      { s: id },
    );
    const query = `subscription($s: String!) { sessionEvents(sessionId: $s) { ${EVENT_FIELDS} } }`;
    const slow = connect();
    const fast = connect();
    const stalled = new Subscription(slow.client, query, { s: id });
    const live = new Subscription(fast.client, query, { s: id });
    await waitSubscribers(id, 2);
    slow.sockets[0].pause();

    const TUNES = 400;
    const changes = (sub: Subscription) => sub.events.filter((e) => e.type === 'NODE_PARAMS_CHANGED').length;
    let worstLagMs = 0;
    for (let i = 1; i <= TUNES; i++) {
      await ok(
        'mutation($s: String!, $p: JSON!) { tuneNode(sessionId: $s, nodeId: "g", params: $p) { nodeId } }',
        {
          s: id,
          p: { gain: (i % 40) / 10 },
        },
      );
      // The live subscriber keeps up change by change while the other one reads nothing.
      const answered = performance.now();
      await live.until((s) => changes(s) === i, `change ${i} on the live subscriber`);
      worstLagMs = Math.max(worstLagMs, performance.now() - answered);
    }
    assert.equal(changes(stalled), 0, 'the paused client read nothing meanwhile');
    assert.ok(worstLagMs < 1000, `the live subscriber lagged ${worstLagMs.toFixed(1)} ms at worst`);

    slow.sockets[0].resume();
    await stalled.until((s) => changes(s) === TUNES, 'every structural event after resuming', 10_000);
    const gains = stalled.events
      .filter((e) => e.type === 'NODE_PARAMS_CHANGED')
      .map((e) => (e.changed as { gain: number }).gain);
    assert.deepEqual(
      gains,
      Array.from({ length: TUNES }, (_, i) => ((i + 1) % 40) / 10),
      'in order, none lost',
    );
    stalled.dispose();
    live.dispose();
    await ok('mutation($s: String!) { destroySession(sessionId: $s) { sessionId } }', { s: id });
  });
});
