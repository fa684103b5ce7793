// The main thread's handle on a session running in a worker: commands go to the worker, events come back in
// order. It keeps a mirror of the pipeline from those events, so when its worker dies the session is still
// there to look at: every node that was live is `Failed{reason}` and the session answers with the cause.
import { Listeners } from '../../core/listeners';
import { isTerminal } from '../node-runner';
import { toConnection } from '../commands/connections';
import type { ConnectionSpec, ValidationProblem } from '../../definition/types';
import { sameConnection } from '../../definition/types';
import type { CommandResults, SessionCommand } from '../commands';
import type { CommandResult, NodeView, PipelineView, SessionEvent, SessionState } from '../session-types';
import type { SessionHandle } from '../session-host';

export interface RemoteSessionLink {
  /** Sends a command to the session's worker (rejects when the worker is lost). */
  send(session: RemoteSession, command: SessionCommand): Promise<CommandResult<unknown>>;
  /** The session ended (destroyed, or failed and then destroyed): stop routing to it. */
  ended(session: RemoteSession): void;
}

export class RemoteSession implements SessionHandle {
  // A listener's failure is its own; the others still hear the event.
  private readonly listeners = new Listeners<[SessionEvent]>('session event');
  private readonly nodes = new Map<string, NodeView>();
  private connections: ConnectionSpec[] = [];
  private failure: string | undefined;
  private ended = false;
  /** Set once a destroy started: the session is no longer listed, but its last events still arrive. */
  closing = false;
  /** Unknown params ignored when the session was created from a spec. */
  warnings: ValidationProblem[] = [];

  constructor(
    readonly id: string,
    readonly name: string | undefined,
    readonly worker: number,
    private readonly link: RemoteSessionLink,
    private readonly description?: string,
  ) {}

  get state(): SessionState {
    return this.failure === undefined ? 'Running' : { Failed: { reason: this.failure } };
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  subscribe(listener: (event: SessionEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  async execute<C extends SessionCommand>(command: C): Promise<CommandResult<CommandResults[C['type']]>> {
    type R = CommandResult<CommandResults[C['type']]>;
    if (this.failure === undefined) {
      try {
        const result = await this.link.send(this, command);
        if (command.type === 'get_pipeline' && result.ok) {
          return { ok: true, result: this.decorate(result.result as PipelineView) } as R;
        }
        return result as R;
      } catch (err) {
        // The worker died while the command ran: answer like any later command.
        if (this.failure === undefined) throw err;
      }
    }
    return this.afterFailure(command) as R;
  }

  /** An event from the worker: update the mirror, then tell every listener. */
  deliver(event: SessionEvent): void {
    this.mirror(event);
    this.emit(event);
    if (event.type === 'session_destroyed') this.end();
  }

  /** The worker is gone: every live node fails with the reason; the session stays until destroyed. */
  fail(reason: string): void {
    if (this.failure !== undefined || this.ended) return;
    this.failure = reason;
    const timestamp = new Date().toISOString();
    for (const [nodeId, node] of this.nodes) {
      if (node.state !== undefined && isTerminal(node.state)) continue;
      const state = { Failed: { reason } };
      node.state = state;
      this.emit({ type: 'node_state', session_id: this.id, node_id: nodeId, state, timestamp });
    }
    if (this.closing) this.destroyLocally();
  }

  /** Ends a session whose worker is gone (there is nothing left to stop). */
  destroyLocally(): void {
    if (this.ended) return;
    this.emit({ type: 'session_destroyed', session_id: this.id });
    this.end();
  }

  private afterFailure(command: SessionCommand): CommandResult<unknown> {
    switch (command.type) {
      case 'get_pipeline':
        return { ok: true, result: this.view() };
      case 'destroy':
        this.destroyLocally();
        return { ok: true, result: { session_id: this.id } };
      default:
        return {
          ok: false,
          error: {
            code: 'conflict',
            message: `Session '${this.name ?? this.id}' failed: ${this.failure}. Destroy it and create a new one.`,
            problems: [],
          },
        };
    }
  }

  private decorate(view: PipelineView): PipelineView {
    return { ...view, worker: this.worker, state: this.state };
  }

  /** The pipeline as last seen through the events. */
  private view(): PipelineView {
    const nodes: PipelineView['nodes'] = {};
    for (const [id, n] of this.nodes) nodes[id] = { ...n };
    const view: PipelineView = {
      mode: 'dynamic',
      nodes,
      connections: this.connections.map((c) => ({ ...c })),
    };
    if (this.name !== undefined) view.name = this.name;
    if (this.description !== undefined) view.description = this.description;
    return this.decorate(view);
  }

  private mirror(e: SessionEvent): void {
    switch (e.type) {
      case 'node_added':
        this.nodes.set(e.node_id, { kind: e.kind, params: e.params });
        return;
      case 'node_removed':
        this.nodes.delete(e.node_id);
        return;
      case 'node_params_changed': {
        const node = this.nodes.get(e.node_id);
        if (node) node.params = e.params;
        return;
      }
      case 'node_state': {
        const node = this.nodes.get(e.node_id);
        if (node) node.state = e.state;
        return;
      }
      case 'node_stats': {
        const node = this.nodes.get(e.node_id);
        if (node) node.stats = e.stats;
        return;
      }
      case 'connection_added':
        this.connections.push(toConnection(e));
        return;
      case 'connection_removed':
        this.connections = this.connections.filter((c) => !sameConnection(c, e));
        return;
      default:
    }
  }

  private emit(event: SessionEvent): void {
    this.listeners.emit(event);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.link.ended(this);
    this.listeners.clear();
  }
}
