// `destroy`: stops every node and ends the session (idempotent).
import type { DestroyCommand } from '../session-types';
import type { CommandHandler } from './types';

export const destroy: CommandHandler<DestroyCommand, { session_id: string }> = {
  permission: 'destroy_sessions',
  operations: () => [],
  async run(_command, session) {
    await session.destroy();
    return { ok: true, result: { session_id: session.id } };
  },
};
