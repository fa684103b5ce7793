// A dynamic session: a live graph changed by commands (validated before they touch anything, answered
// with a result or a typed error) that emits an event for every change, state, stats tick and telemetry.
import { Listeners } from '../core/listeners';
import type { Logger, NodeServices } from '../core/node';
import { resolveEngineLimits, type EngineLimits } from '../definition/limits';
import {
  nodeRecord,
  sameConnection,
  type ConnectionSpec,
  type KindCatalog,
  type KindInfo,
  type PipelineSpec,
  type ValidationProblem,
} from '../definition/types';
import type { NodeRegistry } from '../registry/registry';
import { applyOperations, YIELD_EVERY } from './commands/batch';
import { commandHandler, type CommandResults, type SessionCommand } from './commands';
import { failure, type SessionContext } from './commands/types';
import { Graph } from './graph';
import type { NodeRunner } from './node-runner';
import { truncateStrings } from './telemetry';
import {
  SessionCommandError,
  type BatchOperation,
  type CommandResult,
  type ConnectCommand,
  type PipelineView,
  type SessionEvent,
} from './session-types';

export { toConnection } from './commands/connections';

export interface SessionOptions {
  registry: NodeRegistry;
  id?: string;
  name?: string;
  services?: NodeServices;
  log?: Logger;
  /** Stats snapshot cadence (at least once a second by default). */
  statsIntervalMs?: number;
  channelCapacity?: number;
  batchSize?: number;
  telemetryRate?: number;
  /** How long `destroy`/`remove_node` wait for a node to finish after cancelling it. */
  stopTimeoutMs?: number;
  /** How long a source waits for nodes stuck in `Initializing` before starting anyway (default 5000 ms). */
  startTimeoutMs?: number;
  /** Subscribed before anything runs, so it also sees the events of building the initial pipeline. */
  onEvent?(event: SessionEvent): void;
  /** Bounds on the graph and on what nodes emit and log (defaults: `DEFAULT_ENGINE_LIMITS`). */
  limits?: Partial<EngineLimits>;
}

const now = (): string => new Date().toISOString();

export class Session {
  readonly id: string;
  readonly name?: string;
  /** Unknown params ignored when the session was created from a spec (see `create`). */
  warnings: ValidationProblem[] = [];
  private readonly registry: NodeRegistry;
  private readonly graph: Graph;
  private readonly spec: PipelineSpec;
  private readonly listeners: Listeners<[SessionEvent]>;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ticker: NodeJS.Timeout;
  private destroyed = false;
  private readonly stopTimeoutMs: number;
  private readonly limits: EngineLimits;
  /** Kinds of nodes already in the session: a plugin unloaded later must not make every command fail. */
  private readonly kindsInUse = new Map<string, KindInfo>();
  private readonly catalog: KindCatalog = {
    describe: (kind) => this.registry.describe(kind) ?? this.kindsInUse.get(kind),
  };
  /** The session as its commands see it (`commands/`). */
  private readonly context: SessionContext;

  constructor(options: SessionOptions) {
    this.id = options.id ?? crypto.randomUUID();
    this.name = options.name;
    this.registry = options.registry;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.limits = resolveEngineLimits(options.limits);
    this.spec = { mode: 'dynamic', nodes: nodeRecord(), connections: [] };
    this.listeners = new Listeners('session event', (err) =>
      options.log?.error('session event listener threw', { error: (err as Error).message }),
    );
    if (options.onEvent) this.listeners.add(options.onEvent);
    if (options.name !== undefined) this.spec.name = options.name;
    this.graph = new Graph({
      mode: 'dynamic',
      sessionId: this.id,
      services: options.services,
      log: options.log,
      channelCapacity: options.channelCapacity,
      batchSize: options.batchSize,
      telemetryRate: options.telemetryRate,
      startTimeoutMs: options.startTimeoutMs,
      limits: this.limits,
      onState: (nodeId, state) =>
        this.emit({ type: 'node_state', session_id: this.id, node_id: nodeId, state, timestamp: now() }),
      onTelemetry: (e) =>
        this.emit({
          type: 'node_telemetry',
          session_id: this.id,
          node_id: e.node_id,
          type_id: e.type_id,
          data: truncateStrings(e.data) as Record<string, unknown>,
          timestamp_us: e.timestamp_us,
          timestamp: new Date(e.timestamp_us / 1000).toISOString(),
        }),
      onFinished: (r) => this.emitStats(r),
    });
    this.ticker = setInterval(() => {
      for (const r of this.graph.runners.values()) if (r.outcome === 'running') this.emitStats(r);
    }, options.statsIntervalMs ?? 1000);
    this.ticker.unref();
    this.context = {
      id: this.id,
      registry: this.registry,
      graph: this.graph,
      limits: this.limits,
      catalog: this.catalog,
      log: options.log,
      spec: this.spec,
      kindsInUse: this.kindsInUse,
      isDestroyed: () => this.destroyed,
      emit: (event) => this.emit(event),
      withTimeout: (p) => this.withTimeout(p),
      removeConnection: (c) => this.removeConnection(c),
      getPipeline: () => this.getPipeline(),
      destroy: () => this.destroy(),
    };
  }

  /** Create a session running `spec` (all nodes and connections, atomically); throws SessionCommandError. */
  static async create(options: SessionOptions, spec?: PipelineSpec): Promise<Session> {
    const session = new Session({ ...options, name: options.name ?? spec?.name });
    if (spec) {
      if (spec.description !== undefined) session.spec.description = spec.description;
      const operations: BatchOperation[] = [
        ...Object.entries(spec.nodes).map(([id, n]): BatchOperation => ({
          type: 'add_node',
          node_id: id,
          kind: n.kind,
          params: n.params,
        })),
        ...spec.connections.map((c): BatchOperation => ({ type: 'connect', ...c })),
      ];
      const res = await session.execute({ type: 'apply_batch', operations });
      if (!res.ok) {
        await session.destroy();
        throw new SessionCommandError(res.error);
      }
      session.warnings = res.result.warnings;
    }
    return session;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Listen to every event; returns the unsubscribe function. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Run one command (commands run one at a time, in order). Never throws: failures are values. */
  execute<C extends SessionCommand>(command: C): Promise<CommandResult<CommandResults[C['type']]>> {
    const run = this.queue.then(() => this.run(command));
    this.queue = run.catch(() => {});
    return run as Promise<CommandResult<CommandResults[C['type']]>>;
  }

  // Typed helpers that throw SessionCommandError instead of returning a failed result.
  addNode(node_id: string, kind: string, params?: unknown) {
    return this.unwrap(this.execute({ type: 'add_node', node_id, kind, params }));
  }
  removeNode(node_id: string) {
    return this.unwrap(this.execute({ type: 'remove_node', node_id }));
  }
  connect(c: Omit<ConnectCommand, 'type'>) {
    return this.unwrap(this.execute({ type: 'connect', ...c }));
  }
  disconnect(c: Omit<ConnectCommand, 'type' | 'mode'>) {
    return this.unwrap(this.execute({ type: 'disconnect', ...c }));
  }
  tuneNode(node_id: string, params: Record<string, unknown>) {
    return this.unwrap(this.execute({ type: 'tune_node', node_id, params }));
  }
  applyBatch(operations: BatchOperation[]) {
    return this.unwrap(this.execute({ type: 'apply_batch', operations }));
  }

  /** The pipeline model with live states and stats. */
  getPipeline(): PipelineView {
    const nodes: PipelineView['nodes'] = nodeRecord();
    for (const [id, n] of Object.entries(this.spec.nodes)) {
      const r = this.graph.runners.get(id);
      nodes[id] = { kind: n.kind, params: n.params as Record<string, unknown> };
      if (r) {
        nodes[id].state = r.state;
        nodes[id].stats = r.statsSnapshot();
      }
    }
    const view: PipelineView = {
      mode: 'dynamic',
      nodes,
      connections: this.spec.connections.map((c) => ({ ...c })),
    };
    if (this.spec.name !== undefined) view.name = this.spec.name;
    if (this.spec.description !== undefined) view.description = this.spec.description;
    return view;
  }

  /** The current spec (params with defaults applied), e.g. to export as YAML. */
  getSpec(): PipelineSpec {
    const copy = structuredClone(this.spec);
    copy.nodes = nodeRecord(Object.entries(copy.nodes));
    return copy;
  }

  /** Per-connection drop counters of best-effort links (`from.pin -> to.pin` -> packets dropped). */
  connectionDrops(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const l of this.graph.links.values())
      out[`${l.fromNode}.${l.fromPin} -> ${l.toNode}.${l.toPin}`] = l.dropped;
    return out;
  }

  /** Stop every node and release everything; idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.ticker);
    await this.graph.cancelAllGradually(YIELD_EVERY);
    await this.withTimeout(this.graph.allFinished());
    this.emit({ type: 'session_destroyed', session_id: this.id });
    this.listeners.clear();
  }

  private async unwrap<T>(p: Promise<CommandResult<T>>): Promise<T> {
    const r = await p;
    if (!r.ok) throw new SessionCommandError(r.error);
    return r.result;
  }

  private emit(event: SessionEvent): void {
    this.listeners.emit(event);
  }

  private emitStats(r: NodeRunner): void {
    if (this.graph.runners.get(r.id) !== r) return;
    this.emit({
      type: 'node_stats',
      session_id: this.id,
      node_id: r.id,
      stats: r.statsSnapshot(),
      timestamp: now(),
    });
  }

  private async withTimeout(p: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([p, new Promise<void>((res) => (timer = setTimeout(res, this.stopTimeoutMs)))]);
    clearTimeout(timer);
  }

  private async run(command: SessionCommand): Promise<CommandResult<unknown>> {
    if (this.destroyed) {
      return failure('not_found', { message: `Session '${this.id}' was destroyed` });
    }
    const handler = commandHandler(command.type);
    if (handler) return handler.run(command, this.context);
    // Not a command: answered like an operation of a batch of one (`unknown operation '...'`).
    const res = await applyOperations(this.context, [command as BatchOperation]);
    return res.ok ? { ok: true, result: res.results[0] } : res;
  }

  private removeConnection(c: ConnectionSpec): void {
    this.graph.disconnect(c);
    const idx = this.spec.connections.findIndex((d) => sameConnection(c, d));
    if (idx >= 0) this.spec.connections.splice(idx, 1);
    this.emit({ type: 'connection_removed', session_id: this.id, ...c, mode: c.mode ?? 'reliable' });
  }
}
