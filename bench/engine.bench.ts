// Engine benchmark: packets per second and per-hop latency through a 16-node core::passthrough chain, in
// oneshot and dynamic mode, plus heap growth over one million packets. No external reference exists for
// this (ffmpeg has no equivalent graph of pass-through stages), so only our figures are printed.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Type } from '@streamkit/pipeline/core/typebox';
import {
  createDefaultRegistry,
  EOS,
  outputPin,
  inputPin,
  parsePipelineYaml,
  runOneshot,
  Session,
  type NodeDefinition,
  type NodeRegistry,
  type Packet,
} from '@streamkit/pipeline';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HOPS = 16;
const PACKETS = 1_000_000;
const SAMPLE_EVERY = 1024;

interface Run {
  packets: number;
  /** Send one packet per event-loop turn (latency without queueing) instead of as fast as possible. */
  paced: boolean;
}
let current: Run = { packets: PACKETS, paced: false };
let latencies: number[] = [];
let finishedAt = 0;

const BenchParams = Type.Object({});
const shared: Packet[] = Array.from({ length: 256 }, (_, i) => ({ kind: 'text', text: `p${i}` }));

const sourceNode: NodeDefinition = {
  kind: 'bench::source',
  categories: ['bench'],
  description: 'Emits preallocated packets; every 1024th carries a send timestamp.',
  params: BenchParams,
  pins: () => ({ inputs: [], outputs: [outputPin('out', 'Text')] }),
  create(_p, ctx) {
    const out = ctx.output('out');
    return {
      async run() {
        if (!(await ctx.waitForStart())) return;
        ctx.setState('Running');
        const { packets, paced } = current;
        for (let i = 0; i < packets; i++) {
          const p: Packet =
            paced || i % SAMPLE_EVERY === 0
              ? { kind: 'text', text: 's', meta: { timestampUs: performance.now() * 1000 } }
              : shared[i & 255];
          const w = out.send(p);
          if (w !== undefined && !(await w)) return;
          if (paced) await new Promise((r) => setImmediate(r));
        }
      },
    };
  },
};

const sinkNode: NodeDefinition = {
  kind: 'bench::sink',
  categories: ['bench'],
  description: 'Records the latency of timestamped packets.',
  params: BenchParams,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [] }),
  create(_p, ctx) {
    const input = ctx.input('in');
    return {
      async run() {
        ctx.setState('Running');
        for (;;) {
          let p = input.tryRecv();
          if (p === undefined) p = await input.recv();
          if (p === EOS) break;
          const ts = p.meta?.timestampUs;
          if (ts !== undefined) latencies.push(performance.now() * 1000 - ts);
        }
        finishedAt = performance.now();
      },
    };
  },
};

function chainYaml(mode: 'oneshot' | 'dynamic'): string {
  const lines = [`mode: ${mode}`, 'nodes:', '  src: { kind: bench::source }'];
  for (let i = 0; i < HOPS; i++)
    lines.push(`  p${i}: { kind: core::passthrough, needs: ${i === 0 ? 'src' : `p${i - 1}`} }`);
  lines.push(`  sink: { kind: bench::sink, needs: p${HOPS - 1} }`);
  return lines.join('\n');
}

let lastCpuMs = 0;

/** Runs the chain; returns wall milliseconds (and leaves the process CPU milliseconds in `lastCpuMs`). */
async function runChain(registry: NodeRegistry, mode: 'oneshot' | 'dynamic', run: Run): Promise<number> {
  current = run;
  latencies = [];
  finishedAt = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  if (mode === 'oneshot') {
    const r = await runOneshot(chainYaml('oneshot'), { registry, allowNoOutput: true });
    await r.done;
  } else {
    const session = await Session.create({ registry }, parsePipelineYaml(chainYaml('dynamic')));
    while (finishedAt === 0) await new Promise((r) => setTimeout(r, 5));
    await session.destroy();
  }
  const used = process.cpuUsage(cpu);
  lastCpuMs = (used.user + used.system) / 1000;
  return (finishedAt || performance.now()) - start;
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function measure(registry: NodeRegistry, mode: 'oneshot' | 'dynamic') {
  await runChain(registry, mode, { packets: 100_000, paced: false });
  const ms = await runChain(registry, mode, { packets: PACKETS, paced: false });
  const cpuMs = lastCpuMs;
  const loaded = latencies.slice().sort((a, b) => a - b);
  await runChain(registry, mode, { packets: 20_000, paced: true });
  const idle = latencies.slice().sort((a, b) => a - b);
  const pps = PACKETS / (ms / 1000);
  const r = {
    pps,
    cpuPps: PACKETS / (cpuMs / 1000),
    loadedMedianUs: percentile(loaded, 0.5) / HOPS,
    loadedP99Us: percentile(loaded, 0.99) / HOPS,
    idleMedianUs: percentile(idle, 0.5) / HOPS,
    idleP99Us: percentile(idle, 0.99) / HOPS,
  };
  console.log(
    `${mode.padEnd(8)} ${Math.round(pps).toLocaleString('en-US').padStart(12)} packets/s through ${HOPS} hops` +
      ` (${Math.round(r.cpuPps).toLocaleString('en-US')} per CPU-second)` +
      ` | per-hop latency at full load: median ${r.loadedMedianUs.toFixed(1)} us, p99 ${r.loadedP99Us.toFixed(1)} us` +
      ` | one packet at a time: median ${r.idleMedianUs.toFixed(2)} us, p99 ${r.idleP99Us.toFixed(2)} us`,
  );
  return r;
}

async function main(): Promise<void> {
  const registry = createDefaultRegistry();
  registry.register(sourceNode);
  registry.register(sinkNode);
  console.log(
    `engine bench: ${PACKETS.toLocaleString('en-US')} packets through ${HOPS} core::passthrough nodes (node ${process.version})`,
  );
  console.log(
    'packets/s is wall-clock; "per CPU-second" divides by this process\'s CPU time (fairer on a loaded machine)',
  );
  const oneshot = await measure(registry, 'oneshot');
  const dynamic = await measure(registry, 'dynamic');

  // Heap growth: the same run twice after a warm-up, heap measured after a full GC before and after.
  await runChain(registry, 'oneshot', { packets: PACKETS, paced: false });
  gc();
  const before = process.memoryUsage().heapUsed;
  await runChain(registry, 'oneshot', { packets: PACKETS, paced: false });
  latencies = [];
  gc();
  const growthKb = (process.memoryUsage().heapUsed - before) / 1024;
  console.log(
    `heap growth over ${PACKETS.toLocaleString('en-US')} packets (after GC): ${growthKb.toFixed(0)} KiB`,
  );
  console.log('reference: none (no ffmpeg/GStreamer equivalent of a pass-through node graph); figures only');
  const f = (n: number, d = 1) => n.toFixed(d);
  console.log(
    `BENCH engine hops=${HOPS} packets=${PACKETS} oneshot_pps=${Math.round(oneshot.pps)} dynamic_pps=${Math.round(dynamic.pps)}` +
      ` oneshot_pps_per_cpu_s=${Math.round(oneshot.cpuPps)} dynamic_pps_per_cpu_s=${Math.round(dynamic.cpuPps)}` +
      ` oneshot_hop_median_us=${f(oneshot.loadedMedianUs)} oneshot_hop_p99_us=${f(oneshot.loadedP99Us)}` +
      ` dynamic_hop_median_us=${f(dynamic.loadedMedianUs)} dynamic_hop_p99_us=${f(dynamic.loadedP99Us)}` +
      ` idle_hop_median_us=${f(oneshot.idleMedianUs, 2)} idle_hop_p99_us=${f(oneshot.idleP99Us, 2)}` +
      ` heap_growth_kb=${f(growthKb, 0)}`,
  );
}

void main();
