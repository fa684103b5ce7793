// Node kinds for worker-host tests, loaded into workers as a `kinds` module: the engine's test kinds plus a
// node that logs and emits telemetry for every packet.
import { join } from 'node:path';
import { Type } from '../core/typebox';
import { forEachPacket, inputPin } from '../core/helpers';
import type { AnyNodeDefinition, NodeDefinition } from '../core/node';
import { testNodeDefinitions } from './kinds';

/** Path of this module's compiled file, for `kinds: [{ type: 'module', path }]`. */
export const WORKER_TEST_KINDS = join(__dirname, 'worker-kinds.js');

const chatty: NodeDefinition<Record<string, never>> = {
  kind: 'test::chatty',
  categories: ['test'],
  description: 'Logs and emits telemetry for every packet (tests only).',
  params: Type.Object({}),
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [] }),
  create(_params, ctx) {
    return {
      async run() {
        ctx.setState('Running');
        await forEachPacket(ctx.input('in'), (p) => {
          ctx.log.info('packet seen', { sequence: p.meta?.sequence });
          ctx.telemetry('seen', { sequence: p.meta?.sequence });
          return undefined;
        });
      },
    };
  },
};

export const nodeDefinitions: AnyNodeDefinition[] = [...testNodeDefinitions, chatty];
