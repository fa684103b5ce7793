// Running operations, one or a batch, all or nothing: every operation is checked against a copy of the model
// (in order, each seeing the ones before it) and the result compiled; then every new node is instantiated,
// and only then does anything change, in order. A large batch gives the event loop a turn now and then.
import { compilePipeline, type CompiledPipeline } from '../../definition/compile';
import { limitText } from '../../definition/limits';
import { nodeRecord, type PipelineSpec, type ValidationProblem } from '../../definition/types';
import type { BatchOperation, SessionErrorBody } from '../session-types';
import { ConnectionIndex } from './connections';
import { operationHandler } from './operations';
import { destroyedDuring, errorBody, type Located, type PlanState, type SessionContext } from './types';

/** Nodes created, applied or cancelled between two turns given to the event loop. */
export const YIELD_EVERY = 64;
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface Plan {
  found: Located[];
  warnings: ValidationProblem[];
  spec: PipelineSpec;
  compiled?: CompiledPipeline;
  /** What each operation's check returned, by index. */
  checked: Map<number, unknown>;
}

function cloneSpec(spec: PipelineSpec): PipelineSpec {
  return { ...spec, nodes: nodeRecord(Object.entries(spec.nodes)), connections: [...spec.connections] };
}

/**
 * Check operations against a copy of the model, in order, then compile the result. Returns the candidate
 * spec (params normalized) and every problem with its error code.
 */
export async function planOperations(session: SessionContext, operations: BatchOperation[]): Promise<Plan> {
  const spec = cloneSpec(session.spec);
  const warnings: ValidationProblem[] = [];
  const checked = new Map<number, unknown>();
  if (!Array.isArray(operations)) {
    const problem = { message: 'operations must be a list' };
    return { found: [{ code: 'invalid', problem }], warnings, spec, checked };
  }
  // A batch can at most fill the session: refuse a larger one before looking at any operation.
  const limits = session.limits;
  const maxOperations = limits.maxNodes + limits.maxConnections;
  if (operations.length > maxOperations) {
    const message =
      `Batch has ${operations.length} operations; at most ${maxOperations} fit in a session ` +
      `(${limitText(limits, 'maxNodes')}, ${limitText(limits, 'maxConnections')})`;
    return { found: [{ code: 'invalid', problem: { message } }], warnings, spec, checked };
  }
  const plan: PlanState = {
    session,
    spec,
    connections: new ConnectionIndex(spec.connections),
    found: [],
    warnings,
    checkedHere: new Set<string>(),
  };
  // Commands run one at a time, so nothing changes the session while a large batch lets others run.
  for (let i = 0; i < operations.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
    const op = operations[i];
    const where = operations.length > 1 ? `Operation ${i} (${op.type}): ` : '';
    const handler = operationHandler(op.type);
    if (handler) checked.set(i, handler.check(op, plan, where));
    else {
      const message = `${where}unknown operation '${(op as { type: unknown }).type}'`;
      plan.found.push({ code: 'invalid', problem: { message } });
    }
  }
  if (operations.length > YIELD_EVERY) await yieldToEventLoop();
  spec.connections = plan.connections.list();
  // Compile even after failed operations (they were skipped) so the caller hears about everything.
  const trustedNodes = new Set(plan.checkedHere);
  for (const id of Object.keys(spec.nodes))
    if (spec.nodes[id] === session.spec.nodes[id]) trustedNodes.add(id);
  const compiled = compilePipeline(spec, session.catalog, {
    mode: 'dynamic',
    services: session.graph.services,
    trustedNodes,
    limits,
  });
  const found = plan.found;
  for (const p of compiled.problems) found.push({ code: 'invalid', problem: p });
  warnings.push(...compiled.warnings);
  return { found, warnings, spec, compiled: compiled.pipeline, checked };
}

export type Applied =
  { ok: true; warnings: ValidationProblem[]; results: unknown[] } | { ok: false; error: SessionErrorBody };

/** Validate everything, create every new node, then apply in order: all or nothing. */
export async function applyOperations(
  session: SessionContext,
  operations: BatchOperation[],
): Promise<Applied> {
  // Checking a large batch takes a while: let what the caller did before (parsing its YAML) end first.
  if (operations.length > YIELD_EVERY) {
    await yieldToEventLoop();
    if (session.isDestroyed()) return destroyedDuring(session);
  }
  const planned = await planOperations(session, operations);
  if (session.isDestroyed()) return destroyedDuring(session);
  if (planned.found.length > 0 || !planned.compiled) return { ok: false, error: errorBody(planned.found) };
  const compiled = planned.compiled;

  // Prepare first (instantiate nodes): a kind whose create() throws aborts the batch before anything changed.
  const prepared = new Map<number, unknown>();
  const problems: Located[] = [];
  const discardAll = (): void => {
    for (const [i, p] of prepared) operationHandler(operations[i].type)?.discard?.(p, session);
  };
  const destroyedMidway = (): { ok: false; error: SessionErrorBody } => {
    discardAll();
    return destroyedDuring(session);
  };
  for (let i = 0; i < operations.length; i++) {
    // A large batch gives the event loop a turn every few dozen nodes (the API stays responsive).
    if (i > 0 && i % YIELD_EVERY === 0) {
      await yieldToEventLoop();
      if (session.isDestroyed()) return destroyedMidway();
    }
    const op = operations[i];
    const handler = operationHandler(op.type);
    if (!handler?.prepare) continue;
    const made = handler.prepare(op, session, compiled, problems);
    if (made !== undefined) prepared.set(i, made);
  }
  if (problems.length > 0) {
    discardAll();
    return { ok: false, error: errorBody(problems) };
  }

  const results: unknown[] = [];
  for (let i = 0; i < operations.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) {
      await yieldToEventLoop();
      if (session.isDestroyed()) return destroyedMidway();
    }
    const op = operations[i];
    const handler = operationHandler(op.type);
    if (!handler) continue;
    const step = { checked: planned.checked.get(i), prepared: prepared.get(i), warnings: planned.warnings };
    results.push(await handler.apply(op, session, step));
  }
  return { ok: true, warnings: planned.warnings, results };
}
