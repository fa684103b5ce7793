// `connect`: a link from an output pin to an input pin of two existing nodes (pin types are checked when
// the batch compiles), reliable unless `mode` is `best_effort`.
import { connectionLabel } from '../../definition/types';
import { toConnection } from './connections';
import type { OperationHandler } from './types';

export const connect: OperationHandler<'connect'> = {
  permission: 'modify_sessions',

  check(op, plan, where) {
    const c = toConnection(op);
    let missing = false;
    for (const id of [c.from_node, c.to_node]) {
      if (!Object.hasOwn(plan.spec.nodes, id)) {
        plan.found.push({
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
    if (plan.connections.has(c)) {
      plan.found.push({
        code: 'conflict',
        problem: {
          nodeId: c.to_node,
          pin: c.to_pin,
          message: `${where}connection ${connectionLabel(c)} already exists`,
        },
      });
      return;
    }
    plan.connections.add(c);
  },

  apply(op, session) {
    const c = toConnection(op);
    session.graph.connect(c);
    session.spec.connections.push(c);
    session.emit({ type: 'connection_added', session_id: session.id, ...c, mode: c.mode ?? 'reliable' });
    return c;
  },
};
