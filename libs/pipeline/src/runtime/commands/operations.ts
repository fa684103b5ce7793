// The operations: graph edits a session runs alone (as a command of the same name) or inside a batch.
// A new operation is its handler module, one line here and its command type in `session-types`.
import { addNode } from './add-node';
import { connect } from './connect';
import { disconnect } from './disconnect';
import { removeNode } from './remove-node';
import { tuneNode } from './tune-node';
import type { OperationHandler, OperationType } from './types';

export const OPERATIONS: { readonly [T in OperationType]: OperationHandler<T> } = {
  add_node: addNode,
  remove_node: removeNode,
  connect,
  disconnect,
  tune_node: tuneNode,
};

/** The handler of an operation type; undefined for anything else (`toString` included). */
export function operationHandler(type: unknown): OperationHandler<OperationType> | undefined {
  return typeof type === 'string' && Object.hasOwn(OPERATIONS, type)
    ? (OPERATIONS[type as OperationType] as OperationHandler<OperationType>)
    : undefined;
}
