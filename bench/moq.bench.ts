// MoQ relay benchmark: a `@moq/lite` publisher sends synthetic frames through the relay (WebSocket transport)
// to 1, 10 and 100 subscribers; prints latency (paced phase) and delivered frames/s (saturation phase) next to
// a plain `ws` broadcast server doing the same fan-out in the same run. The relay runs alone on the main
// thread; publisher and subscribers run in a worker so they do not steal its event loop.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as Moq from '@moq/lite';
import { WebSocket, WebSocketServer } from 'ws';
import { MoqServer, attachMoqWebSocket } from '../libs/moq/src';
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

type ToWorker =
  | {
      type: 'start';
      target: 'moq' | 'ws';
      port: number;
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
    if (start.target === 'moq') {
      const url = new URL(`http://127.0.0.1:${start.port}/moq/bench`);
      const conn = await Moq.Connection.connect(url);
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
      const subs = await Promise.all(
        Array.from({ length: start.subscribers }, () =>
          RawMoqClient.connect(`ws://127.0.0.1:${start.port}/moq/bench`),
        ),
      );
      for (const s of subs) s.subscribe('b', 'data', (e) => onFrame(e.payload));
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

  const run = async (target: 'moq' | 'ws', subscribers: number): Promise<Result> => {
    const saturationFrames = subscribers >= 100 ? 1000 : 4000;
    const paceMs = paceFor(subscribers);
    worker.postMessage({
      type: 'start',
      target,
      port,
      subscribers,
      saturationFrames,
      paceMs,
    } satisfies ToWorker);
    await next();
    if (target === 'moq') await until(() => moq.relay.get('moq/bench/b') !== undefined);
    worker.postMessage({ type: 'subscribe' } satisfies ToWorker);
    await next();
    if (target === 'moq')
      await until(() => moq.relay.get('moq/bench/b')?.track('data').subscriberCount === subscribers);
    else await until(() => rawSubs.size === subscribers);
    await new Promise((r) => setTimeout(r, 100));
    worker.postMessage({ type: 'go' } satisfies ToWorker);
    const msg = await next();
    if (msg.type !== 'result') throw new Error('unexpected worker message');
    await until(() => moq.sessionCount === 0 && rawSubs.size === 0);
    return msg.result;
  };

  const fmt = (r: Result): string =>
    `p50 ${r.p50.toFixed(3)} ms  p99 ${r.p99.toFixed(3)} ms  ${Math.round(r.fps)} frames/s delivered` +
    ` (${Math.round(r.publishFps)} published/s)  ${r.delivered}/${r.expected} frames`;
  console.log(
    `MoQ relay fan-out, ${FRAME_BYTES}-byte frames, groups of ${GROUP_FRAMES}; latency over ${PACED_FRAMES} frames ` +
      `paced at ${SUBSCRIBER_COUNTS.map((n) => `${paceFor(n)} ms (${n})`).join(', ')}; throughput at saturation`,
  );
  console.log('reference figure (measurements doc): median 0.4-1 ms for small frames through a Node relay');
  const figures: string[] = [];
  for (const n of SUBSCRIBER_COUNTS) {
    const m = await run('moq', n);
    const w = await run('ws', n);
    console.log(`  ${String(n).padStart(3)} subscribers  moq relay: ${fmt(m)}`);
    console.log(`  ${String(n).padStart(3)} subscribers  plain ws:  ${fmt(w)}`);
    figures.push(
      `subs${n}_p50_ms=${m.p50.toFixed(3)}`,
      `subs${n}_p99_ms=${m.p99.toFixed(3)}`,
      `subs${n}_fps=${Math.round(m.fps)}`,
      `subs${n}_lost=${m.expected - m.delivered}`,
      `ws_subs${n}_p50_ms=${w.p50.toFixed(3)}`,
      `ws_subs${n}_fps=${Math.round(w.fps)}`,
    );
  }
  await worker.terminate();
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
