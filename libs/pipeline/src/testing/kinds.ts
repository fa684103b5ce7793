// Node kinds for engine tests and benches: a counting source, a node that fails on cue, a slow sink.
import { Type, type Static } from '../core/typebox';
import type { NodeDefinition } from '../core/node';
import { EOS, type Packet } from '../core/packets';
import { forEachPacket, inputPin, outputPin } from '../core/helpers';

const SourceParams = Type.Object({
  count: Type.Integer({ default: 10, minimum: 0, description: 'Packets to emit (0 = until cancelled).' }),
  interval_ms: Type.Number({ default: 0, minimum: 0, description: 'Pause between packets.' }),
});

/** Emits `count` Text packets `0`, `1`, ... with `meta.sequence`, then ends. */
export const testSourceNode: NodeDefinition<Static<typeof SourceParams>> = {
  kind: 'test::source',
  categories: ['test'],
  description: 'Emits numbered Text packets.',
  params: SourceParams,
  pins: () => ({ inputs: [], outputs: [outputPin('out', 'Text')] }),
  create(params, ctx) {
    const out = ctx.output('out');
    return {
      async run() {
        if (!(await ctx.waitForStart())) return;
        ctx.setState('Running');
        for (let i = 0; params.count === 0 || i < params.count; i++) {
          if (ctx.signal.aborted) return;
          const w = out.send({ kind: 'text', text: String(i), meta: { sequence: i } });
          if (w !== undefined && !(await w)) return;
          if (params.interval_ms > 0) await new Promise((r) => setTimeout(r, params.interval_ms));
        }
      },
    };
  },
};

const FailParams = Type.Object({
  after: Type.Integer({ default: 0, minimum: 0, description: 'Packets forwarded before failing.' }),
  reason: Type.String({ default: 'boom', description: 'Failure reason.' }),
});

/** Forwards `after` packets, then throws `reason`. */
export const testFailNode: NodeDefinition<Static<typeof FailParams>> = {
  kind: 'test::fail',
  categories: ['test'],
  description: 'Fails after forwarding some packets.',
  params: FailParams,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [outputPin('out', 'Passthrough')] }),
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    let seen = 0;
    const onPacket = (p: Packet) => {
      if (seen++ >= params.after) throw new Error(params.reason);
      return out.send(p);
    };
    return {
      async run() {
        ctx.setState('Running');
        if (params.after === 0) {
          const p = await input.recv();
          if (p !== EOS) throw new Error(params.reason);
          return;
        }
        await forEachPacket(input, onPacket);
      },
    };
  },
};

const SlowParams = Type.Object({
  delay_ms: Type.Number({ default: 1, minimum: 0, tunable: true, description: 'Delay per packet.' }),
  note: Type.String({ default: '', description: 'Not tunable (for tests).' }),
});

/** Consumes one packet per `delay_ms` and records the highest sequence seen. */
export const testSlowSinkNode: NodeDefinition<Static<typeof SlowParams>> = {
  kind: 'test::slow_sink',
  categories: ['test'],
  description: 'A deliberately slow consumer.',
  params: SlowParams,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [] }),
  create(params, ctx) {
    const input = ctx.input('in');
    let delay = params.delay_ms;
    return {
      tune(next) {
        delay = next.delay_ms;
      },
      async run() {
        ctx.setState('Running');
        for (;;) {
          const p = await input.recv();
          if (p === EOS) return;
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        }
      },
    };
  },
};

export const testNodeDefinitions = [testSourceNode, testFailNode, testSlowSinkNode];
