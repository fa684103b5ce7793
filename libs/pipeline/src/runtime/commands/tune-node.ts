// `tune_node`: a partial update of a node's tunable params, merged into its current ones and handed to the
// running node (a node whose tune throws keeps running, with an error counted).
import type { TuneResult } from '../session-types';
import type { OperationHandler } from './types';

export const tuneNode: OperationHandler<'tune_node', TuneResult | undefined> = {
  permission: 'tune_nodes',

  check(op, plan, where) {
    const { spec, session } = plan;
    const node = Object.hasOwn(spec.nodes, op.node_id) ? spec.nodes[op.node_id] : undefined;
    if (!node) {
      plan.found.push({
        code: 'not_found',
        problem: { nodeId: op.node_id, message: `${where}node '${op.node_id}' does not exist` },
      });
      return undefined;
    }
    const tuned = session.registry.tuneParams(
      node.kind,
      node.params as Record<string, unknown>,
      op.params,
      session.graph.services,
    );
    for (const p of tuned.problems) {
      plan.found.push({
        code: 'invalid',
        problem: {
          nodeId: op.node_id,
          path: p.path,
          message: `${where}node '${op.node_id}' (${node.kind}): ${p.message}`,
        },
      });
    }
    if (tuned.problems.length > 0) return undefined;
    spec.nodes[op.node_id] = { kind: node.kind, params: tuned.params };
    return { node_id: op.node_id, params: tuned.params, changed: tuned.changed };
  },

  apply(op, session, { checked }) {
    const tuned = checked as TuneResult;
    const runner = session.graph.runners.get(op.node_id);
    session.spec.nodes[op.node_id] = { kind: session.spec.nodes[op.node_id].kind, params: tuned.params };
    if (runner) {
      runner.params = tuned.params;
      try {
        runner.instance?.tune?.(tuned.params, tuned.changed);
      } catch (err) {
        runner.stats.errored++;
        session.log?.warn('tune failed', { node_id: op.node_id, error: (err as Error).message });
      }
    }
    session.emit({
      type: 'node_params_changed',
      session_id: session.id,
      node_id: op.node_id,
      params: tuned.params,
      changed: tuned.changed,
    });
    return tuned;
  },
};
