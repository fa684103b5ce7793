// The engine worker thread: builds its registry and services (the pool's setup module), runs the sessions and
// oneshot runs the main thread places on it, and sends back answers, session events (batched per turn of
// its event loop), logs and, when something calls process.exit, the cause of its coming end.
// The first import: this thread's Opus addon must be chosen before any module loads @evan/opus.
import './opus-thread';
import { readFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { AnyNodeDefinition, Logger } from '../../core/node';
import { createDefaultRegistry } from '../../registry/default';
import type { NodeRegistry } from '../../registry/registry';
import { NativePlugin } from '../../plugins/native-plugin';
import { pluginNodeDefinition } from '../../plugins/plugin-node';
import type { LoadedPluginModule } from '../../plugins/types';
import { WasmPlugin } from '../../plugins/wasm-plugin';
import type { OneshotRun } from '../oneshot';
import { setPacketProgressCounter, setTurnBudget } from '../channel';
import { InProcessSessionHost } from '../session-host';
import type { SessionEvent } from '../session-types';
import { PortByteReceiver, PortByteSender, type PortMessage } from './port-bytes';
import { toWire } from './wire';
import type {
  FromWorker,
  KindSource,
  LogLevel,
  OneshotFromWorker,
  ToWorker,
  WireError,
  WorkerEngine,
  WorkerInit,
  WorkerSetup,
} from './protocol';

/** Output chunks in flight to the main thread before the run waits (the HTTP response sets the pace). */
const OUTPUT_WINDOW = 8;

const init = workerData as WorkerInit;
const port = parentPort as MessagePort;

function post(message: FromWorker): void {
  port.postMessage(message);
}

/** The first stack frame outside Node's internals and this file: who called process.exit. */
function callSite(stack: string | undefined): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const frame = line.trim();
    if (frame.includes('node:internal') || frame.includes('worker-entry')) continue;
    return frame.replace(/^at /, '');
  }
  return undefined;
}

// process.exit in a worker ends only this thread; say who did it before it happens.
const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const where = callSite(new Error().stack);
  // Node itself exits this way after an uncaught exception: the pool's 'error' event names that cause.
  if (where !== undefined) post({ t: 'exiting', code: Number(code ?? process.exitCode ?? 0), where });
  return exit(code as number);
}) as typeof process.exit;

const heartbeat = new Int32Array(init.heartbeat);
setInterval(() => Atomics.add(heartbeat, 0, 1), init.heartbeatMs);
setPacketProgressCounter(heartbeat.subarray(1, 2));
// The event loop turns at least every 50 ms while nodes drain backlogs (the sessions on a worker share it). Not
// much less: on a busy machine a descheduled thread makes turns look long, and each needless yield costs a turn.
// (A yield is not starvation: inputs still report what is `queued`, so a pacer keeps its clock.)
setTurnBudget(50);
if (init.nice > 0) {
  try {
    // Without a pid libuv sets the calling thread's priority on Linux: this worker only.
    setPriority(init.nice);
  } catch {
    // Not permitted here: the worker runs at the main thread's priority.
  }
}

function logAt(level: LogLevel) {
  return (msg: string, fields?: Record<string, unknown>) => {
    try {
      post({ t: 'log', level, msg, fields });
    } catch {
      // A field that cannot be cloned (a function, a socket): send its text instead.
      post({ t: 'log', level, msg, fields: JSON.parse(JSON.stringify(fields ?? {})) });
    }
  };
}
const log: Logger = {
  debug: logAt('debug'),
  info: logAt('info'),
  warn: logAt('warn'),
  error: logAt('error'),
};

/** Session events go out once per turn of the event loop, and always before an answer that follows them. */
class EventBatch {
  private events: SessionEvent[] = [];

  push = (event: SessionEvent): void => {
    this.events.push(event);
    if (this.events.length === 1) queueMicrotask(this.flush);
  };

  flush = (): void => {
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    try {
      post({ t: 'events', events });
    } catch {
      // Telemetry data a node filled with something uncloneable: send what JSON keeps of it.
      post({ t: 'events', events: JSON.parse(JSON.stringify(events)) as SessionEvent[] });
    }
  };
}

async function loadKind(registry: NodeRegistry, source: KindSource): Promise<void> {
  if (source.type === 'module') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module path chosen by the embedder
    const mod = require(source.path) as { nodeDefinitions?: AnyNodeDefinition[] };
    if (!Array.isArray(mod.nodeDefinitions)) {
      throw new Error(`${source.path} does not export nodeDefinitions (an array of node definitions)`);
    }
    for (const def of mod.nodeDefinitions) if (!registry.has(def.kind)) registry.register(def);
    return;
  }
  const module: LoadedPluginModule =
    source.pluginType === 'wasm'
      ? await WasmPlugin.load(await readFile(source.path), source.fileName, {
          memoryLimitMb: source.wasmMemoryLimitMb,
        })
      : NativePlugin.load(source.path, source.fileName);
  registry.register(pluginNodeDefinition(source.kind, module), { replace: true });
}

async function setup(): Promise<WorkerEngine> {
  if (!init.setupModule) return { registry: createDefaultRegistry() };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the embedder's setup module
  const mod = require(init.setupModule) as { setupWorker?: WorkerSetup };
  if (typeof mod.setupWorker !== 'function') {
    throw new Error(`${init.setupModule} does not export setupWorker`);
  }
  return mod.setupWorker({ index: init.index, data: init.setupData, ports: init.ports, log });
}

async function main(): Promise<void> {
  const engine = await setup();
  const registry = engine.registry;
  for (const source of init.kinds) {
    try {
      await loadKind(registry, source);
    } catch (err) {
      log.warn(`kind not loaded in worker ${init.index}: ${(err as Error).message}`, {
        source: source.type === 'plugin' ? source.kind : source.path,
      });
    }
  }
  const batch = new EventBatch();
  const host = new InProcessSessionHost({
    registry,
    services: engine.services,
    log,
    onEvent: batch.push,
    ...init.session,
  });

  const answer = (rid: number, value?: unknown): void => {
    batch.flush();
    post({ t: 'res', rid, ok: true, value });
  };
  const refuse = (rid: number, err: unknown): void => {
    batch.flush();
    post({ t: 'res', rid, ok: false, error: toWire(err) });
  };

  const handle = async (m: ToWorker): Promise<void> => {
    switch (m.t) {
      case 'create':
        return host.create({ id: m.id, name: m.name, spec: m.spec }).then(
          (session) => answer(m.rid, { warnings: session.warnings }),
          (err: unknown) => refuse(m.rid, err),
        );
      case 'exec': {
        const session = host.get(m.session);
        if (!session) {
          return answer(m.rid, {
            ok: false,
            error: { code: 'not_found', message: `Session '${m.session}' not found`, problems: [] },
          });
        }
        return answer(m.rid, await session.execute(m.command));
      }
      case 'destroy':
        await host.destroy(m.session);
        return answer(m.rid);
      case 'kind_add':
        return loadKind(registry, m.source).then(
          () => answer(m.rid),
          (err: unknown) => refuse(m.rid, err),
        );
      case 'kind_remove':
        registry.unregister(m.kind);
        return answer(m.rid);
      case 'oneshot':
        return runOneshotOnPort(host, m);
      case 'close':
        await host.close();
        await engine.close?.();
        return answer(m.rid);
    }
  };
  port.on('message', (m: ToWorker) => {
    handle(m).catch((err: unknown) => {
      if ('rid' in m) refuse(m.rid, err);
      else log.error(`worker ${init.index}: ${(err as Error).message}`);
    });
  });
  post({ t: 'ready' });
}

/** One oneshot run: input bytes in, output bytes out, both with credits; the outcome last. */
async function runOneshotOnPort(
  host: InProcessSessionHost,
  m: Extract<ToWorker, { t: 'oneshot' }>,
): Promise<void> {
  const runPort = m.port;
  const cancel = new AbortController();
  const input = m.input ? new PortByteReceiver(runPort, 'in') : undefined;
  const output = new PortByteSender(runPort, 'out', { ownership: 'copy', window: OUTPUT_WINDOW });
  const send = (message: OneshotFromWorker) => runPort.postMessage(message);
  runPort.on('message', (x: PortMessage) => {
    if (input?.handle(x) || output.handle(x)) return;
    if (x.t === 'cancel') cancel.abort();
  });
  let run: OneshotRun;
  try {
    run = await host.runOneshot(m.spec, {
      input,
      inputContentType: m.inputContentType,
      signal: cancel.signal,
      ...m.tuning,
    });
  } catch (err) {
    send({ t: 'failed', error: toWire(err) });
    await input?.return();
    runPort.close();
    return;
  }
  send({ t: 'started', contentType: run.contentType, warnings: run.warnings });
  try {
    for await (const chunk of run.output) {
      const w = output.send(chunk);
      // Breaking out cancels the graph: the main thread stopped reading.
      if (w !== undefined && !(await w)) break;
    }
    output.end();
  } catch (err) {
    output.fail((err as Error).message);
  }
  let error: WireError | undefined;
  await run.done.catch((err: unknown) => {
    error = toWire(err);
  });
  await input?.return();
  send({ t: 'done', ok: error === undefined, error, states: run.states(), stats: run.stats() });
  runPort.close();
}

// A setup that throws ends the worker (unhandled rejection): the pool reports it and restarts with a backoff.
void main();
