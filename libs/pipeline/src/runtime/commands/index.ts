// The session's commands, one handler each: a session runs a command by looking it up here. A new command
// is its handler module, one line here (or in `operations.ts` for a graph edit that batches may hold) and
// its type in `session-types`; servers take its permission and operations from the handler.
import type { BatchOperation, SessionCommand } from '../session-types';
import type { PermissionFlag } from '../../security/permission-flags';
import { applyBatch } from './apply-batch';
import { destroy } from './destroy';
import { getPipeline } from './get-pipeline';
import { OPERATIONS } from './operations';
import { singleOperation } from './single';
import type { CommandHandler, CommandType, OperationHandler, OperationType } from './types';
import { validateBatch } from './validate-batch';

type Commands = { readonly [T in CommandType]: CommandHandler<T> };

const operationCommands = Object.fromEntries(
  Object.entries(OPERATIONS).map(([type, handler]) => [
    type,
    singleOperation(handler as OperationHandler<OperationType>),
  ]),
) as Pick<Commands, OperationType>;

export const COMMANDS: Commands = {
  ...operationCommands,
  validate_batch: validateBatch,
  apply_batch: applyBatch,
  get_pipeline: getPipeline,
  destroy,
};

/** The handler of a command type; undefined for anything else (`toString` included). */
export function commandHandler(type: unknown): CommandHandler<CommandType> | undefined {
  return typeof type === 'string' && Object.hasOwn(COMMANDS, type)
    ? (COMMANDS[type as CommandType] as CommandHandler<CommandType>)
    : undefined;
}

/** The capability a caller needs to run a command of this type. */
export function commandPermission(type: CommandType): PermissionFlag {
  return COMMANDS[type].permission;
}

/** The operations a command carries (itself for an operation, a batch's list, none otherwise). */
export function commandOperations(command: SessionCommand): BatchOperation[] {
  return commandHandler(command.type)?.operations(command) ?? [];
}
