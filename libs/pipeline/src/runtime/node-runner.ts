// Hosts one node instance: builds its NodeContext (pins, state, stats, telemetry, start gate,
// cancellation), runs it, and turns its outcome into a final state and end-of-stream on its outputs.
import type {
  AnyNodeDefinition,
  ExecutionMode,
  Logger,
  NodeContext,
  NodeInstance,
  NodeServices,
  NodeState,
  NodeStats,
  NodeStatsCounters,
  Receiver,
  Sender,
} from '../core/node';
import { pinMatches, type PinSet } from '../core/pin-types';
import { InputChannel, NodeMeter, OutputPort } from './channel';
import { TELEMETRY_TYPE_ID, TelemetryRateLimiter, type TelemetryEvent } from './telemetry';
import { DEFAULT_NODE_LIMITS, type NodeLimits } from '../definition/limits';
import { NodeLogLimiter } from './log-limiter';
import { MediaError } from '../core/media-error';

export interface NodeRunnerHooks {
  onState(runner: NodeRunner, state: NodeState): void;
  onTelemetry(event: TelemetryEvent): void;
  /** The node started waiting in `waitForStart` (the graph may release it at once). */
  onStartWait(runner: NodeRunner): void;
  /** The runner's `run()` settled (state already final). */
  onFinished(runner: NodeRunner): void;
}

export interface NodeRunnerOptions {
  id: string;
  def: AnyNodeDefinition;
  params: Record<string, unknown>;
  pins: PinSet;
  mode: ExecutionMode;
  sessionId?: string;
  services: NodeServices;
  log: Logger;
  batchSize: number;
  channelCapacity: number;
  telemetryRate?: number;
  /** Packet size and log rate bounds (defaults: `DEFAULT_NODE_LIMITS`). */
  limits?: NodeLimits;
  hooks: NodeRunnerHooks;
}

/** The abort reason of every cancelled node: one shared value (a DOMException per node costs a stack trace). */
const CANCELLED = new Error('node cancelled');

/** A logger that adds `bound` to every record (e.g. the session id), under the record's own fields. */
export function withLogFields(log: Logger, bound: Record<string, unknown>): Logger {
  const merge = (fields?: Record<string, unknown>) => (fields ? { ...bound, ...fields } : bound);
  return {
    debug: (msg, fields) => log.debug(msg, merge(fields)),
    info: (msg, fields) => log.info(msg, merge(fields)),
    warn: (msg, fields) => log.warn(msg, merge(fields)),
    error: (msg, fields) => log.error(msg, merge(fields)),
  };
}

export function isTerminal(state: NodeState): boolean {
  return typeof state === 'object' && ('Stopped' in state || 'Failed' in state);
}

export type RunOutcome = 'running' | 'stopped' | 'failed' | 'cancelled';

export class NodeRunner {
  readonly id: string;
  readonly kind: string;
  readonly def: AnyNodeDefinition;
  params: Record<string, unknown>;
  readonly pins: PinSet;
  readonly stats: NodeStatsCounters = { received: 0, sent: 0, discarded: 0, errored: 0, processingNs: 0 };
  readonly meter = new NodeMeter(this.stats);
  readonly inputs = new Map<string, InputChannel>();
  readonly outputs = new Map<string, OutputPort>();
  readonly isSource: boolean;
  state: NodeState = 'Initializing';
  outcome: RunOutcome = 'running';
  /** Set when the node failed because its input media was bad (a `MediaError`): the caller's fault. */
  failedOnMedia = false;
  readonly finished: Promise<void>;
  readonly ctx: NodeContext;
  instance?: NodeInstance;

  private readonly abort = new AbortController();
  private readonly inputListeners: ((pin: string) => void)[] = [];
  private readonly startedAt = performance.now();
  private readonly limiter: TelemetryRateLimiter;
  private readonly logLimiter: NodeLogLimiter;
  private startWaiter: ((go: boolean) => void) | null = null;
  private released = false;
  private running = false;
  private resolveFinished!: () => void;

  constructor(private readonly opts: NodeRunnerOptions) {
    this.id = opts.id;
    this.kind = opts.def.kind;
    this.def = opts.def;
    this.params = opts.params;
    this.pins = opts.pins;
    this.isSource = opts.pins.inputs.length === 0;
    this.limiter = new TelemetryRateLimiter(opts.telemetryRate);
    const limits = opts.limits ?? DEFAULT_NODE_LIMITS;
    this.logLimiter = new NodeLogLimiter(opts.log, opts.id, limits.nodeLogLinesPerSec, limits.nodeLogBurst);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    // A node that waits on its inputs before saying anything is ready: promote it so sources can start.
    this.meter.onWait = () => {
      if (this.state === 'Initializing') this.setState('Running');
      this.meter.onWait = null;
    };
    if (opts.mode === 'dynamic') {
      for (const p of opts.pins.inputs) {
        if (typeof p.cardinality !== 'object') this.ensureInput(p.name);
      }
    }
    this.ctx = this.buildContext();
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get waitingForStart(): boolean {
    return this.startWaiter !== null;
  }

  /** Instantiate the node; throws what the definition's `create` throws. */
  create(): void {
    this.instance = this.def.create(this.params, this.ctx);
  }

  /** The input channel for a pin, created on first use (declared pins and dynamic families only). */
  ensureInput(pin: string): InputChannel {
    let ch = this.inputs.get(pin);
    if (ch) return ch;
    if (!this.pins.inputs.some((p) => pinMatches(p, pin))) {
      throw new Error(`Node '${this.id}' (${this.kind}) has no input pin '${pin}'`);
    }
    // A oneshot graph is wired before it runs: an input nobody feeds is at end-of-stream from the start.
    ch = new InputChannel(this.opts.channelCapacity, this.meter, this.opts.mode === 'oneshot');
    if (this.outcome !== 'running') ch.closeReader();
    this.inputs.set(pin, ch);
    if (this.running) for (const l of this.inputListeners) l(pin);
    return ch;
  }

  ensureOutput(pin: string): OutputPort {
    let port = this.outputs.get(pin);
    if (port) return port;
    if (!this.pins.outputs.some((p) => pinMatches(p, pin))) {
      throw new Error(`Node '${this.id}' (${this.kind}) has no output pin '${pin}'`);
    }
    port = new OutputPort(this.meter, this.opts.mode === 'oneshot');
    if (this.outcome !== 'running') port.closeOwner();
    this.outputs.set(pin, port);
    return port;
  }

  setState(state: NodeState): void {
    if (typeof state === 'string' && state === this.state) return;
    if (isTerminal(this.state) && this.outcome !== 'running') return;
    this.state = state;
    this.opts.hooks.onState(this, state);
  }

  /** Let a node waiting in `waitForStart` go (the graph decides when). */
  release(): void {
    this.released = true;
    const w = this.startWaiter;
    if (w) {
      this.startWaiter = null;
      this.meter.endWait();
      w(true);
    }
  }

  /** Start `run()`; the returned promise never rejects (failures become states). */
  start(): void {
    if (this.running || !this.instance) return;
    this.running = true;
    const instance = this.instance;
    void (async () => {
      let error: unknown;
      let failed = false;
      try {
        await instance.run();
      } catch (err) {
        failed = true;
        error = err;
      }
      this.meter.finish();
      this.finish(failed, error);
    })();
  }

  /** Cancel the node (remove/destroy): its signal fires, its waits end, it ends as `Stopped{shutdown}`. */
  cancel(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort(CANCELLED);
    for (const ch of this.inputs.values()) ch.closeReader();
    for (const port of this.outputs.values()) port.closeOwner();
    const w = this.startWaiter;
    if (w) {
      this.startWaiter = null;
      this.meter.endWait();
      w(false);
    }
    if (!this.running) this.finish(false, undefined);
  }

  statsSnapshot(): NodeStats {
    return {
      received: this.stats.received,
      sent: this.stats.sent,
      discarded: this.stats.discarded,
      errored: this.stats.errored,
      duration_secs: (performance.now() - this.startedAt) / 1000,
      processing_secs: this.stats.processingNs / 1e9,
    };
  }

  private finish(failed: boolean, error: unknown): void {
    if (this.outcome !== 'running') return;
    const cancelled = this.abort.signal.aborted;
    const reported = this.state;
    if (failed && !cancelled) {
      this.outcome = 'failed';
      this.failedOnMedia = error instanceof MediaError;
      const reason = error instanceof Error ? error.message : String(error);
      this.setStateFinal({ Failed: { reason } });
    } else if (typeof reported === 'object' && 'Failed' in reported) {
      this.outcome = 'failed';
      this.setStateFinal(reported);
    } else if (cancelled) {
      this.outcome = 'cancelled';
      this.setStateFinal({ Stopped: { reason: 'shutdown' } });
    } else {
      this.outcome = 'stopped';
      if (!(typeof reported === 'object' && 'Stopped' in reported)) {
        this.setStateFinal({ Stopped: { reason: this.isSource ? 'completed' : 'input_closed' } });
      }
    }
    for (const ch of this.inputs.values()) ch.closeReader();
    for (const port of this.outputs.values()) {
      port.closeOwner();
      // A stream that ended normally ends downstream too; a failed or removed node may be replaced, so
      // its downstream keeps waiting instead of seeing end-of-stream.
      for (const link of port.links) link.detach(this.outcome === 'stopped');
    }
    const w = this.startWaiter;
    if (w) {
      this.startWaiter = null;
      w(false);
    }
    this.logLimiter.flush();
    this.opts.hooks.onFinished(this);
    this.resolveFinished();
  }

  private setStateFinal(state: NodeState): void {
    if (this.state === state) return;
    this.state = state;
    this.opts.hooks.onState(this, state);
  }

  private emitTelemetry(eventType: string, data?: Record<string, unknown>): void {
    if (!this.limiter.allow(eventType, Date.now())) return;
    const payload: Record<string, unknown> =
      data === undefined || data === null || typeof data !== 'object' || Array.isArray(data)
        ? { event_type: eventType, ...(data === undefined ? {} : { value: data }) }
        : { ...data, event_type: eventType };
    const event: TelemetryEvent = {
      node_id: this.id,
      type_id: TELEMETRY_TYPE_ID,
      data: payload,
      timestamp_us: Date.now() * 1000,
    };
    if (this.opts.sessionId !== undefined) event.session_id = this.opts.sessionId;
    this.opts.hooks.onTelemetry(event);
  }

  private buildContext(): NodeContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context is a facade over the runner
    const runner = this;
    const opts = this.opts;
    return {
      nodeId: opts.id,
      kind: opts.def.kind,
      mode: opts.mode,
      sessionId: opts.sessionId,
      input(pin: string): Receiver {
        return runner.ensureInput(pin);
      },
      inputPins(): string[] {
        return [...runner.inputs.keys()];
      },
      onInputAdded(listener: (pin: string) => void): void {
        runner.inputListeners.push(listener);
      },
      output(pin: string): Sender {
        return runner.ensureOutput(pin);
      },
      setState(state: NodeState): void {
        runner.setState(state);
      },
      stats: runner.stats,
      telemetry(eventType: string, data?: Record<string, unknown>): void {
        runner.emitTelemetry(eventType, data);
      },
      waitForStart(): Promise<boolean> {
        if (runner.abort.signal.aborted || runner.outcome !== 'running') return Promise.resolve(false);
        if (runner.released) return Promise.resolve(true);
        if (runner.state === 'Initializing') runner.setState('Ready');
        return new Promise<boolean>((resolve) => {
          runner.meter.beginWait();
          runner.startWaiter = resolve;
          runner.opts.hooks.onStartWait(runner);
        });
      },
      signal: this.abort.signal,
      log: this.logLimiter.logger,
      services: opts.services,
      batchSize: opts.batchSize,
      limits: opts.limits ?? DEFAULT_NODE_LIMITS,
    };
  }
}
