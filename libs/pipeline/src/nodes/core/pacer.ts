// `core::pacer`: releases packets in real time, one packet duration apart (divided by `speed`).
import { Type, type Static } from '../../core/typebox';
import type { NodeDefinition } from '../../core/node';
import { EOS, type Packet } from '../../core/packets';
import { inputPin, outputPin } from '../../core/helpers';

const Params = Type.Object({
  speed: Type.Number({
    default: 1,
    exclusiveMinimum: 0,
    maximum: 1000,
    tunable: true,
    description: 'Playback speed factor (2 = twice real time).',
  }),
  buffer_size: Type.Integer({
    default: 16,
    minimum: 1,
    description: 'Packets held ahead of their release time (the input queue applies backpressure beyond).',
  }),
  initial_burst_packets: Type.Integer({
    default: 0,
    minimum: 0,
    description:
      'First packets sent at 10x speed to prime downstream buffers; re-armed after a 300 ms input gap.',
  }),
});
type Params = Static<typeof Params>;

const BURST_RESET_GAP_MS = 300;

/** Packet duration in microseconds: metadata first, else computed for audio; other packets take no time. */
export function packetDurationUs(p: Packet): number {
  if (p.meta?.durationUs !== undefined) return p.meta.durationUs;
  if (p.kind === 'audio' && p.sampleRate > 0 && p.channels > 0)
    return (p.samples.length / p.channels / p.sampleRate) * 1e6;
  return 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export const pacerNode: NodeDefinition<Params> = {
  kind: 'core::pacer',
  categories: ['core', 'timing'],
  description:
    'Releases packets at the pace of their duration (metadata or audio length), divided by `speed`.',
  params: Params,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [outputPin('out', 'Passthrough')] }),
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    let speed = params.speed;
    return {
      tune(next) {
        speed = next.speed;
      },
      async run() {
        ctx.setState('Running');
        let clock = -1;
        let burstLeft = params.initial_burst_packets;
        let burstDone = params.initial_burst_packets === 0;
        for (;;) {
          let p = input.tryRecv();
          // Starved means nothing was queued; an undefined answer while packets wait is the turn budget
          // asking to yield, and restarting the clock then would lose the time a late timer owes.
          let starved = false;
          if (p === undefined && input.queued > 0) {
            p = await input.recv();
          } else if (p === undefined) {
            const waitStart = performance.now();
            p = await input.recv();
            starved = true;
            if (
              burstDone &&
              params.initial_burst_packets > 0 &&
              performance.now() - waitStart > BURST_RESET_GAP_MS
            ) {
              burstLeft = params.initial_burst_packets;
              burstDone = false;
            }
          }
          if (p === EOS) return;
          let durMs = packetDurationUs(p) / 1000 / speed;
          if (durMs > 0) {
            if (burstLeft > 0) {
              durMs /= 10;
              if (--burstLeft === 0) burstDone = true;
            }
            const now = performance.now();
            // After a starved input, restart the clock; while packets are queued, late timers catch up.
            if (clock < 0 || (starved && clock < now)) clock = now;
            clock += durMs;
            const wait = clock - performance.now();
            if (wait > 1) await sleep(wait, ctx.signal);
            if (ctx.signal.aborted) return;
          }
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
