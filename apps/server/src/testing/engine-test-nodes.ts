// Node kinds for engine-worker tests only (loaded with `startTestServer({ nodeModules: [ENGINE_TEST_NODES] })`,
// on the main thread and in every worker): a paced numbered source, a sink that checks the numbering, and
// nodes that end their worker the ways a faulty node or plugin would.
import { Type } from '@streamkit/pipeline/core/typebox';
import { join } from 'node:path';
import type { AnyNodeDefinition, NodeDefinition, Packet } from '@streamkit/pipeline';
import { EOS, forEachPacket, inputPin, outputPin } from '@streamkit/pipeline';

/** Path of this module's compiled file, for `nodeModules`. */
export const ENGINE_TEST_NODES = join(__dirname, 'engine-test-nodes.js');

const untilCancelled = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** Sends packet N at start + N * interval_ms (catching up when late), with `meta.sequence = N`. */
const ticker: NodeDefinition<{ interval_ms: number }> = {
  kind: 'test::ticker',
  categories: ['test'],
  description: 'Numbered text packets on a wall-clock schedule (tests only).',
  params: Type.Object({ interval_ms: Type.Integer({ default: 20, minimum: 1 }) }),
  pins: () => ({ inputs: [], outputs: [outputPin('out', 'Text')] }),
  create(params, ctx) {
    return {
      async run() {
        if (!(await ctx.waitForStart())) return;
        ctx.setState('Running');
        const out = ctx.output('out');
        const start = performance.now();
        let sequence = 0;
        while (!ctx.signal.aborted) {
          const due = Math.floor((performance.now() - start) / params.interval_ms);
          for (; sequence <= due; sequence++) {
            const packet: Packet = { kind: 'text', text: String(sequence), meta: { sequence } };
            const w = out.send(packet);
            if (w !== undefined && !(await w)) return;
          }
          await new Promise((r) => setTimeout(r, params.interval_ms));
        }
      },
    };
  },
};

/** Counts packets; a sequence number that is not the previous one plus one counts as `errored`. */
const sequenceCheck: NodeDefinition<Record<string, never>> = {
  kind: 'test::sequence_check',
  categories: ['test'],
  description: 'Counts gaps in meta.sequence as errored (tests only).',
  params: Type.Object({}),
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [] }),
  create(_params, ctx) {
    let last = -1;
    const check = (p: Packet) => {
      const seq = p.meta?.sequence ?? -1;
      if (last >= 0 && seq !== last + 1) ctx.stats.errored++;
      last = seq;
      return undefined;
    };
    return {
      async run() {
        ctx.setState('Running');
        await forEachPacket(ctx.input('in'), check);
      },
    };
  },
};

/** Ends its worker: process.exit, an uncaught exception, an endless loop, or memory until the heap limit. */
const fault: NodeDefinition<{ how: 'exit' | 'throw' | 'spin' | 'oom'; after_ms: number }> = {
  kind: 'test::fault',
  categories: ['test'],
  description: 'Misbehaves the way a faulty node or plugin would (tests only).',
  params: Type.Object({
    how: Type.Union([Type.Literal('exit'), Type.Literal('throw'), Type.Literal('spin'), Type.Literal('oom')]),
    after_ms: Type.Integer({ default: 0, minimum: 0 }),
  }),
  pins: () => ({ inputs: [], outputs: [] }),
  create(params, ctx) {
    return {
      async run() {
        ctx.setState('Running');
        const timer = setTimeout(() => {
          if (params.how === 'exit') process.exit(3);
          if (params.how === 'throw') throw new Error('test::fault threw outside its run()');
          if (params.how === 'spin') for (;;);
          const hoard: number[][] = [];
          for (;;) hoard.push(new Array(1 << 23).fill(hoard.length));
        }, params.after_ms);
        await untilCancelled(ctx.signal);
        clearTimeout(timer);
      },
    };
  },
};

/** Burns `busy_ms` of CPU on each packet (a heavy native node stand-in), then drops it. */
const burn: NodeDefinition<{ busy_ms: number }> = {
  kind: 'test::burn',
  categories: ['test'],
  description: 'Busy-waits on every packet (tests only).',
  params: Type.Object({ busy_ms: Type.Integer({ default: 50, minimum: 0 }) }),
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [] }),
  create(params, ctx) {
    return {
      async run() {
        ctx.setState('Running');
        const input = ctx.input('in');
        for (;;) {
          const p = input.tryRecv() ?? (await input.recv());
          if (p === EOS) return;
          const end = performance.now() + params.busy_ms;
          while (performance.now() < end);
        }
      },
    };
  },
};

export const nodeDefinitions: AnyNodeDefinition[] = [ticker, sequenceCheck, fault, burn];
