// `validate_batch`: every problem the operations would meet, in order, without changing anything.
import { planOperations } from './batch';
import type { ValidateBatchCommand, BatchValidation } from '../session-types';
import type { CommandHandler } from './types';

export const validateBatch: CommandHandler<ValidateBatchCommand, BatchValidation> = {
  permission: 'modify_sessions',
  operations: (command) => command.operations,
  async run(command, session) {
    const checked = await planOperations(session, command.operations);
    return {
      ok: true,
      result: {
        valid: checked.found.length === 0,
        problems: checked.found.map((f) => f.problem),
        warnings: checked.warnings,
      },
    };
  },
};
