// The oneshot runner: compiles a pipeline, runs it once, and exposes `streamkit::http_output` as an async
// byte stream. Errors before the first output byte reject; later failures end the stream with an error.
import type { Logger, NodeServices, NodeState, NodeStats } from '../core/node';
import { compilePipeline } from '../definition/compile';
import { resolveEngineLimits, type EngineLimits } from '../definition/limits';
import {
  nodeRecord,
  PipelineValidationError,
  type PipelineSpec,
  type ValidationProblem,
} from '../definition/types';
import { tryParsePipelineYaml } from '../definition/yaml';
import type { NodeRegistry } from '../registry/registry';
import { HTTP_OUTPUT_KIND, oneshotProblems } from '../definition/oneshot-rules';
import {
  ByteStream,
  ONESHOT_INPUT_SERVICE,
  ONESHOT_OUTPUT_SERVICE,
  type OneshotInputSource,
} from './byte-stream';
import { Graph } from './graph';
import type { NodeRunner } from './node-runner';
import type { TelemetryEvent } from './telemetry';

export type OneshotErrorCode = 'invalid' | 'bad_media' | 'failed' | 'cancelled';

/**
 * A oneshot failure: `invalid` (the pipeline or request, before running: 400), `bad_media` (a node could not
 * read its input media: not its format, or damaged: 422) or `failed` (a node: 500).
 */
export class OneshotError extends Error {
  constructor(
    message: string,
    readonly code: OneshotErrorCode,
    readonly problems: ValidationProblem[] = [],
    readonly nodeId?: string,
  ) {
    super(message);
    this.name = 'OneshotError';
  }
}

export interface OneshotOptions {
  registry: NodeRegistry;
  /** The uploaded media fed to `streamkit::http_input`. */
  input?: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;
  inputContentType?: string;
  services?: NodeServices;
  log?: Logger;
  /** Aborting cancels the run; the output stream then ends with a `cancelled` error. */
  signal?: AbortSignal;
  channelCapacity?: number;
  batchSize?: number;
  /** Chunks buffered in the output stream before http_output waits (StreamKit: 16). */
  outputCapacity?: number;
  /** How long a source waits for nodes stuck in `Initializing` before starting anyway (default 5000 ms). */
  startTimeoutMs?: number;
  /** Run a graph without `streamkit::http_output` (tests, tools): the output stream is then empty. */
  allowNoOutput?: boolean;
  onState?(nodeId: string, state: NodeState): void;
  onTelemetry?(event: TelemetryEvent): void;
  /** Per-node stats while running, every `statsIntervalMs` (default 1000), and once more at the end. */
  onStats?(nodeId: string, stats: NodeStats): void;
  statsIntervalMs?: number;
  /** Bounds on the YAML, the graph and what nodes emit and log (defaults: `DEFAULT_ENGINE_LIMITS`). */
  limits?: Partial<EngineLimits>;
}

export interface OneshotRun {
  /** http_output's `content_type` › the feeding node's content type › the input's › application/octet-stream. */
  readonly contentType: string;
  /** The response body. Breaking out of iteration (or `return()`) stops the whole graph. */
  readonly output: AsyncIterableIterator<Uint8Array>;
  /** Settles when every node finished: resolves on success, rejects with the failure (or cancellation). */
  readonly done: Promise<void>;
  /** Unknown params that were ignored, one per node and key (empty under `strictParams`). */
  readonly warnings: ValidationProblem[];
  cancel(): void;
  states(): Record<string, NodeState>;
  stats(): Record<string, NodeStats>;
}

function toIterable(input: OneshotOptions['input']): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (input instanceof Uint8Array) return [input];
  return input ?? [];
}

/** Compile a YAML text or spec for oneshot, throwing `OneshotError('invalid')` with every problem. */
function compileOneshot(pipeline: string | PipelineSpec, options: OneshotOptions, limits: EngineLimits) {
  let spec: PipelineSpec;
  if (typeof pipeline === 'string') {
    const parsed = tryParsePipelineYaml(pipeline, { limits });
    if (!parsed.spec)
      throw new OneshotError(
        new PipelineValidationError(parsed.problems).message,
        'invalid',
        parsed.problems,
      );
    spec = parsed.spec;
  } else spec = pipeline;

  const problems = oneshotProblems(spec, {
    uploaded: options.input !== undefined,
    allowNoOutput: options.allowNoOutput,
  });
  const compiled = compilePipeline(spec, options.registry, {
    mode: 'oneshot',
    services: options.services,
    limits,
  });
  problems.push(...compiled.problems);
  if (problems.length > 0 || !compiled.pipeline) {
    throw new OneshotError(new PipelineValidationError(problems).message, 'invalid', problems);
  }
  return {
    pipeline: compiled.pipeline,
    outputId: Object.keys(spec.nodes).find((id) => spec.nodes[id].kind === HTTP_OUTPUT_KIND),
    warnings: compiled.warnings,
  };
}

/**
 * Run a pipeline once. Resolves when the first output byte is ready or the run ended; rejects with
 * `OneshotError` when the pipeline is invalid or a node fails before any output byte.
 */
export async function runOneshot(
  pipeline: string | PipelineSpec,
  options: OneshotOptions,
): Promise<OneshotRun> {
  const limits = resolveEngineLimits(options.limits);
  const { pipeline: compiled, outputId, warnings } = compileOneshot(pipeline, options, limits);
  const registry = options.registry;

  let failure: OneshotError | undefined;
  const finalStates = nodeRecord<NodeState>();
  // eslint-disable-next-line prefer-const -- assigned after the graph that the callbacks close over
  let stream: ByteStream;
  const services: NodeServices = { ...options.services };
  if (options.input !== undefined) {
    const source: OneshotInputSource = {
      chunks: toIterable(options.input),
      contentType: options.inputContentType,
    };
    services[ONESHOT_INPUT_SERVICE] = source;
  }

  const fail = (err: OneshotError): void => {
    if (failure) return;
    failure = err;
    stream.fail(err);
    graph.cancelAll();
  };

  const graph = new Graph({
    mode: 'oneshot',
    services,
    log: options.log,
    batchSize: options.batchSize,
    channelCapacity: options.channelCapacity,
    startTimeoutMs: options.startTimeoutMs,
    limits,
    onState: (id, state) => {
      finalStates[id] = state;
      options.onState?.(id, state);
      if (typeof state === 'object' && 'Failed' in state) {
        const kind = compiled.nodes.get(id)?.kind ?? 'unknown';
        if (graph.runners.get(id)?.failedOnMedia) {
          const prefix = `Node '${id}' (${kind}): `;
          const reason = state.Failed.reason.startsWith(prefix)
            ? state.Failed.reason.slice(prefix.length)
            : state.Failed.reason;
          fail(
            new OneshotError(`Node '${id}' (${kind}) cannot read its input: ${reason}`, 'bad_media', [], id),
          );
        } else {
          fail(new OneshotError(`Node '${id}' (${kind}) failed: ${state.Failed.reason}`, 'failed', [], id));
        }
      }
    },
    onTelemetry: options.onTelemetry,
  });
  stream = new ByteStream(options.outputCapacity ?? 16, () => graph.cancelAll());
  services[ONESHOT_OUTPUT_SERVICE] = stream;

  const runners: NodeRunner[] = [];
  const createProblems: ValidationProblem[] = [];
  for (const node of compiled.nodes.values()) {
    const def = registry.get(node.kind);
    if (!def) continue;
    try {
      const runner = graph.instantiate({ id: node.id, def, params: node.params, pins: node.pins });
      graph.add(runner);
      runners.push(runner);
    } catch (err) {
      createProblems.push({
        nodeId: node.id,
        message: `Node '${node.id}' (${node.kind}): ${(err as Error).message}`,
      });
    }
  }
  if (createProblems.length > 0) {
    graph.cancelAll();
    throw new OneshotError(new PipelineValidationError(createProblems).message, 'invalid', createProblems);
  }
  for (const c of compiled.connections) graph.connect(c);

  let contentType = options.inputContentType ?? 'application/octet-stream';
  if (outputId !== undefined) {
    const out = compiled.nodes.get(outputId);
    const feeding = compiled.connections.find((c) => c.to_node === outputId);
    const feeder = feeding ? compiled.nodes.get(feeding.from_node) : undefined;
    const fromFeeder = feeder ? registry.get(feeder.kind)?.contentType?.(feeder.params) : undefined;
    const explicit = out?.params.content_type;
    contentType = typeof explicit === 'string' && explicit !== '' ? explicit : (fromFeeder ?? contentType);
  }

  const onAbort = (): void => fail(new OneshotError('Oneshot run cancelled', 'cancelled'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const reportStats = (): void => {
    for (const [id, r] of graph.runners) options.onStats?.(id, r.statsSnapshot());
  };
  const ticker = options.onStats ? setInterval(reportStats, options.statsIntervalMs ?? 1000) : undefined;
  ticker?.unref();

  for (const r of runners) graph.start(r);

  const done = graph.allFinished().then(() => {
    clearInterval(ticker);
    if (options.onStats) reportStats();
    options.signal?.removeEventListener('abort', onAbort);
    if (failure) throw failure;
    stream.end();
  });
  // `done` is also observed through the stream; keep an unobserved rejection from crashing the process.
  done.catch(() => {});

  if (outputId !== undefined) {
    await stream.firstByteOrEnd();
    if (!stream.hasOutput && failure) throw failure;
  }

  return {
    contentType,
    output: stream,
    done,
    warnings,
    cancel: () => graph.cancelAll(),
    states: () => ({
      ...finalStates,
      ...Object.fromEntries([...graph.runners].map(([id, r]) => [id, r.state])),
    }),
    stats: () => Object.fromEntries([...graph.runners].map(([id, r]) => [id, r.statsSnapshot()])),
  };
}
