// The dynamic-session protocol: commands, results, typed errors and events. All plain JSON values so they
// can cross REST, GraphQL, a worker-thread boundary or a network link unchanged.
import type { NodeState, NodeStats } from '../core/node';
import type { ConnectionMode, ConnectionSpec, ValidationProblem } from '../definition/types';

export interface AddNodeCommand {
  type: 'add_node';
  node_id: string;
  kind: string;
  params?: unknown;
}
export interface RemoveNodeCommand {
  type: 'remove_node';
  node_id: string;
}
export interface ConnectCommand {
  type: 'connect';
  from_node: string;
  from_pin: string;
  to_node: string;
  to_pin: string;
  mode?: ConnectionMode;
}
export interface DisconnectCommand {
  type: 'disconnect';
  from_node: string;
  from_pin: string;
  to_node: string;
  to_pin: string;
}
/** A partial update: merged into the node's current params; only tunable keys may appear. */
export interface TuneNodeCommand {
  type: 'tune_node';
  node_id: string;
  params: Record<string, unknown>;
}
export type BatchOperation =
  AddNodeCommand | RemoveNodeCommand | ConnectCommand | DisconnectCommand | TuneNodeCommand;

export interface ValidateBatchCommand {
  type: 'validate_batch';
  operations: BatchOperation[];
}
export interface ApplyBatchCommand {
  type: 'apply_batch';
  operations: BatchOperation[];
}
export interface GetPipelineCommand {
  type: 'get_pipeline';
}
export interface DestroyCommand {
  type: 'destroy';
}
// The union of every command (`SessionCommand`) and what each answers (`CommandResults`) live with the
// command handlers, in `commands/index.ts`.

/** `invalid` -> 400, `not_found` -> 404, `conflict` -> 409. */
export type SessionErrorCode = 'invalid' | 'not_found' | 'conflict';

export interface SessionErrorBody {
  code: SessionErrorCode;
  message: string;
  /** Every problem found (a batch reports all of them), each locating its node, pin or param. */
  problems: ValidationProblem[];
}

export interface NodeView {
  kind: string;
  params: Record<string, unknown>;
  state?: NodeState;
  stats?: NodeStats;
}

/** A session's own state: running, or failed because the worker thread it ran on died (the cause named). */
export type SessionState = 'Running' | { Failed: { reason: string } };

/** StreamKit's pipeline JSON plus live state and stats per node. */
export interface PipelineView {
  name?: string;
  description?: string;
  mode: 'dynamic';
  nodes: Record<string, NodeView>;
  connections: ConnectionSpec[];
  /** Ours: the engine worker the session runs on (absent when sessions run on the main thread). */
  worker?: number;
  /** Ours: the session's state when it runs on a worker. */
  state?: SessionState;
}

export interface TuneResult {
  node_id: string;
  params: Record<string, unknown>;
  changed: Record<string, unknown>;
}

/** What each operation answers (alone; a batch answers `BatchApplied`). */
export interface OperationResults {
  /** `warnings`: unknown params that were ignored (see `NodeRegistry.strictParams`). */
  add_node: {
    node_id: string;
    kind: string;
    params: Record<string, unknown>;
    warnings?: ValidationProblem[];
  };
  remove_node: { node_id: string };
  connect: ConnectionSpec;
  disconnect: ConnectionSpec;
  tune_node: TuneResult;
}

export interface BatchValidation {
  valid: boolean;
  problems: ValidationProblem[];
  warnings: ValidationProblem[];
}

export interface BatchApplied {
  applied: number;
  warnings: ValidationProblem[];
}

export type CommandResult<T = unknown> = { ok: true; result: T } | { ok: false; error: SessionErrorBody };

export type SessionEvent =
  | { type: 'node_added'; session_id: string; node_id: string; kind: string; params: Record<string, unknown> }
  | { type: 'node_removed'; session_id: string; node_id: string }
  | ({ type: 'connection_added'; session_id: string } & Required<ConnectionSpec>)
  | ({ type: 'connection_removed'; session_id: string } & Required<ConnectionSpec>)
  | {
      type: 'node_params_changed';
      session_id: string;
      node_id: string;
      params: Record<string, unknown>;
      changed: Record<string, unknown>;
    }
  | { type: 'node_state'; session_id: string; node_id: string; state: NodeState; timestamp: string }
  | { type: 'node_stats'; session_id: string; node_id: string; stats: NodeStats; timestamp: string }
  | {
      type: 'node_telemetry';
      session_id: string;
      node_id: string;
      type_id: string;
      data: Record<string, unknown>;
      timestamp_us: number;
      timestamp: string;
    }
  | { type: 'session_destroyed'; session_id: string };

export type SessionEventType = SessionEvent['type'];

/** Thrown by the typed `Session` helpers; `execute()` returns the same body as a value instead. */
export class SessionCommandError extends Error {
  constructor(readonly body: SessionErrorBody) {
    super(body.message);
    this.name = 'SessionCommandError';
  }
  get code(): SessionErrorCode {
    return this.body.code;
  }
  get problems(): ValidationProblem[] {
    return this.body.problems;
  }
}
