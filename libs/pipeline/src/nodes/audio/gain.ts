// `audio::gain`: a linear gain, tunable while running. A change ramps over one frame (no zipper clicks).
import { type Static, Type } from '../../core/typebox';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import type { NodeDefinition } from '../../core/node';
import type { AudioPacket, Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';

export const GainParams = Type.Object(
  {
    gain: Type.Number({
      minimum: 0,
      maximum: 4,
      default: 1,
      tunable: true,
      description: 'Linear factor: 0 mutes, 1 keeps, 2 is +6 dB, 4 is +12 dB. The output is not clipped.',
    }),
  },
  { additionalProperties: false },
);
export type GainParams = Static<typeof GainParams>;

/**
 * Scale `p` from `from` to `to` (a linear ramp across the frame when they differ). An owned packet is scaled
 * in place and returned; a shared one is copied into a new, owned packet. Unity gain forwards `p` as it is.
 */
export function gainPacket(p: AudioPacket, from: number, to: number): AudioPacket {
  if (from === to && to === 1) return p;
  const src = p.samples;
  const out = p.owned === true ? src : new Float32Array(src.length);
  if (from === to) {
    for (let i = 0; i < src.length; i++) out[i] = src[i] * to;
  } else {
    const ch = p.channels;
    const frames = src.length / ch;
    const step = (to - from) / Math.max(1, frames);
    for (let f = 0; f < frames; f++) {
      const g = from + step * (f + 1);
      for (let c = 0; c < ch; c++) out[f * ch + c] = src[f * ch + c] * g;
    }
  }
  if (out === src) return p;
  return {
    kind: 'audio',
    sampleRate: p.sampleRate,
    channels: p.channels,
    samples: out,
    meta: p.meta,
    owned: true,
  };
}

export const gainNode: NodeDefinition<GainParams> = {
  kind: 'audio::gain',
  categories: ['audio', 'filters'],
  description: 'Multiplies audio by a linear gain (0..4), tunable live; other packets pass through.',
  params: GainParams,
  pins: () => ({
    inputs: [inputPin('in', [rawAudio(0, 0, 'F32')])],
    outputs: [outputPin('out', rawAudio(0, 0, 'F32'))],
  }),
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    let applied = params.gain;
    let target = params.gain;
    const onPacket = (p: Packet) => {
      if (p.kind !== 'audio') return out.send(p);
      const q = gainPacket(p, applied, target);
      applied = target;
      return out.send(q);
    };
    return {
      async run() {
        ctx.setState('Running');
        if ((await forEachPacket(input, onPacket)) === 'stopped')
          ctx.setState({ Stopped: { reason: 'output_closed' } });
      },
      tune(next) {
        target = next.gain;
      },
    };
  },
};
