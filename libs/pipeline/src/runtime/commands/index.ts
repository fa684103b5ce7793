// The session's commands: the one union of their types, what each answers, and the handler of each (a
// session runs a command by looking it up here). A command other than a graph edit is its handler module
// plus its lines here; a graph edit that batches may hold is listed in `operations.ts` (its type in
// `session-types`' `BatchOperation`). Servers take a command's permission and operations from its handler.
import type { PermissionFlag } from '../../security/permission-flags';
import type {
  ApplyBatchCommand,
  BatchApplied,
  BatchOperation,
  BatchValidation,
  DestroyCommand,
  GetPipelineCommand,
  OperationResults,
  PipelineView,
  ValidateBatchCommand,
} from '../session-types';
import { applyBatch } from './apply-batch';
import { destroy } from './destroy';
import { getPipeline } from './get-pipeline';
import { OPERATIONS } from './operations';
import { singleOperation } from './single';
import type { CommandHandler, OperationHandler, OperationType } from './types';
import { validateBatch } from './validate-batch';

/** Every command a session takes (plain JSON values: they cross REST, GraphQL and the worker boundary). */
export type SessionCommand =
  BatchOperation | ValidateBatchCommand | ApplyBatchCommand | GetPipelineCommand | DestroyCommand;

/** What each command answers. */
export interface CommandResults extends OperationResults {
  validate_batch: BatchValidation;
  apply_batch: BatchApplied;
  get_pipeline: PipelineView;
  destroy: { session_id: string };
}

export type CommandType = SessionCommand['type'];
export type CommandOf<T extends CommandType> = Extract<SessionCommand, { type: T }>;

const operationCommands = Object.fromEntries(
  Object.entries(OPERATIONS).map(([type, handler]) => [
    type,
    singleOperation(handler as OperationHandler<OperationType>),
  ]),
) as { [T in OperationType]: CommandHandler<CommandOf<T>, CommandResults[T]> };

/** The handler of every command type (the compiler checks that none is missing). */
export const COMMANDS: { readonly [T in CommandType]: CommandHandler<CommandOf<T>, CommandResults[T]> } = {
  ...operationCommands,
  validate_batch: validateBatch,
  apply_batch: applyBatch,
  get_pipeline: getPipeline,
  destroy,
};

type AnyCommandHandler = CommandHandler<SessionCommand, unknown>;

/** The handler of a command type; undefined for anything else (`toString` included). */
export function commandHandler(type: unknown): AnyCommandHandler | undefined {
  return typeof type === 'string' && Object.hasOwn(COMMANDS, type)
    ? (COMMANDS[type as CommandType] as AnyCommandHandler)
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
