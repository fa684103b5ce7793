// `apply_batch`: the operations all applied, in order, or none when any would fail.
import { applyOperations } from './batch';
import type { ApplyBatchCommand, BatchApplied } from '../session-types';
import type { CommandHandler } from './types';

export const applyBatch: CommandHandler<ApplyBatchCommand, BatchApplied> = {
  permission: 'modify_sessions',
  operations: (command) => command.operations,
  async run(command, session) {
    const res = await applyOperations(session, command.operations);
    return res.ok
      ? { ok: true, result: { applied: command.operations.length, warnings: res.warnings } }
      : res;
  },
};
