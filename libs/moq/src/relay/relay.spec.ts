// End-to-end relay tests with real `@moq/lite` clients over the WebSocket transport on a real HTTP server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as Moq from '@moq/lite';
import {
  CATALOG_TRACK,
  HangAudioPublisher,
  TrackReader,
  decodeLegacyFrame,
  encodeLegacyFrame,
  findAudioRendition,
  opusCatalog,
  readCatalog,
} from '../hang';
import {
  connectClientTransport,
  installMoqClientEnv,
  startTestMoqServer,
  waitUntil,
  type TestMoqServer,
} from '../testing/client-env';
import { RawMoqClient } from '../testing/raw-client';
import { adaptHttp3Session } from '../transport/http3';
import { RelayLimitError } from './relay';

installMoqClientEnv({ quiet: process.env.MOQ_DEBUG === undefined });

/** A client-side publisher that writes the same frames to every subscription the relay opens. */
class TestPublisher {
  readonly broadcast = new Moq.Broadcast();
  readonly tracks: Moq.Track[] = [];
  private groups: Moq.Group[] = [];

  constructor(
    readonly conn: Moq.Connection.Established,
    name: string,
  ) {
    conn.publish(Moq.Path.from(name), this.broadcast);
    void (async () => {
      for (;;) {
        const req = await this.broadcast.requested();
        if (!req) return;
        this.tracks.push(req.track);
      }
    })();
  }

  startGroup(): void {
    for (const g of this.groups) g.close();
    this.groups = this.tracks.map((t) => t.appendGroup());
  }

  write(frame: Uint8Array): void {
    for (const g of this.groups) g.writeFrame(frame);
  }

  endGroup(): void {
    for (const g of this.groups) g.close();
    this.groups = [];
  }
}

function frame(seq: number, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(16, size));
  const view = new DataView(out.buffer);
  view.setUint32(0, seq);
  view.setFloat64(8, performance.now());
  return out;
}

/**
 * Reads `total` frames group by group (groups are separate streams, so a group may start before the previous
 * one has delivered its last frame) and returns the frame sequence numbers in group order.
 */
async function collectFrames(track: Moq.Track, total: number, latencies: number[]): Promise<number[]> {
  const groups = new Map<number, number[]>();
  let count = 0;
  let resolve!: () => void;
  const complete = new Promise<void>((r) => (resolve = r));
  const readGroup = async (group: Moq.Group): Promise<void> => {
    const seqs: number[] = [];
    groups.set(group.sequence, seqs);
    for (;;) {
      const data = await group.readFrame();
      if (!data) return;
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      seqs.push(view.getUint32(0));
      latencies.push(performance.now() - view.getFloat64(8));
      if (++count === total) resolve();
    }
  };
  void (async () => {
    for (;;) {
      const group = await track.recvGroup();
      if (!group) return;
      void readGroup(group).catch(() => undefined);
    }
  })().catch(() => undefined);
  await complete;
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, seqs]) => seqs);
}

/**
 * Lets in-flight frames (group FINs) land before a client closes: `@moq/qmux` throws an unhandled rejection
 * for stream frames that arrive after its own close.
 */
function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 100));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

describe('moq relay fan-out over both transports', () => {
  let server: TestMoqServer;
  before(async () => {
    server = await startTestMoqServer({ http3: true });
  });
  after(async () => {
    await server.close();
  });

  for (const transport of ['websocket', 'webtransport'] as const) {
    it(`fans 500 frames from one publisher out to 10 subscribers, complete and in order, over ${transport}`, async () => {
      const pubConn = await server.connect(`/moq/fanout-${transport}`, transport);
      assert.equal(pubConn.version, transport === 'websocket' ? 'moq-lite-02' : 'moq-lite-04');
      const pub = new TestPublisher(pubConn, 'synthetic');
      await waitUntil(
        () => server.moq.relay.get(`moq/fanout-${transport}/synthetic`) !== undefined,
        'the announce',
      );

      const subscribers = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const conn = await server.connect(`/moq/fanout-${transport}`, transport);
          const track = conn.consume(Moq.Path.from('synthetic')).subscribe('data', 0);
          return { conn, track };
        }),
      );
      const relayTrack = server.moq.relay.get(`moq/fanout-${transport}/synthetic`)!.track('data');
      await waitUntil(
        () => relayTrack.subscriberCount === 10 && pub.tracks.length === 1,
        'ten subscriptions',
      );

      const total = 500;
      const latencies: number[] = [];
      const received = subscribers.map(({ track }) => collectFrames(track, total, latencies));
      // Paced at about one frame per millisecond: the ten @moq/lite clients share this thread with the relay.
      for (let i = 0; i < total; i++) {
        if (i % 50 === 0) pub.startGroup();
        pub.write(frame(i, 200));
        await new Promise((r) => setTimeout(r, 1));
      }
      pub.endGroup();
      const results = await Promise.all(received);

      const expected = Array.from({ length: total }, (_, i) => i);
      for (const seqs of results) assert.deepEqual(seqs, expected);
      latencies.sort((a, b) => a - b);
      process.stdout.write(
        `# relay latency over ${transport}, 10 subscribers x ${total} frames: p50 ${percentile(latencies, 50).toFixed(3)} ms, p99 ${percentile(latencies, 99).toFixed(3)} ms\n`,
      );
      await settle();
      for (const s of subscribers) s.conn.close();
      await waitUntil(() => relayTrack.subscriberCount === 0, 'the subscribers to leave');
      await pub.tracks[0].closed;
      await settle();
      pubConn.close();
    });
  }
});

describe('moq relay with @moq/lite clients over WebSocket', () => {
  let server: TestMoqServer;
  before(async () => {
    server = await startTestMoqServer({ limits: { maxFrameBytes: 64 * 1024 } });
  });
  after(async () => {
    await server.close();
  });

  it('serves a subscriber joining mid-stream the latest group at once, then live frames', async () => {
    const broadcast = server.moq.publish('/moq/join/live');
    const track = broadcast.track('data');
    track.beginGroup(0);
    track.writeFrame(0, Uint8Array.of(1));
    track.endGroup(0);
    track.beginGroup(1);
    track.writeFrame(1, Uint8Array.of(2));
    track.writeFrame(1, Uint8Array.of(3));
    const conn = await Moq.Connection.connect(server.url('/moq/join'));
    const sub = conn.consume(Moq.Path.from('live')).subscribe('data', 0);
    const first = await sub.readFrameSequence();
    const second = await sub.readFrameSequence();
    assert.deepEqual([first?.group, first?.data[0], second?.group, second?.data[0]], [1, 2, 1, 3]);
    track.writeFrame(1, Uint8Array.of(4));
    assert.equal((await sub.readFrame())?.[0], 4);
    track.endGroup(1);
    track.beginGroup(2);
    track.writeFrame(2, Uint8Array.of(5));
    const live = await sub.readFrameSequence();
    assert.deepEqual([live?.group, live?.data[0]], [2, 5]);
    conn.close();
    broadcast.close();
  });

  it('cleans up on close: subscribers released upstream, publisher broadcasts unannounced', async () => {
    const url = server.url('/moq/cleanup');
    const pubConn = await Moq.Connection.connect(url);
    const pub = new TestPublisher(pubConn, 'cam');
    await waitUntil(() => server.moq.relay.get('moq/cleanup/cam') !== undefined, 'the announce');
    const subConn = await Moq.Connection.connect(url);
    const announced = subConn.announced(Moq.Path.from(''));
    assert.deepEqual(await announced.next(), { path: 'cam', active: true });
    const sub = subConn.consume(Moq.Path.from('cam')).subscribe('data', 0);
    await waitUntil(() => pub.tracks.length === 1, 'the upstream subscription');
    const relayTrack = server.moq.relay.get('moq/cleanup/cam')!.track('data');
    assert.equal(relayTrack.subscriberCount, 1);
    const sessionsBefore = server.moq.sessionCount;

    subConn.close();
    await waitUntil(() => relayTrack.subscriberCount === 0, 'the subscriber to be released');
    await pub.tracks[0].closed;
    await waitUntil(() => server.moq.sessionCount === sessionsBefore - 1, 'the subscriber session to end');

    const watcher = await Moq.Connection.connect(url);
    const watched = watcher.announced(Moq.Path.from(''));
    assert.deepEqual(await watched.next(), { path: 'cam', active: true });
    const watchedSub = watcher.consume(Moq.Path.from('cam')).subscribe('data', 0);
    await waitUntil(() => pub.tracks.length === 2, 'the second upstream subscription');
    pubConn.close();
    assert.deepEqual(await watched.next(), { path: 'cam', active: false });
    assert.equal(await watchedSub.readFrame().catch(() => undefined), undefined, 'the track ends');
    assert.equal(server.moq.relay.get('moq/cleanup/cam'), undefined);
    await waitUntil(() => server.moq.sessionCount === sessionsBefore - 1, 'the publisher session to end');
    watcher.close();
    await waitUntil(() => server.moq.sessionCount === sessionsBefore - 2, 'every session to end');
    void sub;
  });

  it('drops a group whose frame exceeds maxFrameBytes and keeps serving the next one', async () => {
    const url = server.url('/moq/oversize');
    const pubConn = await Moq.Connection.connect(url);
    const pub = new TestPublisher(pubConn, 'big');
    await waitUntil(() => server.moq.relay.get('moq/oversize/big') !== undefined, 'the announce');
    const raw = await RawMoqClient.connect(`ws://127.0.0.1:${server.port}/moq/oversize`);
    const got: { group: number; size: number }[] = [];
    raw.subscribe('big', 'data', (e) => got.push({ group: e.group, size: e.payload.length }));
    await waitUntil(() => pub.tracks.length === 1, 'the upstream subscription');
    const relayTrack = server.moq.relay.get('moq/oversize/big')!.track('data');
    pub.startGroup();
    pub.write(new Uint8Array(100 * 1024));
    pub.startGroup();
    pub.write(new Uint8Array(1000));
    pub.endGroup();
    await waitUntil(() => got.length === 1, 'the small frame');
    assert.deepEqual(got, [{ group: 1, size: 1000 }]);
    assert.equal(relayTrack.oversizeFrames, 1);
    raw.close();
    pubConn.close();
  });

  for (const alpn of ['moq-lite-03', 'moq-lite-04']) {
    it(`speaks ${alpn} when the WebSocket subprotocol pins it`, async () => {
      const url = server.url(`/moq/${alpn}`);
      const pubConn = await Moq.Connection.connect(url, {
        transport: (await connectClientTransport(url, alpn)) as never,
      });
      assert.equal(pubConn.version, alpn);
      const pub = new TestPublisher(pubConn, 'b');
      await waitUntil(() => server.moq.relay.get(`moq/${alpn}/b`) !== undefined, 'the announce');
      const subConn = await Moq.Connection.connect(url, {
        transport: (await connectClientTransport(url, alpn)) as never,
      });
      const sub = subConn.consume(Moq.Path.from('b')).subscribe('data', 0);
      await waitUntil(() => pub.tracks.length === 1, 'the upstream subscription');
      pub.startGroup();
      pub.write(Uint8Array.of(9, 9));
      assert.deepEqual([...((await sub.readFrame()) ?? [])], [9, 9]);
      subConn.close();
      pubConn.close();
    });
  }

  it('publishes in-process in the hang format (catalog.json + Opus frames) to a @moq/lite client', async () => {
    const route = server.moq.registerPeerRoute('/moq/peer');
    assert.throws(() => server.moq.registerPeerRoute('moq/peer/'), /already registered/);
    const hang = new HangAudioPublisher(server.moq.publish(route.broadcastPath('output')), {
      channels: 1,
      bitrate: 64000,
      groupDurationMs: 40,
    });
    const conn = await Moq.Connection.connect(server.url('/moq/peer/output'));
    const broadcast = conn.consume(Moq.Path.from('output'));
    const catalog = await broadcast.subscribe(CATALOG_TRACK, 100).readJson();
    assert.deepEqual(catalog, opusCatalog({ channels: 1, bitrate: 64000 }));
    const audio = broadcast.subscribe('audio/data', 80);
    await waitUntil(
      () => server.moq.relay.get('moq/peer/output')!.track('audio/data').subscriberCount === 1,
      'sub',
    );
    for (let i = 0; i < 4; i++) {
      hang.writePacket(Uint8Array.of(0xf8, i), 20_000);
      // Real packets come 20 ms apart; a burst would let the client see group 1 before group 0 is read.
      await new Promise((r) => setTimeout(r, 5));
    }
    const frames = [];
    for (let i = 0; i < 4; i++) frames.push(await audio.readFrameSequence());
    assert.deepEqual(
      frames.map((f) => [f?.group, decodeLegacyFrame(f!.data).timestampUs, f?.data.at(-1)]),
      [
        [0, 0, 0],
        [0, 20000, 1],
        [1, 40000, 2],
        [1, 60000, 3],
      ],
    );
    hang.close();
    await settle();
    conn.close();
    route.unregister();
  });

  it('lets the server consume a broadcast a client publishes at <base>/input, without a socket', async () => {
    const route = server.moq.registerPeerRoute('/moq/room');
    assert.deepEqual(server.moq.resolve('/moq/room/input'), {
      root: 'moq/room',
      canPublish: true,
      canSubscribe: false,
      registered: true,
    });
    const waiting = server.moq.relay.waitFor(route.broadcastPath('input'));
    const conn = await Moq.Connection.connect(server.url('/moq/room/input'));
    const broadcast = new Moq.Broadcast();
    conn.publish(Moq.Path.from('input'), broadcast);
    void (async () => {
      for (;;) {
        const req = await broadcast.requested();
        if (!req) return;
        if (req.track.name === CATALOG_TRACK)
          req.track.writeJson(opusCatalog({ channels: 2, bitrate: 96000 }));
        else {
          const g = req.track.appendGroup();
          for (let i = 0; i < 3; i++) g.writeFrame(encodeLegacyFrame(i * 20_000, Uint8Array.of(0xfc, i)));
        }
      }
    })();
    const relayBroadcast = await waiting;
    const catalog = await readCatalog(relayBroadcast, 5000);
    const rendition = findAudioRendition(catalog);
    assert.deepEqual(rendition?.track, 'audio/data');
    assert.equal(rendition?.rendition.numberOfChannels, 2);
    const reader = new TrackReader(relayBroadcast, rendition!.track);
    const got = [];
    for (let i = 0; i < 3; i++) {
      const f = await reader.next();
      const { timestampUs, payload } = decodeLegacyFrame(f!.payload);
      got.push([timestampUs, payload[1]]);
    }
    assert.deepEqual(got, [
      [0, 0],
      [20000, 1],
      [40000, 2],
    ]);
    conn.close();
    assert.equal(await reader.next(), undefined, 'the reader ends when the publisher leaves');
    route.unregister();
  });
});

describe('moq relay limits', () => {
  let server: TestMoqServer;
  before(async () => {
    server = await startTestMoqServer({
      limits: { maxBroadcasts: 2, maxSubscribersPerTrack: 2 },
      maxSessions: 4,
    });
  });
  after(async () => {
    await server.close();
  });

  it('refuses broadcasts, subscribers and sessions above the limits with named errors', async () => {
    const a = server.moq.publish('moq/lim/a');
    assert.throws(
      () => server.moq.publish('moq/lim/a'),
      (e: RelayLimitError) => e.limit === 'duplicate_broadcast',
    );
    server.moq.publish('moq/lim/b');
    assert.throws(
      () => server.moq.publish('moq/lim/c'),
      (e: RelayLimitError) => e.limit === 'maxBroadcasts' && /limit maxBroadcasts/.test(e.message),
    );

    const clients = await Promise.all(
      [0, 1, 2].map(() => RawMoqClient.connect(`ws://127.0.0.1:${server.port}/moq/lim`)),
    );
    for (const c of clients) c.subscribe('a', 'data', () => undefined);
    const track = a.track('data');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(track.subscriberCount, 2, 'the third subscription is refused');

    const fourth = await RawMoqClient.connect(`ws://127.0.0.1:${server.port}/moq/lim`);
    await waitUntil(() => server.moq.sessionCount === 4, 'four sessions');
    await assert.rejects(
      RawMoqClient.connect(`ws://127.0.0.1:${server.port}/moq/lim`),
      /closed before SETUP/,
    );
    assert.equal(server.moq.sessionCount, 4);
    for (const c of [...clients, fourth]) c.close();
    await waitUntil(() => server.moq.sessionCount === 0, 'sessions to end');
  });
});

describe('moq relay through the HTTP/3 session adapter (generic WHATWG stream path)', () => {
  let server: TestMoqServer;
  before(async () => {
    server = await startTestMoqServer({
      wrapTransport: (t) => adaptHttp3Session(t, t.protocol),
    });
  });
  after(async () => {
    await server.close();
  });

  it('relays frames between @moq/lite clients', async () => {
    const url = server.url('/moq/h3');
    const pubConn = await Moq.Connection.connect(url);
    const pub = new TestPublisher(pubConn, 'x');
    await waitUntil(() => server.moq.relay.get('moq/h3/x') !== undefined, 'the announce');
    const subs = await Promise.all(
      [0, 1, 2].map(async () =>
        (await Moq.Connection.connect(url)).consume(Moq.Path.from('x')).subscribe('data', 0),
      ),
    );
    await waitUntil(
      () => pub.tracks.length === 1 && server.moq.relay.get('moq/h3/x')!.track('data').subscriberCount === 3,
      'subscriptions',
    );
    const latencies: number[] = [];
    const received = subs.map((t) => collectFrames(t, 100, latencies));
    for (let i = 0; i < 100; i++) {
      if (i % 25 === 0) pub.startGroup();
      pub.write(frame(i, 64));
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 1));
    }
    pub.endGroup();
    for (const seqs of await Promise.all(received))
      assert.deepEqual(
        seqs,
        Array.from({ length: 100 }, (_, i) => i),
      );
    pubConn.close();
  });
});
