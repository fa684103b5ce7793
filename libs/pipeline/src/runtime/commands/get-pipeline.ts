// `get_pipeline`: the pipeline model with live states and stats.
import type { GetPipelineCommand, PipelineView } from '../session-types';
import type { CommandHandler } from './types';

export const getPipeline: CommandHandler<GetPipelineCommand, PipelineView> = {
  permission: 'list_sessions',
  operations: () => [],
  run: async (_command, session) => ({ ok: true, result: session.getPipeline() }),
};
