// GraphQL subscription latency: from a node state change in the engine to its arrival at graphql-ws clients
// (`nodeStates`), with 1 and 100 subscribers on one session. The clients run in a child process (the
// server keeps its own event loop); both sides stamp with the shared monotonic clock. Reference: the same
// JSON broadcast over bare `ws` sockets (no GraphQL) in the same run.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { createClient } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import { SessionEventHub } from '../apps/server/src/graphql/session-event-hub';
import { PermissionsService } from '../apps/server/src/permissions/permissions.service';
import { SessionsService } from '../apps/server/src/sessions/sessions.service';
import { startTestServer } from '../apps/server/src/testing/test-server';
import { FLIP_NODE_MODULE } from './flip-node';

const WARMUP = 30;
const CHANGES = 300;
const SPACING_MS = 10;

type ToChild = { type: 'stop' };
type FromChild = { type: 'ready' } | { type: 'latencies'; us: number[] };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (us: number) => (us / 1000).toFixed(3);

/** Child: N subscribers (GraphQL or bare ws), each recording arrival minus the stamp, in microseconds. */
async function child(
  mode: string,
  url: string,
  sessionId: string,
  n: number,
  firstSeq: number,
): Promise<void> {
  const latencies: number[] = [];
  // Changes before `firstSeq` (warm-up, or the state left by an earlier run) are not measured.
  const record = (stamp: { seq?: number; t?: string } | null | undefined) => {
    if (stamp?.t && (stamp.seq ?? 0) >= firstSeq)
      latencies.push(Number(process.hrtime.bigint() - BigInt(stamp.t)) / 1000);
  };
  const closers: (() => void)[] = [];
  for (let i = 0; i < n; i++) {
    if (mode === 'graphql') {
      const client = createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0 });
      client.subscribe<{
        nodeStates: { state: { status: string; details: { seq?: number; t?: string } | null } };
      }>(
        {
          query: `subscription { nodeStates(sessionId: "${sessionId}") { nodeId state { status details } } }`,
        },
        {
          next: (r) => {
            const s = r.data?.nodeStates.state;
            if (s?.status === 'Degraded') record(s.details);
          },
          error: (e) => {
            console.error('subscription failed', e);
            process.exit(1);
          },
          complete: () => undefined,
        },
      );
      closers.push(() => void client.dispose());
    } else {
      const ws = new WebSocket(url);
      ws.on('message', (data) => record(JSON.parse(String(data)) as { seq: number; t: string }));
      await once(ws, 'open');
      closers.push(() => ws.close());
    }
  }
  process.send!({ type: 'ready' } satisfies FromChild);
  process.on('message', (m: ToChild) => {
    if (m.type !== 'stop') return;
    for (const close of closers) close();
    process.send!({ type: 'latencies', us: latencies } satisfies FromChild, () => process.exit(0));
  });
}

function startChild(args: string[]): {
  proc: ChildProcess;
  message: (type: FromChild['type']) => Promise<FromChild>;
} {
  const proc = fork(__filename, ['--child', ...args], { stdio: 'inherit' });
  const message = (type: FromChild['type']) =>
    new Promise<FromChild>((resolve, reject) => {
      const onMessage = (m: FromChild) => {
        if (m.type !== type) return;
        proc.off('message', onMessage);
        resolve(m);
      };
      proc.on('message', onMessage);
      proc.once('exit', (code) => reject(new Error(`bench client exited with ${code}`)));
    });
  return { proc, message };
}

let nextSeq = 1;

interface Measured {
  /** Latencies of the measured changes, sorted, in microseconds. */
  us: number[];
  /** Server CPU (this process) per delivery while measuring, in microseconds. */
  cpuPerDelivery: number;
}

async function measure(
  args: string[],
  waitReady: () => Promise<void>,
  change: (seq: number) => Promise<void>,
): Promise<Measured> {
  // Warm-up changes (JIT, first sends) are made but not measured.
  const firstSeq = nextSeq + WARMUP;
  const c = startChild([...args, String(firstSeq)]);
  await c.message('ready');
  await waitReady();
  let cpu = process.cpuUsage();
  for (let i = 0; i < WARMUP + CHANGES; i++) {
    if (i === WARMUP) cpu = process.cpuUsage();
    await change(nextSeq++);
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  await new Promise((r) => setTimeout(r, 200));
  const used = process.cpuUsage(cpu);
  const done = c.message('latencies');
  c.proc.send({ type: 'stop' } satisfies ToChild);
  const { us } = (await done) as { us: number[] };
  return { us: us.sort((a, b) => a - b), cpuPerDelivery: (used.user + used.system) / Math.max(1, us.length) };
}

interface Summary {
  p50: number;
  p99: number;
  n: number;
  cpu: number;
}

const summarize = (m: Measured): Summary => ({
  p50: percentile(m.us, 50),
  p99: percentile(m.us, 99),
  n: m.us.length,
  cpu: m.cpuPerDelivery,
});

async function main(): Promise<void> {
  // The node runs where sessions run (an engine worker): it is loaded from its own module there too.
  const server = await startTestServer({
    config: { permissions: { default_role: 'admin' } },
    nodeModules: [FLIP_NODE_MODULE],
  });
  const raw = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(raw, 'listening');
  try {
    const sessions = server.app.get(SessionsService);
    const hub = server.app.get(SessionEventHub);
    const admin = server.app.get(PermissionsService).callerForRole('admin');
    const { session_id: sessionId } = await sessions.create(admin, { name: 'bench' });
    await sessions.execute(admin, sessionId, { type: 'add_node', node_id: 'flip', kind: 'bench::flip' });
    const gqlUrl = `${server.url.replace(/^http/, 'ws')}/api/v1/graphql`;
    const rawUrl = `ws://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const tune = async (seq: number) => {
      await sessions.execute(admin, sessionId, { type: 'tune_node', node_id: 'flip', params: { seq } });
    };
    const broadcast = async (seq: number) => {
      const frame = JSON.stringify({ seq, t: process.hrtime.bigint().toString() });
      for (const ws of raw.clients) ws.send(frame);
    };
    const until = async (ready: () => boolean) => {
      while (!ready()) await new Promise((r) => setTimeout(r, 10));
    };

    const rows: [number, string, Summary][] = [];
    const gql: Record<number, Summary> = {};
    let bare100: Summary | undefined;
    for (const n of [1, 100]) {
      const g = summarize(
        await measure(
          ['graphql', gqlUrl, sessionId, String(n)],
          () => until(() => hub.subscriberCount(sessionId) >= n),
          tune,
        ),
      );
      await until(() => hub.subscriberCount(sessionId) === 0);
      const w = summarize(
        await measure(
          ['ws', rawUrl, sessionId, String(n)],
          () => until(() => raw.clients.size >= n),
          broadcast,
        ),
      );
      await until(() => raw.clients.size === 0);
      gql[n] = g;
      if (n === 100) bare100 = w;
      rows.push([n, 'GraphQL nodeStates', g], [n, 'bare ws (reference)', w]);
    }
    console.log(`load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
    console.log('subscribers  path                    p50 ms   p99 ms  deliveries  server cpu us/delivery');
    for (const [n, label, r] of rows) {
      console.log(
        `${String(n).padStart(11)}  ${label.padEnd(22)}${ms(r.p50).padStart(7)}  ${ms(r.p99).padStart(7)}` +
          `  ${String(r.n).padStart(10)}  ${r.cpu.toFixed(1).padStart(8)}`,
      );
    }
    console.log(
      `BENCH graphql p50_1=${ms(gql[1].p50)} p99_1=${ms(gql[1].p99)} p50_100=${ms(gql[100].p50)} p99_100=${ms(gql[100].p99)} ` +
        `ws_p50_100=${ms(bare100!.p50)} ws_p99_100=${ms(bare100!.p99)} cpu_us_per_delivery_100=${gql[100].cpu.toFixed(1)} ` +
        `load1=${loadavg()[0].toFixed(1)}`,
    );
  } finally {
    raw.close();
    await server.close();
  }
}

if (process.argv[2] === '--child') {
  const [, , , mode, url, sessionId, n, firstSeq] = process.argv;
  void child(mode, url, sessionId, Number(n), Number(firstSeq));
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
