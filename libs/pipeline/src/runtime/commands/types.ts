// What a session command is made of: the session state a handler may read and change (`SessionContext`),
// the candidate model a batch is checked against (`PlanState`), and the two handler shapes: an operation
// (one graph edit, alone or inside a batch) and a command (anything else the session answers).
import type { Logger } from '../../core/node';
import type { EngineLimits } from '../../definition/limits';
import type {
  ConnectionSpec,
  KindCatalog,
  KindInfo,
  PipelineSpec,
  ValidationProblem,
} from '../../definition/types';
import type { CompiledPipeline } from '../../definition/compile';
import type { NodeRegistry } from '../../registry/registry';
import type { PermissionFlag } from '../../security/permission-flags';
import type { Graph } from '../graph';
import type {
  BatchOperation,
  CommandResult,
  OperationResults,
  PipelineView,
  SessionErrorBody,
  SessionErrorCode,
  SessionEvent,
} from '../session-types';
import type { ConnectionIndex } from './connections';

/** A problem with the error code it maps to. */
export type Located = { code: SessionErrorCode; problem: ValidationProblem };

/** The session as its commands see it. */
export interface SessionContext {
  readonly id: string;
  readonly registry: NodeRegistry;
  readonly graph: Graph;
  readonly limits: EngineLimits;
  /** The registry's kinds, plus the kinds of nodes already running (a plugin unloaded later). */
  readonly catalog: KindCatalog;
  readonly log?: Logger;
  /** The live model: what the session runs (apply changes it, in step with the graph). */
  readonly spec: PipelineSpec;
  /** Kinds of nodes already in the session, so their nodes stay valid if the kind goes away. */
  readonly kindsInUse: Map<string, KindInfo>;
  isDestroyed(): boolean;
  emit(event: SessionEvent): void;
  /** Waits for `p`, at most the session's stop timeout. */
  withTimeout(p: Promise<unknown>): Promise<void>;
  /** Drops a connection from the graph and the model, and says so. */
  removeConnection(c: ConnectionSpec): void;
  getPipeline(): PipelineView;
  destroy(): Promise<void>;
}

/** A batch being checked: a copy of the model that each operation changes as if applied. */
export interface PlanState {
  readonly session: SessionContext;
  readonly spec: PipelineSpec;
  readonly connections: ConnectionIndex;
  readonly found: Located[];
  readonly warnings: ValidationProblem[];
  /** Nodes whose params were checked while planning (compile does not check them again). */
  readonly checkedHere: Set<string>;
}

/** What apply hands an operation: its plan, the node made for it, the batch's warnings. */
export interface Step<Checked, Prepared> {
  checked: Checked;
  prepared: Prepared;
  warnings: ValidationProblem[];
}

export type OperationType = BatchOperation['type'];
export type OperationOf<T extends OperationType> = Extract<BatchOperation, { type: T }>;

/**
 * One graph edit. `check` validates it against the candidate model and changes that model (problems go to
 * `plan.found`; `where` prefixes their messages inside a batch); `prepare` makes what may still fail
 * (instantiating a node) before anything of the batch changed, adding to `problems` when it does; `apply` changes the session and answers.
 */
export interface OperationHandler<T extends OperationType, Checked = unknown, Prepared = unknown> {
  /** The capability a caller needs to run it (inside a batch too). */
  readonly permission: PermissionFlag;
  check(op: OperationOf<T>, plan: PlanState, where: string): Checked;
  prepare?(
    op: OperationOf<T>,
    session: SessionContext,
    compiled: CompiledPipeline,
    problems: Located[],
  ): Prepared | undefined;
  /** Undoes `prepare` for an operation the batch will not apply. */
  discard?(prepared: Prepared, session: SessionContext): void;
  apply(
    op: OperationOf<T>,
    session: SessionContext,
    step: Step<Checked, Prepared>,
  ): OperationResults[T] | Promise<OperationResults[T]>;
}

/** A command of the session (`C`, answered with `R`): everything it does, from checks to the answer. */
export interface CommandHandler<C extends { type: string }, R> {
  readonly permission: PermissionFlag;
  /** The operations the command carries (a server checks their kinds and params before running it). */
  operations(command: C): BatchOperation[];
  run(command: C, session: SessionContext): Promise<CommandResult<R>>;
}

export function errorBody(found: Located[]): SessionErrorBody {
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

export function failure(
  code: SessionErrorCode,
  problem: ValidationProblem,
): { ok: false; error: SessionErrorBody } {
  return { ok: false, error: errorBody([{ code, problem }]) };
}

export function destroyedDuring(session: SessionContext): { ok: false; error: SessionErrorBody } {
  return failure('not_found', { message: `Session '${session.id}' was destroyed during the command` });
}
