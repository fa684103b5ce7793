// The live graph shared by the oneshot runner and dynamic sessions: node runners, links between their
// pins, and the start gate that lets sources produce once no node is still initializing.
import type { AnyNodeDefinition, ExecutionMode, Logger, NodeServices, NodeState } from '../core/node';
import type { PinSet } from '../core/pin-types';
import { connectionKey, type ConnectionSpec } from '../definition/types';
import { Link } from './channel';
import { silentLogger } from '../core/node';
import { NodeRunner } from './node-runner';
import type { TelemetryEvent } from './telemetry';
import { resolveEngineLimits, type EngineLimits } from '../definition/limits';

export interface GraphOptions {
  mode: ExecutionMode;
  sessionId?: string;
  services?: NodeServices;
  log?: Logger;
  /** Greedy drain hint handed to nodes (StreamKit: 32). */
  batchSize?: number;
  /** Packets per input queue (StreamKit: 256 in oneshot, 128 in sessions). */
  channelCapacity?: number;
  /** Telemetry events per event type per second, per node. */
  telemetryRate?: number;
  onState?(nodeId: string, state: NodeState): void;
  onTelemetry?(event: TelemetryEvent): void;
  onFinished?(runner: NodeRunner): void;
  /**
   * A source waits at most this long for other nodes to leave `Initializing` (a node that never reports
   * a state must not hold every source back forever). Default 5000 ms.
   */
  startTimeoutMs?: number;
  /** Packet size and log rate bounds handed to every node (defaults: `DEFAULT_ENGINE_LIMITS`). */
  limits?: Partial<EngineLimits>;
}

export interface NodeToRun {
  id: string;
  def: AnyNodeDefinition;
  params: Record<string, unknown>;
  pins: PinSet;
}

export class Graph {
  readonly runners = new Map<string, NodeRunner>();
  /** Every wired connection, by `connectionKey`. */
  readonly links = new Map<string, Link>();
  readonly services: NodeServices;
  private readonly log: Logger;
  private readonly limits: EngineLimits;
  /** Sources whose start timeout passed: released without waiting for initializing nodes. */
  private readonly overdue = new Set<NodeRunner>();
  /** Keys of the links touching each node, so removing a node does not scan every link. */
  private readonly linksOf = new Map<string, Set<string>>();
  /** Added runners still `Initializing`, and runners waiting in `waitForStart`: kept so release checks are O(waiting). */
  private readonly initializing = new Set<NodeRunner>();
  private readonly waiting = new Set<NodeRunner>();

  constructor(private readonly opts: GraphOptions) {
    this.services = opts.services ?? {};
    this.log = opts.log ?? silentLogger;
    this.limits = resolveEngineLimits(opts.limits);
  }

  get mode(): ExecutionMode {
    return this.opts.mode;
  }

  /** Build a runner and its node instance; throws when the kind's `create` throws. Not added yet. */
  instantiate(node: NodeToRun): NodeRunner {
    const runner = new NodeRunner({
      id: node.id,
      def: node.def,
      params: node.params,
      pins: node.pins,
      mode: this.opts.mode,
      sessionId: this.opts.sessionId,
      services: this.services,
      log: this.log,
      batchSize: this.opts.batchSize ?? 32,
      channelCapacity: this.opts.channelCapacity ?? (this.opts.mode === 'oneshot' ? 256 : 128),
      telemetryRate: this.opts.telemetryRate,
      limits: this.limits,
      hooks: {
        onState: (r, state) => {
          if (this.runners.get(r.id) !== r) return;
          if (state !== 'Initializing') this.initializing.delete(r);
          this.opts.onState?.(r.id, state);
          this.checkRelease();
        },
        onTelemetry: (event) => this.opts.onTelemetry?.(event),
        onStartWait: (r) => {
          this.waiting.add(r);
          const timer = setTimeout(() => {
            if (!r.waitingForStart) return;
            const pending = [...this.initializing].map((x) => x.id);
            this.log.warn('starting source although nodes are still initializing', {
              node_id: r.id,
              initializing: pending,
            });
            this.overdue.add(r);
            this.checkRelease();
          }, this.opts.startTimeoutMs ?? 5000);
          timer.unref();
          void r.finished.then(() => clearTimeout(timer));
          this.checkRelease();
        },
        onFinished: (r) => {
          this.initializing.delete(r);
          this.opts.onFinished?.(r);
          this.checkRelease();
        },
      },
    });
    runner.create();
    return runner;
  }

  add(runner: NodeRunner): void {
    this.runners.set(runner.id, runner);
    if (runner.state === 'Initializing' && runner.outcome === 'running') this.initializing.add(runner);
  }

  start(runner: NodeRunner): void {
    runner.start();
    this.checkRelease();
  }

  /** Wire a connection (both nodes exist, pins were validated). */
  connect(c: ConnectionSpec): Link {
    const from = this.runners.get(c.from_node);
    const to = this.runners.get(c.to_node);
    if (!from || !to) throw new Error(`Connection ${c.from_node} -> ${c.to_node}: node missing`);
    const port = from.ensureOutput(c.from_pin);
    const channel = to.ensureInput(c.to_pin);
    const link = new Link(c.from_node, c.from_pin, c.to_node, c.to_pin, c.mode ?? 'reliable', channel);
    // A finished upstream has nothing more to say: the link ends at once.
    if (from.outcome !== 'running') link.detach(from.outcome === 'stopped');
    else port.links.push(link);
    const key = connectionKey(c);
    this.links.set(key, link);
    for (const id of [c.from_node, c.to_node]) {
      const keys = this.linksOf.get(id);
      if (keys) keys.add(key);
      else this.linksOf.set(id, new Set([key]));
    }
    if (this.waiting.has(from)) this.checkRelease();
    return link;
  }

  findLink(c: ConnectionSpec): Link | undefined {
    return this.links.get(connectionKey(c));
  }

  /** Unwire a connection; the downstream does not see end-of-stream (it may be rewired). */
  disconnect(c: ConnectionSpec): boolean {
    const key = connectionKey(c);
    const link = this.links.get(key);
    if (!link) return false;
    this.dropLink(key, link);
    return true;
  }

  /** Cancel a node and drop every link touching it; resolves once its `run()` settled. */
  async remove(id: string): Promise<void> {
    const runner = this.runners.get(id);
    if (!runner) return;
    for (const key of [...(this.linksOf.get(id) ?? [])]) {
      const link = this.links.get(key);
      if (link) this.dropLink(key, link);
    }
    this.linksOf.delete(id);
    runner.cancel();
    this.runners.delete(id);
    this.initializing.delete(runner);
    this.waiting.delete(runner);
    await runner.finished;
    this.checkRelease();
  }

  cancelAll(): void {
    for (const r of this.runners.values()) r.cancel();
  }

  /** `cancelAll`, giving the event loop a turn after every `chunk` nodes (large sessions). */
  async cancelAllGradually(chunk: number): Promise<void> {
    let n = 0;
    for (const r of [...this.runners.values()]) {
      r.cancel();
      if (++n % chunk === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async allFinished(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.finished));
  }

  private dropLink(key: string, link: Link): void {
    this.links.delete(key);
    this.linksOf.get(link.fromNode)?.delete(key);
    this.linksOf.get(link.toNode)?.delete(key);
    const port = this.runners.get(link.fromNode)?.outputs.get(link.fromPin);
    if (port) {
      const j = port.links.indexOf(link);
      if (j >= 0) port.links.splice(j, 1);
    }
    link.detach(false);
  }

  /**
   * Sources start once no node is still initializing (a stopped or failed node never blocks them, unlike
   * StreamKit where any non-running node blocks every later source).
   */
  private checkRelease(): void {
    if (this.waiting.size === 0) return;
    const initializing = this.initializing.size > 0;
    for (const r of this.waiting) {
      if (!r.waitingForStart || this.runners.get(r.id) !== r) {
        this.waiting.delete(r);
        continue;
      }
      if (!this.hasConsumer(r)) continue;
      if (initializing && !this.overdue.has(r)) continue;
      this.overdue.delete(r);
      this.waiting.delete(r);
      r.release();
    }
  }

  /**
   * In a session a source is added before it is connected: it waits for its first connection so the
   * first packets are not produced into nothing. Oneshot graphs are fully wired before they start.
   */
  private hasConsumer(r: NodeRunner): boolean {
    if (this.opts.mode === 'oneshot' || r.pins.outputs.length === 0) return true;
    for (const port of r.outputs.values()) if (port.links.length > 0) return true;
    return false;
  }
}
