// `add_node`: a node of a registered kind under a new id, its params checked (defaults applied). The node is
// instantiated before anything of its batch changes, so a kind whose create() throws aborts the batch.
import type { KindInfo } from '../../definition/types';
import type { NodeRunner } from '../node-runner';
import type { OperationHandler } from './types';

const now = (): string => new Date().toISOString();

/** The node made for an `add_node`, and its kind as the batch was compiled against it. */
export interface PreparedNode {
  runner: NodeRunner;
  info: KindInfo;
}

export const addNode: OperationHandler<'add_node', void, PreparedNode | undefined> = {
  permission: 'modify_sessions',

  check(op, plan, where) {
    const { spec, found, session } = plan;
    if (typeof op.node_id !== 'string' || op.node_id === '' || typeof op.kind !== 'string') {
      found.push({
        code: 'invalid',
        problem: { message: `${where}add_node needs a node_id and a kind` },
      });
      return;
    }
    if (!session.registry.has(op.kind)) {
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
    const checked = session.registry.describe(op.kind)?.checkParams(op.params, session.graph.services);
    const valid = checked !== undefined && checked.problems.length === 0;
    spec.nodes[op.node_id] = { kind: op.kind, params: valid ? checked.params : op.params };
    // Checked once here: compile does not validate the same params again (nor warn again).
    if (valid) {
      plan.checkedHere.add(op.node_id);
      for (const w of checked.warnings ?? []) {
        const message = `${where}Node '${op.node_id}' (${op.kind}): ${w.message}`;
        plan.warnings.push({ nodeId: op.node_id, path: w.path, message });
      }
    } else plan.checkedHere.delete(op.node_id);
  },

  prepare(op, session, compiled, problems) {
    const node = compiled.nodes.get(op.node_id);
    const def = session.registry.get(op.kind);
    if (!node || !def) return undefined;
    try {
      const runner = session.graph.instantiate({ id: node.id, def, params: node.params, pins: node.pins });
      return { runner, info: node.info };
    } catch (err) {
      problems.push({
        code: 'invalid',
        problem: {
          nodeId: op.node_id,
          message: `Node '${op.node_id}' (${op.kind}): ${(err as Error).message}`,
        },
      });
      return undefined;
    }
  },

  discard(prepared, session) {
    if (prepared && session.graph.runners.get(prepared.runner.id) !== prepared.runner)
      prepared.runner.cancel();
  },

  apply(op, session, { prepared, warnings }) {
    const { runner, info } = prepared as PreparedNode;
    session.spec.nodes[op.node_id] = { kind: op.kind, params: runner.params };
    // Running nodes were validated when added; if their kind goes away, keep them as they are.
    session.kindsInUse.set(op.kind, {
      ...info,
      checkParams: (params) => ({ params: params as Record<string, unknown>, problems: [] }),
    });
    session.graph.add(runner);
    session.emit({
      type: 'node_added',
      session_id: session.id,
      node_id: op.node_id,
      kind: op.kind,
      params: runner.params,
    });
    session.emit({
      type: 'node_state',
      session_id: session.id,
      node_id: op.node_id,
      state: runner.state,
      timestamp: now(),
    });
    session.graph.start(runner);
    return {
      node_id: op.node_id,
      kind: op.kind,
      params: runner.params,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },
};
