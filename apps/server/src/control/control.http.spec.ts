// Issue 16: StreamKit's control WebSocket at /api/v1/control, driven by a client written from the protocol
// reference (envelope `{type, correlation_id?, payload}`, requests tagged `payload.action`, events tagged
// `payload.event`) against the real server: every action, every event type, roles, origin, oversize
// messages, the request rate, the connection cap, and a reader that stops reading.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../testing/test-server';
import { ControlService } from './control.service';

type Json = Record<string, unknown>;
interface Message {
  type: string;
  correlation_id?: string;
  payload: Json;
}

/** A control client as the reference describes it: one socket, requests matched by correlation id. */
class Client {
  readonly ws: WebSocket;
  readonly messages: Message[] = [];
  private seq = 0;
  private waiters: (() => void)[] = [];

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/control`, { headers });
    this.ws.on('message', (m: Buffer) => {
      this.messages.push(JSON.parse(m.toString()) as Message);
      for (const w of this.waiters.splice(0)) w();
    });
    this.ws.on('error', () => undefined);
  }

  async open(): Promise<this> {
    if (this.ws.readyState !== WebSocket.OPEN) await once(this.ws, 'open');
    return this;
  }

  /** Sends a request and resolves with its response payload. */
  async request(payload: Json): Promise<Json> {
    const id = `req-${++this.seq}`;
    this.ws.send(JSON.stringify({ type: 'request', correlation_id: id, payload }));
    const res = await this.until((m) => m.type === 'response' && m.correlation_id === id, `${id}`);
    return res.payload;
  }

  send(payload: Json): void {
    this.ws.send(JSON.stringify({ type: 'request', payload }));
  }

  events(name?: string): Json[] {
    return this.messages
      .filter((m) => m.type === 'event' && (name === undefined || m.payload.event === name))
      .map((m) => m.payload);
  }

  async until(match: (m: Message) => boolean, what: string, ms = 10_000): Promise<Message> {
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

  event(name: string, match: (p: Json) => boolean = () => true): Promise<Message> {
    return this.until((m) => m.type === 'event' && m.payload.event === name && match(m.payload), name);
  }

  close(): void {
    this.ws.close();
  }
}

/** The status and body of a refused upgrade. */
function refusedUpgrade(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/control`, { headers });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

async function waitFor(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const MUSIC = 'samples/audio/system/music_60s_stereo.opus.ogg';
const TELEMETRY_SCRIPT =
  'let n = 0; function process(p) { if (n++ === 0) telemetry.emit("probe.first", { note: "hello" }); return p; }';

describe('control WebSocket /api/v1/control', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      config: {
        permissions: {
          role_header: 'x-role',
          roles: {
            viewer: { list_sessions: true, list_nodes: true, allowed_nodes: ['*'] },
            user: {
              create_sessions: true,
              destroy_sessions: true,
              list_sessions: true,
              modify_sessions: true,
              tune_nodes: true,
              list_nodes: true,
              allowed_nodes: ['*'],
            },
          },
        },
        server: { control: { max_message_bytes: 4096 } },
      },
    });
  });
  after(() => server.close());

  it('drives every action and receives every event type', { timeout: 60_000 }, async () => {
    const a = await new Client(server.url).open();
    const observer = await new Client(server.url).open();
    try {
      const perms = await a.request({ action: 'getpermissions' });
      assert.equal(perms.action, 'permissions');
      assert.equal(perms.role, 'admin');
      assert.equal(Object.keys(perms.permissions as Json).length, 15);

      const created = await a.request({ action: 'createsession', name: '  demo-room  ' });
      assert.equal(created.action, 'sessioncreated');
      assert.equal(created.name, 'demo-room');
      const sid = created.session_id as string;
      assert.ok(!Number.isNaN(Date.parse(created.created_at as string)));
      // The requester sees its response before its own event; others see only the event.
      const ownEvent = a.messages.findIndex(
        (m) => m.type === 'event' && m.payload.event === 'sessioncreated',
      );
      assert.ok(
        ownEvent === -1 || ownEvent > a.messages.findIndex((m) => m.payload.action === 'sessioncreated'),
      );
      await observer.event('sessioncreated', (p) => p.session_id === sid && p.name === 'demo-room');
      assert.deepEqual(await a.request({ action: 'createsession', name: 'demo-room' }), {
        action: 'error',
        message: "Session with name 'demo-room' already exists",
      });

      const listed = await a.request({ action: 'listsessions' });
      assert.equal(listed.action, 'sessionslisted');
      assert.ok((listed.sessions as Json[]).some((s) => s.id === sid && s.name === 'demo-room'));

      const nodes = await a.request({ action: 'listnodes' });
      assert.equal(nodes.action, 'nodeslisted');
      const gain = (nodes.nodes as Json[]).find((n) => n.kind === 'audio::gain');
      assert.ok(gain && typeof gain.param_schema === 'object' && Array.isArray(gain.inputs));

      // A playing chain, addressed by the session's name: state, stats and telemetry follow.
      const add = (node_id: string, kind: string, params?: Json) =>
        a.request({ action: 'addnode', session_id: 'demo-room', node_id, kind, params });
      assert.deepEqual(await add('reader', 'core::file_reader', { path: MUSIC }), { action: 'success' });
      await observer.event('nodeadded', (p) => p.node_id === 'reader' && p.kind === 'core::file_reader');
      const batch = [
        { action: 'addnode', node_id: 'demux', kind: 'containers::ogg::demuxer' },
        { action: 'addnode', node_id: 'pacer', kind: 'core::pacer', params: { speed: 1.0 } },
        { action: 'addnode', node_id: 'dec', kind: 'audio::opus::decoder' },
        { action: 'addnode', node_id: 'probe', kind: 'core::script', params: { script: TELEMETRY_SCRIPT } },
        { action: 'connect', from_node: 'reader', from_pin: 'out', to_node: 'demux', to_pin: 'in' },
        { action: 'connect', from_node: 'demux', from_pin: 'out', to_node: 'pacer', to_pin: 'in' },
        { action: 'connect', from_node: 'pacer', from_pin: 'out', to_node: 'dec', to_pin: 'in' },
      ];
      assert.deepEqual(await a.request({ action: 'validatebatch', session_id: sid, operations: batch }), {
        action: 'validationresult',
        errors: [],
      });
      const invalid = await a.request({
        action: 'validatebatch',
        session_id: sid,
        operations: [{ action: 'addnode', node_id: 'x', kind: 'no::such' }],
      });
      assert.equal(invalid.action, 'validationresult');
      assert.equal((invalid.errors as Json[])[0].node_id, 'x');
      assert.match((invalid.errors as Json[])[0].message as string, /no::such/);
      assert.deepEqual(await a.request({ action: 'applybatch', session_id: sid, operations: batch }), {
        action: 'batchapplied',
        success: true,
        errors: [],
      });
      assert.deepEqual(
        await a.request({
          action: 'connect',
          session_id: sid,
          from_node: 'dec',
          from_pin: 'out',
          to_node: 'probe',
          to_pin: 'in',
          mode: 'best_effort',
        }),
        { action: 'success' },
      );
      await observer.event('connectionadded', (p) => p.from_node === 'dec' && p.to_node === 'probe');
      await observer.event('nodestatechanged', (p) => p.node_id === 'probe' && p.state === 'Running');
      const telemetry = await observer.event('nodetelemetry', (p) => p.node_id === 'probe');
      assert.equal((telemetry.payload.data as Json).event_type, 'probe.first');
      assert.equal(typeof telemetry.payload.timestamp, 'string');
      const stats = await observer.event('nodestatsupdated', (p) => p.node_id === 'dec');
      assert.equal(typeof (stats.payload.stats as Json).received, 'number');

      assert.deepEqual(await add('vol', 'audio::gain', { gain: 0.8 }), { action: 'success' });
      const tuned = await a.request({
        action: 'tunenode',
        session_id: sid,
        node_id: 'vol',
        message: { UpdateParams: { gain: 1.5 } },
      });
      assert.deepEqual(tuned, { action: 'success' });
      await observer.event(
        'nodeparamschanged',
        (p) => p.node_id === 'vol' && (p.params as Json).gain === 1.5,
      );
      a.send({
        action: 'tunenodeasync',
        session_id: sid,
        node_id: 'vol',
        message: { UpdateParams: { gain: 0.4 } },
      });
      await observer.event(
        'nodeparamschanged',
        (p) => p.node_id === 'vol' && (p.params as Json).gain === 0.4,
      );

      const view = await a.request({ action: 'getpipeline', session_id: sid });
      assert.equal(view.action, 'pipeline');
      const pipeline = view.pipeline as { nodes: Record<string, Json>; connections: Json[] };
      assert.deepEqual(pipeline.nodes.vol.params, { gain: 0.4 });
      assert.ok(pipeline.connections.some((c) => c.from_node === 'dec' && c.mode === 'best_effort'));

      assert.deepEqual(
        await a.request({
          action: 'disconnect',
          session_id: sid,
          from_node: 'dec',
          from_pin: 'out',
          to_node: 'probe',
          to_pin: 'in',
        }),
        { action: 'success' },
      );
      await observer.event('connectionremoved', (p) => p.from_node === 'dec' && p.to_node === 'probe');
      assert.deepEqual(await a.request({ action: 'removenode', session_id: sid, node_id: 'vol' }), {
        action: 'success',
      });
      await observer.event('noderemoved', (p) => p.node_id === 'vol');

      // Unreadable requests: `Invalid JSON: ...`, the connection stays open, the id is kept when readable.
      a.ws.send('{not json');
      await a.until(
        (m) => m.payload.action === 'error' && /^Invalid JSON: /.test(m.payload.message as string),
        'bad json',
      );
      a.ws.send(JSON.stringify({ type: 'request', correlation_id: 'odd', payload: { action: 'fly' } }));
      const odd = await a.until((m) => m.correlation_id === 'odd', 'unknown action');
      assert.match(odd.payload.message as string, /^Invalid JSON: .*fly/);
      assert.deepEqual(await a.request({ action: 'getpipeline', session_id: 'nope' }), {
        action: 'error',
        message: "Session 'nope' not found",
      });

      const destroyed = await a.request({ action: 'destroysession', session_id: 'demo-room' });
      assert.deepEqual(destroyed, { action: 'sessiondestroyed', session_id: sid });
      await observer.event('sessiondestroyed', (p) => p.session_id === sid);
      for (const name of [
        'sessioncreated',
        'sessiondestroyed',
        'nodeadded',
        'noderemoved',
        'connectionadded',
        'connectionremoved',
        'nodeparamschanged',
        'nodestatechanged',
        'nodestatsupdated',
        'nodetelemetry',
      ]) {
        assert.ok(observer.events(name).length > 0, `event ${name} received`);
      }
      for (const m of observer.messages) assert.equal(m.correlation_id, undefined, 'events carry no id');
    } finally {
      a.close();
      observer.close();
    }
  });

  it('applies roles: a viewer is refused every mutation; sessions of other roles stay hidden', async () => {
    const admin = await new Client(server.url).open();
    const viewer = await new Client(server.url, { 'x-role': 'viewer' }).open();
    const user = await new Client(server.url, { 'x-role': 'user' }).open();
    try {
      const created = await admin.request({ action: 'createsession', name: 'admins' });
      const sid = created.session_id as string;
      await admin.request({ action: 'addnode', session_id: sid, node_id: 'g', kind: 'audio::gain' });
      assert.equal((await viewer.request({ action: 'getpermissions' })).role, 'viewer');
      const refused: [Json, string][] = [
        [{ action: 'createsession', name: 'v' }, 'Permission denied: cannot create sessions'],
        [{ action: 'destroysession', session_id: sid }, 'Permission denied: cannot destroy sessions'],
        [
          { action: 'addnode', session_id: sid, node_id: 'x', kind: 'audio::gain' },
          'Permission denied: cannot modify sessions',
        ],
        [
          { action: 'removenode', session_id: sid, node_id: 'g' },
          'Permission denied: cannot modify sessions',
        ],
        [
          { action: 'applybatch', session_id: sid, operations: [] },
          'Permission denied: cannot modify sessions',
        ],
        [
          { action: 'tunenode', session_id: sid, node_id: 'g', message: { UpdateParams: { gain: 2 } } },
          'Permission denied: cannot tune nodes',
        ],
      ];
      for (const [request, message] of refused) {
        assert.deepEqual(
          await viewer.request(request),
          { action: 'error', message },
          request.action as string,
        );
      }
      // A viewer lists (list_sessions) and may see sessions of no other role.
      assert.deepEqual((await viewer.request({ action: 'listsessions' })).sessions, []);
      // A user does not own the admin's session, and sees none of its events.
      assert.deepEqual(await user.request({ action: 'getpipeline', session_id: sid }), {
        action: 'error',
        message: 'Permission denied: you do not own this session',
      });
      const mine = await user.request({ action: 'createsession', name: 'users' });
      await user.request({ action: 'addnode', session_id: 'users', node_id: 'u', kind: 'audio::gain' });
      await admin.event('nodeadded', (p) => p.session_id === mine.session_id);
      await admin.request({ action: 'destroysession', session_id: sid });
      await user.request({ action: 'destroysession', session_id: 'users' });
      await admin.event('sessiondestroyed', (p) => p.session_id === mine.session_id);
      assert.deepEqual(
        user.events().filter((e) => e.session_id === sid),
        [],
        "the user saw none of the admin's events",
      );
      assert.ok(user.events('nodeadded').some((e) => e.session_id === mine.session_id));
    } finally {
      admin.close();
      viewer.close();
      user.close();
    }
    // A role header naming no role is refused at the upgrade (fail closed), like every HTTP route.
    const bad = await refusedUpgrade(server.url, { 'x-role': 'Viewer' });
    assert.equal(bad.status, 403);
    assert.match(bad.body, /Role header 'x-role' names unknown role 'Viewer'/);
  });

  it('refuses a foreign Origin with 403, accepts an allowed one and none', async () => {
    const refused = await refusedUpgrade(server.url, { origin: 'https://evil.example' });
    assert.deepEqual(refused, { status: 403, body: 'WebSocket Origin not allowed' });
    const local = await new Client(server.url, { origin: 'http://localhost:3000' }).open();
    assert.equal((await local.request({ action: 'getpermissions' })).action, 'permissions');
    local.close();
  });

  it('answers an oversize message with an error, then closes with 1009', async () => {
    const c = await new Client(server.url).open();
    const closed = once(c.ws, 'close');
    c.ws.send(
      JSON.stringify({ type: 'request', payload: { action: 'createsession', name: 'x'.repeat(5000) } }),
    );
    const [code, reason] = (await closed) as [number, Buffer];
    assert.equal(code, 1009);
    assert.match(reason.toString(), /max 4096 bytes/);
    assert.deepEqual(c.messages, [
      {
        type: 'response',
        payload: { action: 'error', message: 'WebSocket message too large (max 4096 bytes)' },
      },
    ]);
    assert.deepEqual(await (await fetch(`${server.url}/api/v1/sessions`)).json(), [], 'nothing was created');
  });
});

describe('control WebSocket bounds', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      config: {
        server: {
          control: {
            max_connections: 4,
            max_messages_per_second: 20,
            max_pending_events: 300,
            max_outbound_buffer_bytes: 16384,
          },
        },
      },
    });
  });
  after(() => server.close());

  it('reads a fast sender at max_messages_per_second, losing nothing, while others are served', async () => {
    const flood = await new Client(server.url).open();
    const other = await new Client(server.url).open();
    try {
      const started = performance.now();
      for (let i = 0; i < 60; i++) {
        flood.ws.send(
          JSON.stringify({ type: 'request', correlation_id: `f${i}`, payload: { action: 'listsessions' } }),
        );
      }
      const t0 = performance.now();
      await other.request({ action: 'getpermissions' });
      assert.ok(performance.now() - t0 < 500, 'the other client is answered at once');
      await flood.until((m) => m.correlation_id === 'f59', 'the last flooded request');
      const elapsed = performance.now() - started;
      assert.equal(flood.messages.filter((m) => m.payload.action === 'sessionslisted').length, 60);
      // A burst of 20, then 20 a second: the last of 60 cannot be answered before ~2 s.
      assert.ok(elapsed > 1700, `60 requests at 20/s answered in ${elapsed.toFixed(0)} ms`);
    } finally {
      flood.close();
      other.close();
    }
  });

  it('closes a 5th connection with 1013 while 4 are open', async () => {
    const open = await Promise.all([0, 1, 2, 3].map(() => new Client(server.url).open()));
    try {
      await waitFor(() => server.app.get(ControlService).size === 4, '4 connections');
      const fifth = new Client(server.url);
      const [code, reason] = (await once(fifth.ws, 'close')) as [number, Buffer];
      assert.equal(code, 1013);
      assert.match(reason.toString(), /server\.control\.max_connections is 4/);
    } finally {
      for (const c of open) c.close();
    }
    await waitFor(() => server.app.get(ControlService).size === 0, 'the connections to close');
  });

  it(
    'a reader that stops reading does not slow another client, and is closed with 4008 past max_pending_events',
    { timeout: 60_000 },
    async () => {
      const control = server.app.get(ControlService);
      const slow = await new Client(server.url).open();
      const fast = await new Client(server.url).open();
      try {
        const sid = (await fast.request({ action: 'createsession', name: 'busy' })).session_id as string;
        await waitFor(() => control.size === 2, 'both connections');
        // Long node ids make big events: the loopback socket buffers take a few MiB before the queue grows.
        const id = (i: number) => `n${i}-${'x'.repeat(2000)}`;
        const batch = (n: number) =>
          Array.from({ length: 50 }, (_, i) =>
            n % 2 === 0
              ? { action: 'addnode', node_id: id(i), kind: 'audio::gain' }
              : { action: 'removenode', node_id: id(i) },
          );
        let n = 0;
        const timed = async (): Promise<number> => {
          const t0 = performance.now();
          const r = await fast.request({ action: 'applybatch', session_id: sid, operations: batch(n++) });
          assert.equal(r.action, 'batchapplied');
          return performance.now() - t0;
        };
        const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
        // The fast client's batch time while both clients read, then while the other one stalls.
        const reading: number[] = [];
        for (let i = 0; i < 6; i++) reading.push(await timed());
        slow.ws.pause();
        const stalled: number[] = [];
        while (control.size === 2 && n < 200) stalled.push(await timed());
        assert.equal(control.size, 1, `the stalled reader was still connected after ${n} batches`);
        assert.ok(
          median(stalled) < 3 * median(reading) + 50,
          `median batch ${median(stalled).toFixed(0)} ms with a stalled reader, ${median(reading).toFixed(0)} ms without`,
        );
        // The fast client got every structural event, in order.
        const added = () => fast.events('nodeadded').filter((e) => e.session_id === sid).length;
        await waitFor(() => added() === Math.ceil(n / 2) * 50, 'every nodeadded event');
        // Once it reads again, the slow client learns why it was closed.
        const closed = once(slow.ws, 'close');
        slow.ws.resume();
        const [code, reason] = (await closed) as [number, Buffer];
        assert.equal(code, 4008);
        assert.match(reason.toString(), /structural events pending/);
        await fast.request({ action: 'destroysession', session_id: sid });
      } finally {
        slow.close();
        fast.close();
      }
    },
  );
});
