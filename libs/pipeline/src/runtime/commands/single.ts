// An operation sent on its own (`add_node`, `connect`...): a batch of one that answers with the operation's
// result, and problems without the `Operation i` prefix.
import type { OperationResults } from '../session-types';
import { applyOperations } from './batch';
import type { CommandHandler, OperationHandler, OperationOf, OperationType } from './types';

export function singleOperation<T extends OperationType>(
  handler: OperationHandler<T>,
): CommandHandler<OperationOf<T>, OperationResults[T]> {
  return {
    permission: handler.permission,
    operations: (command) => [command],
    async run(command, session) {
      const res = await applyOperations(session, [command]);
      return res.ok ? { ok: true, result: res.results[0] as OperationResults[T] } : res;
    },
  };
}
