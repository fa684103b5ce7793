// `disconnect`: removes an existing connection (its mode does not matter).
import { connectionLabel, sameConnection, type ConnectionSpec } from '../../definition/types';
import { toConnection } from './connections';
import type { OperationHandler } from './types';

export const disconnect: OperationHandler<'disconnect'> = {
  permission: 'modify_sessions',

  check(op, plan, where) {
    const c = toConnection(op);
    if (!plan.connections.delete(c)) {
      plan.found.push({
        code: 'not_found',
        problem: {
          nodeId: c.to_node,
          pin: c.to_pin,
          message: `${where}connection ${connectionLabel(c)} does not exist`,
        },
      });
    }
  },

  apply(op, session) {
    const c = session.spec.connections.find((d) => sameConnection(d, toConnection(op))) as ConnectionSpec;
    session.removeConnection(c);
    return { ...c };
  },
};
