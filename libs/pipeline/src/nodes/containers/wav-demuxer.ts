// `containers::wav::demuxer`: WAV bytes in, f32 audio frames out at the file's own rate and channel count,
// emitted while the file streams in.
import { Type, type Static } from '../../core/typebox';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeDefinition } from '../../core/node';
import type { AudioPacket, Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';
import { WavReader } from '../../codecs/wav/reader';
import { createDrain, runContainer } from './drain';

export const WavDemuxerParams = Type.Object({
  frame_duration_ms: Type.Number({
    minimum: 1,
    maximum: 1000,
    default: 20,
    description: 'Audio per output packet (the last one may be shorter). 20 ms at 48 kHz is 960 frames.',
  }),
});
export type WavDemuxerParams = Static<typeof WavDemuxerParams>;

export const wavDemuxerNode: NodeDefinition<WavDemuxerParams> = {
  kind: 'containers::wav::demuxer',
  categories: ['containers', 'wav'],
  description:
    'Reads WAV (PCM 8/16/24/32-bit, IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE, RF64 and streamed WAV of ' +
    "unknown length) as it arrives and emits interleaved f32 frames at the file's own sample rate and " +
    'channel count, with timestampUs/durationUs/sequence.',
  params: WavDemuxerParams,
  pins: () => ({ inputs: [inputPin('in', ['Binary'])], outputs: [outputPin('out', rawAudio(0, 0, 'F32'))] }),
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    const reader = new WavReader();
    let frames = 0;
    let sequence = 0;
    let position = 0;
    const next = (): AudioPacket | undefined => {
      const f = reader.format;
      if (!f) return undefined;
      if (frames === 0) frames = Math.max(1, Math.round((f.sampleRate * params.frame_duration_ms) / 1000));
      const samples = reader.read(frames);
      if (!samples) return undefined;
      const n = samples.length / f.channels;
      const timestampUs = Math.round((position * 1e6) / f.sampleRate);
      position += n;
      return {
        kind: 'audio',
        sampleRate: f.sampleRate,
        channels: f.channels,
        samples,
        meta: {
          timestampUs,
          durationUs: Math.round((position * 1e6) / f.sampleRate) - timestampUs,
          sequence: sequence++,
        },
      };
    };
    const drain = createDrain(out, next);
    const onPacket = (p: Packet): undefined | Promise<boolean> => {
      if (p.kind !== 'binary') {
        ctx.stats.discarded++;
        return undefined;
      }
      reader.push(p.data);
      return drain();
    };
    const finish = async (): Promise<boolean> => {
      reader.end();
      const last = drain();
      if (last !== undefined && !(await last)) return false;
      const declared = reader.format?.declaredFrames;
      if (declared !== undefined && reader.framesRead < declared) {
        ctx.log.warn('WAV input ended before its declared length', {
          node: ctx.nodeId,
          declaredFrames: declared,
          framesRead: reader.framesRead,
        });
      }
      return true;
    };
    return { run: () => runContainer(ctx, input, onPacket, finish) };
  },
};
