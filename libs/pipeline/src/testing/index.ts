// Helpers for testing node kinds and small graphs without a server: run one node over given input
// packets and collect what it emits, or run a oneshot graph to completion and collect its bytes.
import { resolve } from 'node:path';
import type {
  AnyNodeDefinition,
  ExecutionMode,
  Logger,
  NodeServices,
  NodeState,
  NodeStats,
} from '../core/node';
import type { EngineLimits } from '../definition/limits';
import { forEachPacket } from '../core/helpers';
import type { Packet } from '../core/packets';
import { NodeRegistry } from '../registry/registry';
import { PipelineValidationError, type PipelineSpec } from '../definition/types';
import { InputChannel, Link, NodeMeter } from '../runtime/channel';
import { Graph } from '../runtime/graph';
import { runOneshot } from '../runtime/oneshot';
import type { NodeRunner } from '../runtime/node-runner';
import type { TelemetryEvent } from '../runtime/telemetry';
import type { NodeInstance } from '../core/node';

export interface CollectOptions {
  services?: NodeServices;
  /** Context mode the node sees (default oneshot: inputs end once the given packets are consumed). */
  mode?: ExecutionMode;
  /** Give up (cancel the node, reject) after this long; default 10 s. */
  timeoutMs?: number;
  /** Input queue capacity (default 256). */
  channelCapacity?: number;
  /** Where the node's log lines go (after the engine's per-node rate limit); default: nowhere. */
  log?: Logger;
  /** Engine limits the node sees (packet size, log rate). */
  limits?: Partial<EngineLimits>;
  /** Called once the node runs, e.g. to call `instance.tune` or `cancel()` mid-stream. */
  onStart?(handle: { instance: NodeInstance; cancel(): void; runner: NodeRunner }): void;
}

export interface CollectResult {
  /** Packets emitted on `out`. */
  packets: Packet[];
  /** Packets emitted per output pin. */
  outputs: Record<string, Packet[]>;
  /** Every state the node reported, in order (the last one is final). */
  states: NodeState[];
  stats: NodeStats;
  telemetry: TelemetryEvent[];
  /** Params after validation with defaults applied. */
  params: Record<string, unknown>;
}

/**
 * Run one node kind over input packets (an array for `in`, or per pin) until it finishes, and collect
 * everything it emits. Params are validated against the kind's schema first (throws on problems).
 */
export async function collectNodeOutputs(
  def: AnyNodeDefinition,
  params: unknown,
  inputs: Packet[] | Record<string, Packet[]> = [],
  options: CollectOptions = {},
): Promise<CollectResult> {
  const registry = new NodeRegistry([def]);
  const services = options.services ?? {};
  const checked = registry.checkParams(def.kind, params, services);
  if (checked.problems.length > 0) {
    throw new PipelineValidationError(
      checked.problems.map((p) => ({
        nodeId: 'node',
        path: p.path,
        message: `Node 'node' (${def.kind}): ${p.message}`,
      })),
    );
  }
  const pins = def.pins(checked.params);
  const states: NodeState[] = [];
  const telemetry: TelemetryEvent[] = [];
  const mode = options.mode ?? 'oneshot';
  const capacity = options.channelCapacity ?? 256;
  const graph = new Graph({
    mode,
    services,
    channelCapacity: capacity,
    log: options.log,
    limits: options.limits,
    onState: (_id, state) => states.push(state),
    onTelemetry: (e) => telemetry.push(e),
  });
  states.push('Initializing');
  const runner = graph.instantiate({ id: 'node', def, params: checked.params, pins });
  graph.add(runner);

  const perPin = Array.isArray(inputs)
    ? inputs.length > 0 || pins.inputs.length > 0
      ? { in: inputs }
      : {}
    : inputs;
  const feeders: Promise<void>[] = [];
  for (const [pin, packets] of Object.entries(perPin)) {
    const ch = runner.ensureInput(pin);
    const link = new Link('test', 'out', 'node', pin, 'reliable', ch);
    feeders.push(
      (async () => {
        for (const p of packets) {
          while (ch.size >= ch.capacity && !ch.readerClosed) await ch.waitForRoom();
          if (ch.readerClosed) break;
          ch.push(p);
        }
        link.detach(true);
      })(),
    );
  }

  const outputs: Record<string, Packet[]> = {};
  const drains: Promise<unknown>[] = [];
  const collectorMeter = new NodeMeter({ received: 0, sent: 0, discarded: 0, errored: 0, processingNs: 0 });
  for (const pin of pins.outputs) {
    if (typeof pin.cardinality === 'object') continue;
    const list: Packet[] = (outputs[pin.name] = []);
    const port = runner.ensureOutput(pin.name);
    const ch = new InputChannel(capacity, collectorMeter, true);
    port.links.push(new Link('node', pin.name, 'test', 'in', 'reliable', ch));
    drains.push(forEachPacket(ch, (p) => void list.push(p)));
  }

  options.onStart?.({ instance: runner.instance as NodeInstance, cancel: () => runner.cancel(), runner });
  graph.start(runner);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([runner.finished.then(() => 'done' as const), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    runner.cancel();
    throw new Error(
      `Node ${def.kind} did not finish within ${timeoutMs} ms (states: ${JSON.stringify(states)})`,
    );
  }
  await Promise.all([...feeders, ...drains]);
  return {
    packets: outputs.out ?? [],
    outputs,
    states,
    stats: runner.statsSnapshot(),
    telemetry,
    params: checked.params,
  };
}

export interface OneshotGraphResult {
  output: Uint8Array;
  contentType: string;
  states: Record<string, NodeState>;
  stats: Record<string, NodeStats>;
}

/**
 * Run a oneshot pipeline (YAML or spec) to completion and return its whole output. A graph without
 * `streamkit::http_output` is allowed (its output is empty). Rejects like `runOneshot`, or when the
 * output stream ends with an error.
 */
export async function runOneshotGraph(
  registry: NodeRegistry,
  pipeline: string | PipelineSpec,
  options: {
    input?: Uint8Array | AsyncIterable<Uint8Array>;
    inputContentType?: string;
    services?: NodeServices;
  } = {},
): Promise<OneshotGraphResult> {
  const run = await runOneshot(pipeline, { registry, allowNoOutput: true, ...options });
  const chunks: Uint8Array[] = [];
  for await (const chunk of run.output) chunks.push(chunk);
  await run.done;
  return {
    output: Buffer.concat(chunks),
    contentType: run.contentType,
    states: run.states(),
    stats: run.stats(),
  };
}

/** Services that allow every path and URL (resolved against `root`), for tests. */
export function permissiveServices(root = process.cwd()): NodeServices {
  return {
    resolveReadPath: (p: string) => resolve(root, p),
    resolveWritePath: (p: string) => resolve(root, p),
    checkFetchUrl: () => {},
  };
}

export { testFailNode, testNodeDefinitions, testSlowSinkNode, testSourceNode } from './kinds';
