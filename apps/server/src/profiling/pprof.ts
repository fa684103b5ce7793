// Converts V8 CPU and sampling-heap profiles into pprof's `Profile` protobuf (gzipped, as `go tool pprof`
// and most profile viewers expect), encoded by pprof-format (Datadog's encoder, as Node's own profilers use).
import { gzipSync } from 'node:zlib';
import type { HeapProfiler, Profiler, Runtime } from 'node:inspector';
import { Function as PprofFunction, Location, Profile, StringTable } from 'pprof-format';

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
  const strings = new StringTable();
  const functions = new Map<string, PprofFunction>();
  const locations = new Map<string, Location>();
  const locationOf = (f: Frame): number => {
    const fnKey = `${f.functionName}\0${f.url}`;
    let fn = functions.get(fnKey);
    if (!fn) {
      const name = strings.dedup(f.functionName || '(anonymous)');
      fn = new PprofFunction({
        id: functions.size + 1,
        name,
        systemName: name,
        filename: strings.dedup(f.url),
        startLine: f.line,
      });
      functions.set(fnKey, fn);
    }
    const locKey = `${fnKey}\0${f.line}`;
    let loc = locations.get(locKey);
    if (!loc) {
      loc = new Location({
        id: locations.size + 1,
        mappingId: 1,
        line: [{ functionId: fn.id, line: f.line }],
      });
      locations.set(locKey, loc);
    }
    return Number(loc.id);
  };
  const valueType = ([type, unit]: [string, string]) => ({
    type: strings.dedup(type),
    unit: strings.dedup(unit),
  });
  const sampleType = input.sampleTypes.map(valueType);
  const periodType = valueType(input.periodType);
  const sample = input.samples.map((s) => ({ locationId: s.stack.map(locationOf), value: s.values }));
  const profile = new Profile({
    sampleType,
    sample,
    // One mapping standing for the Node binary; JavaScript frames carry their symbols in `function`.
    mapping: [
      {
        id: 1,
        filename: strings.dedup(process.execPath),
        hasFunctions: true,
        hasFilenames: true,
        hasLineNumbers: true,
      },
    ],
    location: [...locations.values()],
    function: [...functions.values()],
    stringTable: strings,
    timeNanos: Math.round(input.timeNanos),
    durationNanos: input.durationNanos,
    periodType,
    period: input.period,
  });
  return Buffer.from(profile.encode());
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
