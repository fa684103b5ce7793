// `bench::flip` for bench:graphql: reports a new state on every tune, stamped with the process-wide monotonic
// clock (comparable across threads and processes). Loaded by the server and its engine workers as a module.
import { join } from 'node:path';
import { Type } from '@streamkit/pipeline/core/typebox';
import type { AnyNodeDefinition, NodeDefinition } from '@streamkit/pipeline';

export const FLIP_NODE_MODULE = join(__dirname, 'flip-node.js');

/** A node that reports a Degraded state stamped with the monotonic clock each time it is tuned. */
const flipNode: NodeDefinition<{ seq: number }> = {
  kind: 'bench::flip',
  categories: ['bench'],
  description: 'Reports a new state on every tune (benchmark only).',
  params: Type.Object({ seq: Type.Number({ default: 0, tunable: true }) }, { additionalProperties: false }),
  pins: () => ({ inputs: [], outputs: [] }),
  create(_params, ctx) {
    return {
      async run() {
        ctx.setState('Running');
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
      },
      tune(next) {
        ctx.setState({
          Degraded: { reason: 'bench', details: { seq: next.seq, t: process.hrtime.bigint().toString() } },
        });
      },
    };
  },
};

export const nodeDefinitions: AnyNodeDefinition[] = [flipNode];
