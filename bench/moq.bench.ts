// MoQ relay benchmark: a `@moq/lite` publisher sends synthetic frames through the relay to 1, 10 and 100
// subscribers, over the WebSocket transport and over HTTP/3 WebTransport (quiche); prints latency (paced
// phase), delivered frames/s (saturation phase) and the relay thread's CPU per Mbit/s delivered, next to a
// plain `ws` broadcast server doing the same fan-out in the same run (the reference). The relay runs alone on
// the main thread (its CPU is the main thread's event-loop utilisation, which includes quiche's synchronous
// work); publisher and subscribers run in a worker so they do not steal its event loop.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as Moq from '@moq/lite';
import { WebSocket, WebSocketServer } from 'ws';
import {
  MoqServer,
  attachMoqWebSocket,
  connectWebTransport,
  generateSelfSignedCertificate,
  startHttp3Server,
} from '../libs/moq/src';
import { StreamType, Version, encodeSubscribe } from '../libs/moq/src/protocol/messages';
import { StreamReader } from '../libs/moq/src/protocol/stream-reader';
import { encodeVarint } from '../libs/moq/src/protocol/varint';
import type { Http3WebTransportSession } from '../libs/moq/src/transport/h3/webtransport';
import { installMoqClientEnv } from '../libs/moq/src/testing/client-env';
import { RawMoqClient } from '../libs/moq/src/testing/raw-client';

const FRAME_BYTES = 200;
const PACED_FRAMES = 600;
const GROUP_FRAMES = 50;
const SUBSCRIBER_COUNTS = [1, 10, 100];

interface Result {
  p50: number;
  p99: number;
  /** Frames delivered to all subscribers per second at saturation. */
  fps: number;
  /** Frames published per second at saturation. */
  publishFps: number;
  delivered: number;
  expected: number;
}

/** The relay over WebSocket, the relay over HTTP/3 WebTransport, the plain `ws` reference. */
type Target = 'ws' | 'h3' | 'ref';

type ToWorker =
  | {
      type: 'start';
      target: Target;
      port: number;
      /** UDP port and certificate hash of the HTTP/3 server. */
      h3Port: number;
      fingerprint: string;
      subscribers: number;
      saturationFrames: number;
      /** Milliseconds between paced frames: the latency phase must not saturate the fan-out. */
      paceMs: number;
    }
  | { type: 'subscribe' }
  | { type: 'go' };
type FromWorker = { type: 'published' } | { type: 'subscribed' } | { type: 'result'; result: Result };

function stamp(buf: Uint8Array, seq: number): Uint8Array {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint32(0, seq);
  view.setFloat64(8, performance.now());
  return buf;
}

/** About 10,000 deliveries per second in the latency phase, whatever the fan-out. */
function paceFor(subscribers: number): number {
  return Math.max(1, Math.round(subscribers / 10));
}

function pct(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * A lean moq-lite-04 subscriber over HTTP/3 WebTransport (the counterpart of RawMoqClient): one SUBSCRIBE on a
 * bidirectional stream, then group streams read with the relay's own StreamReader.
 */
class RawH3Subscriber {
  private nextId = 0;

  private constructor(private readonly session: Http3WebTransportSession) {}

  static async connect(url: string, fingerprint: string): Promise<RawH3Subscriber> {
    const session = await connectWebTransport(url, {
      certificateHashes: [fingerprint],
      protocols: ['moq-lite-04'],
    });
    return new RawH3Subscriber(session);
  }

  subscribe(broadcast: string, track: string, onFrame: (payload: Uint8Array) => void): void {
    const { send, readable } = this.session.openBidiSend();
    send.write(encodeVarint(StreamType.Subscribe));
    send.write(
      encodeSubscribe(
        { id: this.nextId++, broadcast, track, priority: 0, ordered: true, maxLatency: 0 },
        Version.LITE_04,
      ),
    );
    void readable.pipeTo(new WritableStream()).catch(() => undefined); // SUBSCRIBE_OK, then nothing
    void (async () => {
      const groups = this.session.incomingUnidirectionalStreams.getReader();
      for (;;) {
        const next = await groups.read().catch(() => ({ done: true as const, value: undefined }));
        if (next.done) return;
        void (async () => {
          const r = new StreamReader(next.value);
          await r.u8(); // group stream type
          await r.message(); // GROUP header
          for (let f = await r.messageOrEnd(); f; f = await r.messageOrEnd()) onFrame(f);
        })().catch(() => undefined);
      }
    })();
  }

  close(): void {
    this.session.close();
  }
}

// ---------------------------------------------------------------- worker: publisher + subscribers

async function workerMain(): Promise<void> {
  const port = parentPort!;
  installMoqClientEnv();
  const inbox: ToWorker[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (m: ToWorker) => {
    inbox.push(m);
    wake?.();
  });
  const next = async (): Promise<ToWorker> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    return inbox.shift()!;
  };
  const send = (m: FromWorker): void => port.postMessage(m);

  for (;;) {
    const start = await next();
    if (start.type !== 'start') continue;
    const total = PACED_FRAMES + start.saturationFrames;
    const latencies = new Float64Array(PACED_FRAMES * start.subscribers);
    let latencyCount = 0;
    let delivered = 0;
    let lastDelivery = 0;
    const onFrame = (payload: Uint8Array): void => {
      const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
      const seq = view.getUint32(0);
      const now = performance.now();
      if (seq < PACED_FRAMES) latencies[latencyCount++] = now - view.getFloat64(8);
      delivered++;
      lastDelivery = now;
    };

    let publish: (frame: Uint8Array, seq: number) => void;
    let finish: () => void;
    const closers: (() => void)[] = [];
    if (start.target !== 'ref') {
      const h3 = start.target === 'h3';
      const conn = h3
        ? await Moq.Connection.connect(new URL(`https://127.0.0.1:${start.h3Port}/moq/bench`), {
            transport: await connectWebTransport(`https://127.0.0.1:${start.h3Port}/moq/bench`, {
              certificateHashes: [start.fingerprint],
              protocols: ['moq-lite-04'],
            }),
          } as unknown as Parameters<typeof Moq.Connection.connect>[1])
        : await Moq.Connection.connect(new URL(`http://127.0.0.1:${start.port}/moq/bench`));
      const broadcast = new Moq.Broadcast();
      conn.publish(Moq.Path.from('b'), broadcast);
      const tracks: Moq.Track[] = [];
      void (async () => {
        for (;;) {
          const req = await broadcast.requested();
          if (!req) return;
          tracks.push(req.track);
        }
      })();
      send({ type: 'published' });
      await next();
      const subs: { subscribe: RawH3Subscriber['subscribe']; close(): void }[] = [];
      // Connected a few at a time: 100 QUIC handshakes at once would mostly measure the retry path.
      for (let i = 0; i < start.subscribers; i += 10) {
        const batch = Math.min(10, start.subscribers - i);
        subs.push(
          ...(await Promise.all(
            Array.from({ length: batch }, async () => {
              if (h3)
                return RawH3Subscriber.connect(
                  `https://127.0.0.1:${start.h3Port}/moq/bench`,
                  start.fingerprint,
                );
              const c = await RawMoqClient.connect(`ws://127.0.0.1:${start.port}/moq/bench`);
              return {
                subscribe: (b: string, t: string, on: (p: Uint8Array) => void) =>
                  c.subscribe(b, t, (e) => on(e.payload)),
                close: () => c.close(),
              };
            }),
          )),
        );
      }
      for (const s of subs) s.subscribe('b', 'data', onFrame);
      send({ type: 'subscribed' });
      let group: Moq.Group | undefined;
      publish = (frame, seq) => {
        if (seq % GROUP_FRAMES === 0) {
          group?.close();
          group = tracks[0].appendGroup();
        }
        group!.writeFrame(frame);
      };
      finish = () => group?.close();
      closers.push(
        () => subs.forEach((s) => s.close()),
        () => conn.close(),
      );
    } else {
      const url = `ws://127.0.0.1:${start.port}/raw`;
      const open = (ws: WebSocket): Promise<void> => new Promise((r) => ws.once('open', () => r()));
      const pubWs = new WebSocket(url);
      await open(pubWs);
      send({ type: 'published' });
      await next();
      const subs = Array.from({ length: start.subscribers }, () => {
        const ws = new WebSocket(`${url}?sub`);
        ws.on('message', (d: Buffer) => onFrame(d));
        return ws;
      });
      await Promise.all(subs.map(open));
      send({ type: 'subscribed' });
      publish = (frame) => pubWs.send(frame);
      finish = () => undefined;
      closers.push(
        () => subs.forEach((s) => s.close()),
        () => pubWs.close(),
      );
    }
    await next();

    // Paced phase, for latency.
    for (let i = 0; i < PACED_FRAMES; i++) {
      publish(stamp(new Uint8Array(FRAME_BYTES), i), i);
      await new Promise((r) => setTimeout(r, start.paceMs));
    }
    // Saturation phase: batches of 50 frames per event-loop turn, for throughput.
    const satStart = performance.now();
    for (let i = PACED_FRAMES; i < total; i++) {
      publish(stamp(new Uint8Array(FRAME_BYTES), i), i);
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    const published = performance.now();
    finish();
    const expected = total * start.subscribers;
    const deadline = performance.now() + 20_000;
    while (delivered < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const satDelivered = delivered - PACED_FRAMES * start.subscribers;
    const sorted = latencies.slice(0, latencyCount).sort();
    send({
      type: 'result',
      result: {
        p50: pct(sorted, 50),
        p99: pct(sorted, 99),
        fps: satDelivered / ((Math.max(lastDelivery, published) - satStart) / 1000),
        publishFps: start.saturationFrames / ((published - satStart) / 1000),
        delivered,
        expected,
      },
    });
    for (const c of closers) c();
  }
}

// ---------------------------------------------------------------- main: the servers under test

async function mainThread(): Promise<void> {
  const moq = new MoqServer();
  const http = createServer((_req, res) => res.writeHead(404).end());
  const attachment = attachMoqWebSocket(http, moq, { pathPrefix: '/moq' });
  // Reference: plain ws fan-out, each message from the publisher re-sent to every subscriber.
  const rawWss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const rawSubs = new Set<WebSocket>();
  http.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/raw')) return;
    rawWss.handleUpgrade(req, socket, head, (ws) => {
      if (req.url?.endsWith('?sub')) {
        rawSubs.add(ws);
        ws.on('close', () => rawSubs.delete(ws));
      } else ws.on('message', (d: Buffer) => rawSubs.forEach((s) => s.send(d)));
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  const cert = await generateSelfSignedCertificate();
  const h3 = await startHttp3Server({
    host: '127.0.0.1',
    port: 0,
    cert: cert.cert,
    key: cert.key,
    implementation: 'quiche',
    onSession: (session, path) => void moq.acceptSession(session, path, { transport: 'webtransport' }),
  });

  const worker = new Worker(__filename, { workerData: { role: 'clients' } });
  const inbox: FromWorker[] = [];
  let wake: (() => void) | undefined;
  worker.on('message', (m: FromWorker) => {
    inbox.push(m);
    wake?.();
  });
  const next = async (): Promise<FromWorker> => {
    while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
    return inbox.shift()!;
  };
  const until = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise((r) => setTimeout(r, 5));
  };

  const run = async (target: Target, subscribers: number): Promise<Result & { cpuPerMbps: number }> => {
    const saturationFrames = subscribers >= 100 ? 1000 : 4000;
    const paceMs = paceFor(subscribers);
    worker.postMessage({
      type: 'start',
      target,
      port,
      h3Port: h3.port,
      fingerprint: cert.fingerprint,
      subscribers,
      saturationFrames,
      paceMs,
    } satisfies ToWorker);
    await next();
    if (target !== 'ref') await until(() => moq.relay.get('moq/bench/b') !== undefined);
    worker.postMessage({ type: 'subscribe' } satisfies ToWorker);
    await next();
    if (target !== 'ref')
      await until(() => moq.relay.get('moq/bench/b')?.track('data').subscriberCount === subscribers);
    else await until(() => rawSubs.size === subscribers);
    await new Promise((r) => setTimeout(r, 100));
    const elu0 = performance.eventLoopUtilization();
    worker.postMessage({ type: 'go' } satisfies ToWorker);
    const msg = await next();
    const elu = performance.eventLoopUtilization(elu0);
    if (msg.type !== 'result') throw new Error('unexpected worker message');
    await until(() => moq.sessionCount === 0 && rawSubs.size === 0);
    // % of one core busy per Mbit/s of payload delivered = (active / elapsed * 100) / (Mbit / elapsed s).
    const mbit = (msg.result.delivered * FRAME_BYTES * 8) / 1e6;
    return { ...msg.result, cpuPerMbps: (elu.active * 0.1) / Math.max(mbit, 1e-9) };
  };

  const fmt = (r: Result & { cpuPerMbps: number }): string =>
    `p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  ${Math.round(r.fps)} frames/s delivered` +
    ` (${Math.round(r.publishFps)} published/s)  ${r.delivered}/${r.expected} frames` +
    `  CPU ${r.cpuPerMbps.toFixed(2)} %/Mbit/s`;
  console.log(
    `MoQ relay fan-out, ${FRAME_BYTES}-byte frames, groups of ${GROUP_FRAMES}; latency over ${PACED_FRAMES} frames ` +
      `paced at ${SUBSCRIBER_COUNTS.map((n) => `${paceFor(n)} ms (${n})`).join(', ')}; throughput at saturation`,
  );
  console.log('reference figure (measurements doc): median 0.4-1 ms for small frames through a Node relay');
  console.log('CPU: the relay thread, in % of one core per Mbit/s of frame payload delivered');
  const figures: string[] = [];
  const labels: Record<Target, string> = {
    ws: 'moq relay, WebSocket:   ',
    h3: 'moq relay, HTTP/3 WT:   ',
    ref: 'plain ws (reference):   ',
  };
  for (const n of SUBSCRIBER_COUNTS) {
    for (const target of ['ws', 'h3', 'ref'] as const) {
      const r = await run(target, n);
      console.log(`  ${String(n).padStart(3)} subscribers  ${labels[target]}${fmt(r)}`);
      figures.push(
        `${target}_p50_ms_${n}=${r.p50.toFixed(3)}`,
        `${target}_p99_ms_${n}=${r.p99.toFixed(3)}`,
        `${target}_fps_${n}=${Math.round(r.fps)}`,
        `${target}_cpu_pct_per_mbps_${n}=${r.cpuPerMbps.toFixed(3)}`,
      );
      if (target !== 'ref') figures.push(`${target}_lost_${n}=${r.expected - r.delivered}`);
    }
  }
  await worker.terminate();
  h3.close();
  attachment.close();
  rawWss.close();
  moq.close();
  http.closeAllConnections();
  http.close();
  console.log(`BENCH moq ${figures.join(' ')}`);
}

if (isMainThread) {
  mainThread().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else if ((workerData as { role?: string } | undefined)?.role === 'clients') {
  void workerMain();
}
