// The HTTP/3 fuzzer of `http3.fuzz.spec.ts`, run in a worker thread so its own work (generating cases, the
// client side of QUIC) does not share the server's event loop that /healthz is timed on. Each fast-check case
// is PARALLEL connections at once, each a batch of random, truncated or mutated HTTP/3 traffic: control
// streams with odd SETTINGS and frames, request streams whose HEADERS carry broken QPACK, QPACK and unknown
// unidirectional streams, WebTransport CONNECT streams carrying capsules, WebTransport streams with moq-lite
// noise, and datagrams. A batch ends with a plain GET whose 404 (or the server closing the connection) says
// the server read it. A connection the server closes with INTERNAL_ERROR (an exception our HTTP/3 layer did
// not expect) fails the property.
import assert from 'node:assert/strict';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import {
  encodeCloseCapsule,
  encodeFrame,
  encodeSettings,
  encodeVarintBytes,
  FrameType,
} from '@streamkit/moq/transport/h3/frames';
import { encodeFieldSection, type HeaderField } from '@streamkit/moq/transport/h3/qpack';
import { connectQuic } from '@streamkit/moq/transport/quic/client';
import type { QuicConnection } from '@streamkit/moq/transport/quic/connection';
import { damaged, fuzzParams, longFuzz } from '@streamkit/pipeline/testing/fuzz';

const PARALLEL = 2;
const INTERNAL_ERROR = 0x102;

// ---------------------------------------------------------------- what one connection sends

/** Bytes on one stream (or one datagram); `frames` counts the HTTP/3 frames, capsules or prefixes in it. */
interface Op {
  on: 'uni' | 'bidi' | 'dgram';
  /** Resolved when sent: the stream id of the latest CONNECT goes in front (WebTransport session id). */
  sessionPrefix?: number;
  /** The first bidi stream of the op is remembered as the CONNECT stream. */
  isConnect?: boolean;
  bytes: Uint8Array;
  fin: boolean;
  frames: number;
}

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** A QUIC varint of up to 62 bits as bytes (values past 2^53 as raw 8-byte forms). */
const anyVarint: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.nat({ max: 2 ** 30 }).map((v) => encodeVarintBytes([v])),
  fc.nat({ max: Number.MAX_SAFE_INTEGER }).map((v) => encodeVarintBytes([v])),
  fc.constantFrom(
    Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    Uint8Array.from([0xc0, 0x04, 0, 0, 0, 0, 0, 0]),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 8 }),
);

const grease = fc.nat({ max: 100_000 }).map((n) => 0x1f * n + 0x21);
const frameType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0d) },
  { weight: 1, arbitrary: fc.constantFrom(0x2843, 0x78ae) },
  { weight: 1, arbitrary: grease },
  { weight: 1, arbitrary: fc.nat({ max: 2 ** 30 }) },
);

/** One frame: type + length + payload, or a frame whose length claims more than follows. */
const randomFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.tuple(frameType, fc.uint8Array({ maxLength: 48 })).map(([t, p]) => encodeFrame(t, p)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(frameType, anyVarint, fc.uint8Array({ maxLength: 16 }))
      .map(([t, len, tail]) => concat([encodeVarintBytes([t]), len, tail])),
  },
);

const settingId = fc.oneof(
  fc.constantFrom(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x33, 0xffd277, 0x2b603742, 0xc671706a),
  grease,
  fc.nat({ max: 2 ** 40 }),
);
/** A SETTINGS frame: odd ids, duplicates, 62-bit values, too many, a truncated payload. */
const settingsFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .array(fc.tuple(settingId, fc.nat({ max: Number.MAX_SAFE_INTEGER })), { maxLength: 70 })
    .map((pairs) => encodeSettings(new Map(pairs))),
  fc
    .array(fc.tuple(settingId, anyVarint), { maxLength: 12 })
    .map((pairs) =>
      encodeFrame(FrameType.SETTINGS, concat(pairs.flatMap(([id, v]) => [encodeVarintBytes([id]), v]))),
    ),
  fc.constant(encodeSettings(new Map([[0x08, 1]]))).chain((valid) => damaged(valid)),
);

const AUTHORITY = '127.0.0.1';
const connectFields = (path: string): HeaderField[] => [
  { name: ':method', value: 'CONNECT' },
  { name: ':protocol', value: 'webtransport' },
  { name: ':scheme', value: 'https' },
  { name: ':authority', value: AUTHORITY },
  { name: ':path', value: path },
  { name: 'sec-webtransport-http3-draft02', value: '1' },
  { name: 'wt-available-protocols', value: '"moq-lite-04", "moq-lite-03"' },
];

const headerName = fc.oneof(
  fc.constantFrom(
    ':method',
    ':path',
    ':protocol',
    ':scheme',
    ':authority',
    'origin',
    'Upper',
    ':status',
    'x',
  ),
  fc.string({ maxLength: 12 }),
);
/** A field section: valid requests (CONNECT, GET) damaged or not, odd field lists, oversized values, noise. */
const fieldSection: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.constantFrom('/moq/fuzz', '/', '/moq/../x', ''), fc.boolean()).chain(([path, huffman]) => {
    const valid = encodeFieldSection(connectFields(path), { huffman });
    return fc.oneof(fc.constant(valid), damaged(valid));
  }),
  fc
    .array(fc.record({ name: headerName, value: fc.string({ maxLength: 40 }) }), { maxLength: 80 })
    .chain((fields) => fc.boolean().map((huffman) => encodeFieldSection(fields, { huffman }))),
  fc
    .nat({ max: 20_000 })
    .map((n) => encodeFieldSection([...connectFields('/moq/fuzz'), { name: 'x-big', value: 'a'.repeat(n) }])),
  fc.uint8Array({ maxLength: 96 }),
);

/** A capsule: CLOSE (short, long, bad UTF-8), DRAIN, GREASE or unknown, or one whose length lies. */
const capsule: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .tuple(fc.nat({ max: 0xffffffff }), fc.string({ maxLength: 40 }))
    .map(([c, r]) => encodeCloseCapsule(c, r)),
  fc.uint8Array({ maxLength: 3 }).map((p) => encodeFrame(0x2843, p)),
  fc.uint8Array({ maxLength: 32 }).map((p) => encodeFrame(0x78ae, p)),
  fc
    .tuple(fc.oneof(grease, fc.nat({ max: 2 ** 30 })), fc.uint8Array({ maxLength: 48 }))
    .map(([t, p]) => encodeFrame(t, p)),
  fc.tuple(anyVarint, anyVarint, fc.uint8Array({ maxLength: 8 })).map((parts) => concat(parts)),
);

/** moq-lite-ish noise for WebTransport streams: SETUP-like, size-prefixed garbage, raw bytes. */
const moqNoise: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .tuple(fc.constantFrom(0x00, 0x01, 0x02, 0x20), anyVarint, fc.uint8Array({ maxLength: 32 }))
    .map(([t, len, rest]) => concat([Uint8Array.of(t), len, rest])),
);

const op = (on: Op['on'], bytes: Uint8Array, fin: boolean, frames: number, extra: Partial<Op> = {}): Op => ({
  on,
  bytes,
  fin,
  frames,
  ...extra,
});

/** True one time in eight (a FIN on a critical stream ends the connection: not too often). */
const rarely = fc.nat({ max: 7 }).map((n) => n === 0);

/** One unit of attack: the streams and datagrams it sends. */
const unit: fc.Arbitrary<Op[]> = fc.oneof(
  // The control stream: SETTINGS (odd), then frames of any kind; maybe closed (a critical stream).
  fc
    .tuple(settingsFrame, fc.array(randomFrame, { maxLength: 8 }), rarely, fc.boolean())
    .chain(([settings, frames, fin, cut]) => {
      const bytes = concat([Uint8Array.of(0x00), settings, ...frames]);
      return (cut ? damaged(bytes) : fc.constant(bytes)).map((b) => [op('uni', b, fin, 2 + frames.length)]);
    }),
  // Other unidirectional streams: QPACK encoder/decoder bytes, push, WebTransport, GREASE, truncated types.
  fc
    .tuple(
      fc.oneof(fc.constantFrom(0x01, 0x02, 0x03, 0x54), grease, fc.nat({ max: 2 ** 30 })),
      fc.uint8Array({ maxLength: 32 }),
      fc.boolean(),
    )
    .map(([type, rest, fin]) => [op('uni', concat([encodeVarintBytes([type]), rest]), fin, 1)]),
  fc.uint8Array({ minLength: 1, maxLength: 1 }).map((b) => [op('uni', Uint8Array.of(b[0] | 0xc0), true, 1)]),
  // A request stream: frames before HEADERS, HEADERS with a broken field section, frames after.
  fc
    .tuple(
      fc.array(randomFrame, { maxLength: 3 }),
      fieldSection,
      fc.array(randomFrame, { maxLength: 4 }),
      fc.boolean(),
      fc.boolean(),
    )
    .chain(([beforeFrames, section, afterFrames, fin, cut]) => {
      const bytes = concat([...beforeFrames, encodeFrame(FrameType.HEADERS, section), ...afterFrames]);
      const frames = beforeFrames.length + 1 + afterFrames.length;
      return (cut ? damaged(bytes) : fc.constant(bytes)).map((b) => [op('bidi', b, fin, frames)]);
    }),
  // A WebTransport CONNECT, then capsules on its stream (DATA-framed or bare), WebTransport streams for
  // this session or another, and datagrams.
  fc
    .record({
      capsules: fc.array(capsule, { maxLength: 6 }),
      framed: fc.boolean(),
      fin: fc.boolean(),
      streams: fc.array(
        fc.record({
          bidi: fc.boolean(),
          ours: fc.boolean(),
          other: fc.nat({ max: 2 ** 20 }),
          body: moqNoise,
          fin: fc.boolean(),
        }),
        { maxLength: 4 },
      ),
      datagrams: fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 64 })), { maxLength: 4 }),
    })
    .map(({ capsules, framed, fin, streams, datagrams }) => {
      const head = encodeFrame(
        FrameType.HEADERS,
        encodeFieldSection(connectFields('/moq/fuzz'), { huffman: true }),
      );
      const body = framed ? capsules.map((c) => encodeFrame(FrameType.DATA, c)) : capsules;
      const ops: Op[] = [op('bidi', concat([head, ...body]), fin, 1 + capsules.length, { isConnect: true })];
      for (const s of streams) {
        const type = encodeVarintBytes([s.bidi ? 0x41 : 0x54]);
        ops.push(
          s.ours
            ? op(s.bidi ? 'bidi' : 'uni', s.body, s.fin, 1, {
                sessionPrefix: -1,
                bytes: concat([type, s.body]),
              })
            : op(s.bidi ? 'bidi' : 'uni', concat([type, encodeVarintBytes([s.other]), s.body]), s.fin, 1),
        );
      }
      for (const [ours, payload] of datagrams)
        ops.push(
          ours ? op('dgram', payload, false, 1, { sessionPrefix: -1 }) : op('dgram', payload, false, 1),
        );
      return ops;
    }),
  // Bare datagrams.
  fc.uint8Array({ maxLength: 80 }).map((d) => [op('dgram', d, false, 1)]),
);

/** A connection's batch: units until about `target` frames. */
const batch: fc.Arbitrary<Op[]> = fc
  .array(unit, { minLength: 6, maxLength: 24 })
  .map((units) => units.flat());

// ---------------------------------------------------------------- sending a batch

interface BatchResult {
  frames: number;
  /** The server's close, if it closed the connection. */
  closed?: string;
}

async function sendBatch(port: number, fingerprint: string, ops: Op[]): Promise<BatchResult> {
  const conn: QuicConnection = await connectQuic({
    host: '127.0.0.1',
    port,
    alpn: ['h3'],
    certificateHashes: [fingerprint],
    idleTimeoutMs: 5000,
  });
  let closed: string | undefined;
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  let sentinel = -1;
  conn.handler = {
    onEstablished: () => undefined,
    onStreamReadable: (id) => {
      try {
        while (conn.read(id) !== null);
      } catch {
        // Reset by the server.
      }
      if (id === sentinel) settle();
    },
    onClosed: (reason) => {
      closed = reason;
      settle();
    },
  };
  let frames = 0;
  let nextBidi = 0;
  let session = 0;
  for (const o of ops) {
    if (closed) break;
    frames += o.frames;
    if (o.on === 'dgram') {
      const prefix = o.sessionPrefix !== undefined ? encodeVarintBytes([session / 4]) : new Uint8Array(0);
      conn.sendDatagram(concat([prefix, o.bytes]));
      continue;
    }
    const s = o.on === 'bidi' ? conn.openBidi() : conn.openUni();
    if (o.on === 'bidi') {
      // Client bidirectional streams open in order: 0, 4, 8...
      if (o.isConnect) session = nextBidi;
      nextBidi += 4;
    }
    if (o.sessionPrefix !== undefined) {
      // The type varint is 1-2 bytes (0x41 / 0x54 both take 2): the session id goes after it.
      s.write(o.bytes.subarray(0, 2));
      s.write(encodeVarintBytes([session]));
      s.write(o.bytes.subarray(2));
    } else s.write(o.bytes);
    if (o.fin) s.close();
  }
  // The sentinel: a plain GET the server answers 404 once it has read what came before.
  const get = conn.openBidi();
  get.write(
    encodeFrame(
      FrameType.HEADERS,
      encodeFieldSection([
        { name: ':method', value: 'GET' },
        { name: ':scheme', value: 'https' },
        { name: ':authority', value: AUTHORITY },
        { name: ':path', value: '/' },
      ]),
    ),
  );
  get.close();
  sentinel = nextBidi;
  const timer = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
  await Promise.race([settled, timer]);
  conn.close(0x100, 'done');
  return { frames, closed };
}

// ---------------------------------------------------------------- the worker

export interface H3FuzzInput {
  role: 'h3-fuzzer';
  port: number;
  fingerprint: string;
  /** Cases in `npm test` (FUZZ_RUNS overrides); `npm run fuzz` runs for FUZZ_SECONDS instead. */
  runs: number;
}

export interface H3FuzzReport {
  frames: number;
  connections: number;
  /** How the server's closes were spread over error codes. */
  closes: Record<string, number>;
  /** fast-check's report (seed and path replay it) when the property failed. */
  error?: string;
}

async function run(input: H3FuzzInput): Promise<H3FuzzReport> {
  let frames = 0;
  let connections = 0;
  const closes: Record<string, number> = {};
  const base = fuzzParams<[Op[][]]>(input.runs);
  // In `npm test` the case count, not time, bounds the run: the frame count must be reached.
  const params = longFuzz() ? base : { ...base, interruptAfterTimeLimit: 240_000 };
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: PARALLEL, maxLength: PARALLEL }), async (batches) => {
        const results = await Promise.all(batches.map((b) => sendBatch(input.port, input.fingerprint, b)));
        for (const r of results) {
          frames += r.frames;
          connections++;
          const key = r.closed?.replace(/:.*/, '').replace(/[()]/g, '') ?? 'not closed';
          closes[key] = (closes[key] ?? 0) + 1;
          assert.ok(
            !r.closed?.includes(`error 0x${INTERNAL_ERROR.toString(16)}`),
            `the server failed internally: ${r.closed}`,
          );
        }
      }),
      params,
    );
  } catch (err) {
    return { frames, connections, closes, error: String((err as Error).message ?? err).slice(0, 6000) };
  }
  return { frames, connections, closes };
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'h3-fuzzer') {
  void run(workerData as H3FuzzInput).then((report) => parentPort?.postMessage(report));
}
