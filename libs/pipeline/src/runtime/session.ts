// A dynamic session: a live graph changed by commands (validated before they touch anything, answered
// with a result or a typed error) that emits an event for every change, state, stats tick and telemetry.
import { Listeners } from '../core/listeners';
import type { Logger, NodeServices } from '../core/node';
import { compilePipeline, type CompiledPipeline } from '../definition/compile';
import { limitText, resolveEngineLimits, type EngineLimits } from '../definition/limits';
import {
  connectionKey,
  connectionLabel,
  nodeRecord,
  sameConnection,
  type ConnectionSpec,
  type KindCatalog,
  type KindInfo,
  type PipelineSpec,
  type ValidationProblem,
} from '../definition/types';
import type { NodeRegistry } from '../registry/registry';
import { Graph } from './graph';
import type { NodeRunner } from './node-runner';
import { truncateStrings } from './telemetry';
import {
  SessionCommandError,
  type BatchOperation,
  type CommandResult,
  type CommandResults,
  type ConnectCommand,
  type PipelineView,
  type SessionCommand,
  type SessionErrorBody,
  type SessionErrorCode,
  type SessionEvent,
  type TuneResult,
} from './session-types';

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

type Located = { code: SessionErrorCode; problem: ValidationProblem };

/** The connection of a command or event, `mode` only when it is not the default. */
export function toConnection(c: ConnectCommand | ConnectionSpec): ConnectionSpec {
  const out: ConnectionSpec = {
    from_node: c.from_node,
    from_pin: c.from_pin,
    to_node: c.to_node,
    to_pin: c.to_pin,
  };
  if (c.mode === 'best_effort') out.mode = 'best_effort';
  return out;
}

function cloneSpec(spec: PipelineSpec): PipelineSpec {
  return { ...spec, nodes: nodeRecord(Object.entries(spec.nodes)), connections: [...spec.connections] };
}

/** A candidate spec's connections indexed by key and by node, so a batch of edits stays linear. */
class ConnectionIndex {
  private readonly byKey = new Map<string, ConnectionSpec>();
  private readonly byNode = new Map<string, Set<string>>();

  constructor(list: readonly ConnectionSpec[]) {
    for (const c of list) this.add(c);
  }

  get size(): number {
    return this.byKey.size;
  }

  has(c: ConnectionSpec): boolean {
    return this.byKey.has(connectionKey(c));
  }

  add(c: ConnectionSpec): void {
    const key = connectionKey(c);
    this.byKey.set(key, c);
    for (const id of [c.from_node, c.to_node]) {
      const keys = this.byNode.get(id);
      if (keys) keys.add(key);
      else this.byNode.set(id, new Set([key]));
    }
  }

  delete(c: ConnectionSpec): boolean {
    const key = connectionKey(c);
    if (!this.byKey.delete(key)) return false;
    this.byNode.get(c.from_node)?.delete(key);
    this.byNode.get(c.to_node)?.delete(key);
    return true;
  }

  /** Drops every connection touching `id`. */
  dropNode(id: string): void {
    for (const key of this.byNode.get(id) ?? []) {
      const c = this.byKey.get(key);
      if (c) this.delete(c);
    }
    this.byNode.delete(id);
  }

  list(): ConnectionSpec[] {
    return [...this.byKey.values()];
  }
}

function errorBody(found: Located[]): SessionErrorBody {
  const codes = new Set(found.map((f) => f.code));
  const problems = found.map((f) => f.problem);
  return {
    code: codes.size === 1 ? found[0].code : 'invalid',
    message:
      problems.length === 1
        ? problems[0].message
        : `${problems.length} problems: ${problems.map((p) => p.message).join('; ')}`,
    problems,
  };
}

const now = (): string => new Date().toISOString();

/** Nodes created, applied or cancelled between two turns given to the event loop. */
const YIELD_EVERY = 64;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Session {
  readonly id: string;
  readonly name?: string;
  /** Unknown params ignored when the session was created from a spec (see `create`). */
  warnings: ValidationProblem[] = [];
  private readonly registry: NodeRegistry;
  private readonly graph: Graph;
  private spec: PipelineSpec;
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

  constructor(private readonly options: SessionOptions) {
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

  private fail(code: SessionErrorCode, problem: ValidationProblem): CommandResult<never> {
    return { ok: false, error: errorBody([{ code, problem }]) };
  }

  private async run(command: SessionCommand): Promise<CommandResult<unknown>> {
    if (this.destroyed) {
      return this.fail('not_found', { message: `Session '${this.id}' was destroyed` });
    }
    switch (command.type) {
      case 'get_pipeline':
        return { ok: true, result: this.getPipeline() };
      case 'destroy':
        await this.destroy();
        return { ok: true, result: { session_id: this.id } };
      case 'validate_batch': {
        const checked = await this.plan(command.operations);
        return {
          ok: true,
          result: {
            valid: checked.found.length === 0,
            problems: checked.found.map((f) => f.problem),
            warnings: checked.warnings,
          },
        };
      }
      case 'apply_batch':
        return this.applyOperations(command.operations, true);
      default: {
        const res = await this.applyOperations([command], false);
        return res.ok ? { ok: true, result: res.single } : res;
      }
    }
  }

  /**
   * Check operations against a copy of the model, in order, then compile the result. Returns the
   * candidate spec (params normalized) and every problem with its error code.
   */
  private async plan(operations: BatchOperation[]): Promise<{
    found: Located[];
    warnings: ValidationProblem[];
    spec: PipelineSpec;
    compiled?: CompiledPipeline;
    tunes: Map<number, TuneResult>;
  }> {
    const spec = cloneSpec(this.spec);
    const found: Located[] = [];
    const warnings: ValidationProblem[] = [];
    const tunes = new Map<number, TuneResult>();
    if (!Array.isArray(operations)) {
      const problem = { message: 'operations must be a list' };
      return { found: [{ code: 'invalid', problem }], warnings, spec, tunes };
    }
    // A batch can at most fill the session: refuse a larger one before looking at any operation.
    const maxOperations = this.limits.maxNodes + this.limits.maxConnections;
    if (operations.length > maxOperations) {
      const message =
        `Batch has ${operations.length} operations; at most ${maxOperations} fit in a session ` +
        `(${limitText(this.limits, 'maxNodes')}, ${limitText(this.limits, 'maxConnections')})`;
      return { found: [{ code: 'invalid', problem: { message } }], warnings, spec, tunes };
    }
    const connections = new ConnectionIndex(spec.connections);
    const checkedHere = new Set<string>();
    const check = (op: BatchOperation, i: number): void => {
      const where = operations.length > 1 ? `Operation ${i} (${op.type}): ` : '';
      switch (op.type) {
        case 'add_node': {
          if (typeof op.node_id !== 'string' || op.node_id === '' || typeof op.kind !== 'string') {
            found.push({
              code: 'invalid',
              problem: { message: `${where}add_node needs a node_id and a kind` },
            });
            return;
          }
          if (!this.registry.has(op.kind)) {
            found.push({
              code: 'invalid',
              problem: {
                nodeId: op.node_id,
                message: `${where}Node '${op.node_id}': unknown kind '${op.kind}'`,
              },
            });
            return;
          }
          if (Object.hasOwn(spec.nodes, op.node_id)) {
            found.push({
              code: 'conflict',
              problem: {
                nodeId: op.node_id,
                message: `${where}node '${op.node_id}' already exists; remove it first or pick another id`,
              },
            });
            return;
          }
          const checked = this.registry.describe(op.kind)?.checkParams(op.params, this.graph.services);
          const valid = checked !== undefined && checked.problems.length === 0;
          spec.nodes[op.node_id] = { kind: op.kind, params: valid ? checked.params : op.params };
          // Checked once here: compile does not validate the same params again (nor warn again).
          if (valid) {
            checkedHere.add(op.node_id);
            for (const w of checked.warnings ?? []) {
              const message = `${where}Node '${op.node_id}' (${op.kind}): ${w.message}`;
              warnings.push({ nodeId: op.node_id, path: w.path, message });
            }
          } else checkedHere.delete(op.node_id);
          return;
        }
        case 'remove_node': {
          if (!Object.hasOwn(spec.nodes, op.node_id)) {
            found.push({
              code: 'not_found',
              problem: { nodeId: op.node_id, message: `${where}node '${op.node_id}' does not exist` },
            });
            return;
          }
          delete spec.nodes[op.node_id];
          connections.dropNode(op.node_id);
          return;
        }
        case 'connect': {
          const c = toConnection(op);
          let missing = false;
          for (const id of [c.from_node, c.to_node]) {
            if (!Object.hasOwn(spec.nodes, id)) {
              found.push({
                code: 'not_found',
                problem: {
                  nodeId: id,
                  message: `${where}cannot connect ${connectionLabel(c)}: node '${id}' does not exist`,
                },
              });
              missing = true;
            }
          }
          if (missing) return;
          if (connections.has(c)) {
            found.push({
              code: 'conflict',
              problem: {
                nodeId: c.to_node,
                pin: c.to_pin,
                message: `${where}connection ${connectionLabel(c)} already exists`,
              },
            });
            return;
          }
          connections.add(c);
          return;
        }
        case 'disconnect': {
          const c = toConnection(op);
          if (!connections.delete(c)) {
            found.push({
              code: 'not_found',
              problem: {
                nodeId: c.to_node,
                pin: c.to_pin,
                message: `${where}connection ${connectionLabel(c)} does not exist`,
              },
            });
            return;
          }
          return;
        }
        case 'tune_node': {
          const node = Object.hasOwn(spec.nodes, op.node_id) ? spec.nodes[op.node_id] : undefined;
          if (!node) {
            found.push({
              code: 'not_found',
              problem: { nodeId: op.node_id, message: `${where}node '${op.node_id}' does not exist` },
            });
            return;
          }
          const tuned = this.registry.tuneParams(
            node.kind,
            node.params as Record<string, unknown>,
            op.params,
            this.graph.services,
          );
          for (const p of tuned.problems) {
            found.push({
              code: 'invalid',
              problem: {
                nodeId: op.node_id,
                path: p.path,
                message: `${where}node '${op.node_id}' (${node.kind}): ${p.message}`,
              },
            });
          }
          if (tuned.problems.length === 0) {
            spec.nodes[op.node_id] = { kind: node.kind, params: tuned.params };
            tunes.set(i, { node_id: op.node_id, params: tuned.params, changed: tuned.changed });
          }
          return;
        }
        default:
          found.push({
            code: 'invalid',
            problem: { message: `${where}unknown operation '${(op as { type: unknown }).type}'` },
          });
      }
    };
    // Commands run one at a time, so nothing changes the session while a large batch lets others run.
    for (let i = 0; i < operations.length; i++) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      check(operations[i], i);
    }
    if (operations.length > YIELD_EVERY) await yieldToEventLoop();
    spec.connections = connections.list();
    // Compile even after failed operations (they were skipped) so the caller hears about everything.
    const trustedNodes = new Set(checkedHere);
    for (const id of Object.keys(spec.nodes))
      if (spec.nodes[id] === this.spec.nodes[id]) trustedNodes.add(id);
    const compiled = compilePipeline(spec, this.catalog, {
      mode: 'dynamic',
      services: this.graph.services,
      trustedNodes,
      limits: this.limits,
    });
    for (const p of compiled.problems) found.push({ code: 'invalid', problem: p });
    warnings.push(...compiled.warnings);
    return { found, warnings, spec, compiled: compiled.pipeline, tunes };
  }

  /** Validate everything, create every new node, then apply in order: all or nothing. */
  private async applyOperations(
    operations: BatchOperation[],
    batch: boolean,
  ): Promise<
    | { ok: true; result: { applied: number; warnings: ValidationProblem[] }; single?: unknown }
    | { ok: false; error: SessionErrorBody }
  > {
    // Checking a large batch takes a while: let what the caller did before (parsing its YAML) end first.
    if (operations.length > YIELD_EVERY) {
      await yieldToEventLoop();
      if (this.destroyed) return this.destroyedDuring();
    }
    const planned = await this.plan(operations);
    if (this.destroyed) return this.destroyedDuring();
    if (planned.found.length > 0 || !planned.compiled) return { ok: false, error: errorBody(planned.found) };
    const compiled = planned.compiled;

    // Instantiate first: a kind whose create() throws aborts the batch before anything changed.
    const created = new Map<number, NodeRunner>();
    const createProblems: Located[] = [];
    const destroyedMidway = (): { ok: false; error: SessionErrorBody } => {
      for (const r of created.values()) if (!this.graph.runners.has(r.id)) r.cancel();
      return this.destroyedDuring();
    };
    for (let i = 0; i < operations.length; i++) {
      // A large batch gives the event loop a turn every few dozen nodes (the API stays responsive).
      if (i > 0 && i % YIELD_EVERY === 0) {
        await yieldToEventLoop();
        if (this.destroyed) return destroyedMidway();
      }
      const op = operations[i];
      if (op.type !== 'add_node') continue;
      const node = compiled.nodes.get(op.node_id);
      const def = this.registry.get(op.kind);
      if (!node || !def) continue;
      try {
        created.set(i, this.graph.instantiate({ id: node.id, def, params: node.params, pins: node.pins }));
      } catch (err) {
        createProblems.push({
          code: 'invalid',
          problem: {
            nodeId: op.node_id,
            message: `Node '${op.node_id}' (${op.kind}): ${(err as Error).message}`,
          },
        });
      }
    }
    if (createProblems.length > 0) {
      for (const r of created.values()) r.cancel();
      return { ok: false, error: errorBody(createProblems) };
    }

    let single: unknown;
    for (let i = 0; i < operations.length; i++) {
      if (i > 0 && i % YIELD_EVERY === 0) {
        await yieldToEventLoop();
        if (this.destroyed) return destroyedMidway();
      }
      const op = operations[i];
      switch (op.type) {
        case 'add_node': {
          const runner = created.get(i) as NodeRunner;
          this.spec.nodes[op.node_id] = { kind: op.kind, params: runner.params };
          const info = compiled.nodes.get(op.node_id)?.info as KindInfo;
          // Running nodes were validated when added; if their kind goes away, keep them as they are.
          this.kindsInUse.set(op.kind, {
            ...info,
            checkParams: (params) => ({ params: params as Record<string, unknown>, problems: [] }),
          });
          this.graph.add(runner);
          this.emit({
            type: 'node_added',
            session_id: this.id,
            node_id: op.node_id,
            kind: op.kind,
            params: runner.params,
          });
          this.emit({
            type: 'node_state',
            session_id: this.id,
            node_id: op.node_id,
            state: runner.state,
            timestamp: now(),
          });
          this.graph.start(runner);
          single = {
            node_id: op.node_id,
            kind: op.kind,
            params: runner.params,
            ...(planned.warnings.length > 0 ? { warnings: planned.warnings } : {}),
          };
          break;
        }
        case 'remove_node': {
          for (const c of this.spec.connections.filter(
            (d) => d.from_node === op.node_id || d.to_node === op.node_id,
          )) {
            this.removeConnection(c);
          }
          delete this.spec.nodes[op.node_id];
          await this.withTimeout(this.graph.remove(op.node_id));
          this.emit({ type: 'node_removed', session_id: this.id, node_id: op.node_id });
          single = { node_id: op.node_id };
          break;
        }
        case 'connect': {
          const c = toConnection(op);
          this.graph.connect(c);
          this.spec.connections.push(c);
          this.emit({ type: 'connection_added', session_id: this.id, ...c, mode: c.mode ?? 'reliable' });
          single = c;
          break;
        }
        case 'disconnect': {
          const c = this.spec.connections.find((d) => sameConnection(d, toConnection(op))) as ConnectionSpec;
          this.removeConnection(c);
          single = { ...c };
          break;
        }
        case 'tune_node': {
          const tuned = planned.tunes.get(i) as TuneResult;
          const runner = this.graph.runners.get(op.node_id);
          this.spec.nodes[op.node_id] = { kind: this.spec.nodes[op.node_id].kind, params: tuned.params };
          if (runner) {
            runner.params = tuned.params;
            try {
              runner.instance?.tune?.(tuned.params, tuned.changed);
            } catch (err) {
              runner.stats.errored++;
              this.options.log?.warn('tune failed', { node_id: op.node_id, error: (err as Error).message });
            }
          }
          this.emit({
            type: 'node_params_changed',
            session_id: this.id,
            node_id: op.node_id,
            params: tuned.params,
            changed: tuned.changed,
          });
          single = tuned;
          break;
        }
      }
    }
    const warnings = planned.warnings;
    return batch
      ? { ok: true, result: { applied: operations.length, warnings } }
      : { ok: true, result: { applied: 1, warnings }, single };
  }

  private destroyedDuring(): { ok: false; error: SessionErrorBody } {
    const message = `Session '${this.id}' was destroyed during the command`;
    return { ok: false, error: errorBody([{ code: 'not_found', problem: { message } }]) };
  }

  private removeConnection(c: ConnectionSpec): void {
    this.graph.disconnect(c);
    const idx = this.spec.connections.findIndex((d) => sameConnection(c, d));
    if (idx >= 0) this.spec.connections.splice(idx, 1);
    this.emit({ type: 'connection_removed', session_id: this.id, ...c, mode: c.mode ?? 'reliable' });
  }
}
