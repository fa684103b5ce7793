// `remove_node`: the node and every connection touching it go; the node is cancelled and awaited (at most
// the session's stop timeout).
import type { OperationHandler } from './types';

export const removeNode: OperationHandler<'remove_node'> = {
  permission: 'modify_sessions',

  check(op, plan, where) {
    if (!Object.hasOwn(plan.spec.nodes, op.node_id)) {
      plan.found.push({
        code: 'not_found',
        problem: { nodeId: op.node_id, message: `${where}node '${op.node_id}' does not exist` },
      });
      return;
    }
    delete plan.spec.nodes[op.node_id];
    plan.connections.dropNode(op.node_id);
  },

  async apply(op, session) {
    for (const c of session.spec.connections.filter(
      (d) => d.from_node === op.node_id || d.to_node === op.node_id,
    )) {
      session.removeConnection(c);
    }
    delete session.spec.nodes[op.node_id];
    await session.withTimeout(session.graph.remove(op.node_id));
    session.emit({ type: 'node_removed', session_id: session.id, node_id: op.node_id });
    return { node_id: op.node_id };
  },
};
