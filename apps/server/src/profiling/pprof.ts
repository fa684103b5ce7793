// Converts V8 CPU and sampling-heap profiles into pprof's `Profile` protobuf (gzipped, as `go tool pprof`
// and most profile viewers expect), with a minimal protobuf writer so no dependency is needed.
import { gzipSync } from 'node:zlib';
import type { HeapProfiler, Profiler, Runtime } from 'node:inspector';

/** Append-only protobuf writer for the few wire types pprof uses (varint and length-delimited). */
class ProtoWriter {
  private buf = Buffer.alloc(1024);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  varint(value: number): void {
    this.ensure(10);
    // Negative int64 values are encoded as ten-byte two's complement, like protobuf does.
    let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  /** A varint field, skipped when zero (proto3 default). */
  uint(field: number, value: number): void {
    if (value === 0) return;
    this.varint(field << 3);
    this.varint(value);
  }

  bytes(field: number, data: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, value: string): void {
    this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (w: ProtoWriter) => void): void {
    const inner = new ProtoWriter();
    build(inner);
    this.bytes(field, inner.finish());
  }

  packed(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export interface Frame {
  functionName: string;
  url: string;
  /** 1-based, 0 when unknown. */
  line: number;
}

export interface PprofSample {
  /** Leaf first, like pprof's `location_id`. */
  stack: Frame[];
  values: number[];
}

export interface PprofInput {
  sampleTypes: [type: string, unit: string][];
  periodType: [type: string, unit: string];
  period: number;
  timeNanos: number;
  durationNanos: number;
  samples: PprofSample[];
}

/** Encodes a profile (uncompressed protobuf); functions and locations are deduplicated per frame. */
export function encodePprof(input: PprofInput): Buffer {
  const strings = new Map<string, number>([['', 0]]);
  const str = (s: string): number => {
    let id = strings.get(s);
    if (id === undefined) strings.set(s, (id = strings.size));
    return id;
  };
  const functions = new Map<string, { id: number; name: number; file: number; line: number }>();
  const locations = new Map<string, { id: number; fn: number; line: number }>();
  const locationOf = (f: Frame): number => {
    const fnKey = `${f.functionName}\0${f.url}`;
    let fn = functions.get(fnKey);
    if (!fn) {
      fn = {
        id: functions.size + 1,
        name: str(f.functionName || '(anonymous)'),
        file: str(f.url),
        line: f.line,
      };
      functions.set(fnKey, fn);
    }
    const locKey = `${fnKey}\0${f.line}`;
    let loc = locations.get(locKey);
    if (!loc) locations.set(locKey, (loc = { id: locations.size + 1, fn: fn.id, line: f.line }));
    return loc.id;
  };

  const w = new ProtoWriter();
  const sampleTypes = input.sampleTypes.map(([t, u]) => [str(t), str(u)]);
  const period = [str(input.periodType[0]), str(input.periodType[1])];
  const mainFile = str(process.execPath);
  for (const [t, u] of sampleTypes) w.message(1, (m) => (m.uint(1, t), m.uint(2, u)));
  for (const s of input.samples) {
    const ids = s.stack.map(locationOf);
    w.message(2, (m) => {
      m.packed(1, ids);
      m.packed(2, s.values);
    });
  }
  // One mapping standing for the Node binary; JavaScript frames carry their symbols in `function`.
  w.message(3, (m) => {
    m.uint(1, 1);
    m.uint(5, mainFile);
    m.uint(7, 1);
    m.uint(8, 1);
    m.uint(9, 1);
  });
  for (const loc of locations.values()) {
    w.message(4, (m) => {
      m.uint(1, loc.id);
      m.uint(2, 1);
      m.message(4, (l) => (l.uint(1, loc.fn), l.uint(2, loc.line)));
    });
  }
  for (const fn of functions.values()) {
    w.message(5, (m) => {
      m.uint(1, fn.id);
      m.uint(2, fn.name);
      m.uint(3, fn.name);
      m.uint(4, fn.file);
      m.uint(5, fn.line);
    });
  }
  for (const s of strings.keys()) w.string(6, s);
  w.uint(9, input.timeNanos);
  w.uint(10, input.durationNanos);
  w.message(11, (m) => (m.uint(1, period[0]), m.uint(2, period[1])));
  w.uint(12, input.period);
  return w.finish();
}

/** Gzipped pprof bytes, ready to serve as `*.pb.gz`. */
export function gzipPprof(input: PprofInput): Buffer {
  return gzipSync(encodePprof(input));
}

type CallFrame = Runtime.CallFrame;

/** V8 sends node ids and per-allocation samples, which @types/node does not declare. */
type HeapNode = HeapProfiler.SamplingHeapProfileNode & { id?: number; children: HeapNode[] };
type HeapProfile = { head: HeapNode; samples?: { size: number; nodeId: number }[] };

const frameOf = (cf: CallFrame): Frame => ({
  functionName: cf.functionName || '(anonymous)',
  url: cf.url,
  line: cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0,
});

/** One pprof sample per V8 node with hits: [sample count, CPU nanoseconds]. */
export function cpuProfileToPprof(profile: Profiler.Profile, intervalMicros: number): PprofInput {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // V8 fills hitCount only on some paths; counting `samples` is authoritative.
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const periodNs = Math.round(intervalMicros * 1000);
  const samples: PprofSample[] = [];
  for (const [id, count] of hits) {
    const stack: Frame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node || parent.get(cur) === undefined) break; // the synthetic (root) node
      stack.push(frameOf(node.callFrame));
    }
    if (stack.length > 0) samples.push({ stack, values: [count, count * periodNs] });
  }
  return {
    sampleTypes: [
      ['samples', 'count'],
      ['cpu', 'nanoseconds'],
    ],
    periodType: ['cpu', 'nanoseconds'],
    period: periodNs,
    // V8 times are monotonic microseconds; the wall-clock start is derived from now (right after stop).
    timeNanos: (Date.now() - (profile.endTime - profile.startTime) / 1000) * 1e6,
    durationNanos: Math.max(0, Math.round((profile.endTime - profile.startTime) * 1000)),
    samples,
  };
}

/** Live sampled allocations per stack: [objects, bytes], as `inuse_objects`/`inuse_space`. */
export function heapProfileToPprof(profile: HeapProfile, samplingInterval: number): PprofInput {
  const objects = new Map<number, number>();
  for (const s of profile.samples ?? []) objects.set(s.nodeId, (objects.get(s.nodeId) ?? 0) + 1);
  const samples: PprofSample[] = [];
  const walk = (node: HeapNode, path: Frame[]): void => {
    const stack = [frameOf(node.callFrame), ...path];
    if (node.selfSize > 0) samples.push({ stack, values: [objects.get(node.id ?? -1) ?? 0, node.selfSize] });
    for (const child of node.children) walk(child, stack);
  };
  for (const child of profile.head.children) walk(child, []);
  return {
    sampleTypes: [
      ['inuse_objects', 'count'],
      ['inuse_space', 'bytes'],
    ],
    periodType: ['space', 'bytes'],
    period: samplingInterval,
    timeNanos: Date.now() * 1e6,
    durationNanos: 0,
    samples,
  };
}
