// `core::passthrough` forwards every packet unchanged; `core::sink` drains and discards.
import { Type } from '../../core/typebox';
import type { NodeDefinition } from '../../core/node';
import { EOS } from '../../core/packets';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';

const NoParams = Type.Object({});

export const passthroughNode: NodeDefinition = {
  kind: 'core::passthrough',
  categories: ['core'],
  description: 'Forwards every packet unchanged.',
  params: NoParams,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [outputPin('out', 'Passthrough')] }),
  create(_params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    return {
      // An explicit loop rather than forEachPacket: keeps the calls monomorphic on the hottest node.
      async run() {
        ctx.setState('Running');
        for (;;) {
          let p = input.tryRecv();
          if (p === undefined) p = await input.recv();
          if (p === EOS) return;
          const w = out.send(p);
          if (w !== undefined && !(await w)) {
            ctx.setState({ Stopped: { reason: 'output_closed' } });
            return;
          }
        }
      },
    };
  },
};

export const sinkNode: NodeDefinition = {
  kind: 'core::sink',
  categories: ['core', 'observability'],
  description: 'Drains and discards every packet (terminates side branches).',
  params: NoParams,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [] }),
  create(_params, ctx) {
    const input = ctx.input('in');
    const drop = (): void => {
      ctx.stats.discarded++;
    };
    return {
      async run() {
        ctx.setState('Running');
        await forEachPacket(input, drop);
      },
    };
  },
};
