// `get_pipeline`: the pipeline model with live states and stats.
import type { CommandHandler } from './types';

export const getPipeline: CommandHandler<'get_pipeline'> = {
  permission: 'list_sessions',
  operations: () => [],
  run: async (_command, session) => ({ ok: true, result: session.getPipeline() }),
};
