// `containers::wav::muxer` (ours): f32 audio in, WAV bytes out. Live mode streams a header of unknown length
// (0xFFFFFFFF sizes, as ffmpeg and sox write to pipes) and then the samples; file mode buffers the samples
// and writes exact sizes at the end.
import { Type, type Static } from '../../core/typebox';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';
import { WavWriter } from '../../codecs/wav/writer';
import { stringEnum } from './schema';
import { runContainer, sendAll } from './drain';

export const WavMuxerParams = Type.Object({
  sample_format: stringEnum(['s16', 's24', 'f32'], {
    default: 's16',
    description:
      'Sample format written: 16-bit PCM (most compatible), 24-bit PCM, or 32-bit float (lossless).',
  }),
  streaming_mode: stringEnum(['live', 'file'], {
    default: 'live',
    description:
      'live: bytes flow as audio arrives, the header declares an unknown length (players read to the end). ' +
      'file: audio is buffered and written once, with exact sizes in the header.',
  }),
});
export type WavMuxerParams = Static<typeof WavMuxerParams>;

const CONTENT_TYPE = 'audio/wav';

export const wavMuxerNode: NodeDefinition<WavMuxerParams> = {
  kind: 'containers::wav::muxer',
  categories: ['containers', 'wav'],
  description:
    "Writes f32 audio as a WAV file (s16, s24 or f32) at the input's sample rate and channel count. " +
    'The format is fixed by the first packet; a later change fails the node.',
  params: WavMuxerParams,
  pins: () => ({ inputs: [inputPin('in', [rawAudio(0, 0, 'F32')])], outputs: [outputPin('out', 'Binary')] }),
  contentType: () => CONTENT_TYPE,
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    const live = params.streaming_mode === 'live';
    let writer: WavWriter | undefined;
    let frames = 0;
    const buffered: Uint8Array[] = [];
    let sequence = 0;
    const binary = (data: Uint8Array): Packet => ({
      kind: 'binary',
      data,
      contentType: CONTENT_TYPE,
      meta: { sequence: sequence++ },
    });
    const onPacket = (p: Packet): undefined | Promise<boolean> => {
      if (p.kind !== 'audio') {
        ctx.stats.discarded++;
        return undefined;
      }
      let header: Uint8Array | undefined;
      if (!writer) {
        writer = new WavWriter({
          sampleRate: p.sampleRate,
          channels: p.channels,
          format: params.sample_format,
        });
        if (live) header = writer.header();
      } else if (p.sampleRate !== writer.opts.sampleRate || p.channels !== writer.opts.channels) {
        throw new Error(
          `audio format changed from ${writer.opts.sampleRate} Hz/${writer.opts.channels} ch to ` +
            `${p.sampleRate} Hz/${p.channels} ch; a WAV file has one format (resample or remix upstream)`,
        );
      }
      frames += p.samples.length / p.channels;
      if (!live) {
        buffered.push(writer.encode(p.samples));
        return undefined;
      }
      let data: Uint8Array;
      if (header) {
        data = new Uint8Array(header.length + p.samples.length * writer.bytesPerSample);
        data.set(header);
        writer.encodeInto(p.samples, data, header.length);
      } else {
        data = writer.encode(p.samples);
      }
      return out.send(binary(data));
    };
    const finish = async (): Promise<boolean> => {
      if (!writer) {
        ctx.log.warn('no audio arrived: no WAV output', { node: ctx.nodeId });
        return true;
      }
      if (live) return true;
      const packets = [binary(writer.header(frames)), ...buffered.map(binary)];
      // RIFF chunks are word-aligned: odd-sized data (s24 mono, odd frame count) gets a pad byte.
      if ((frames * writer.blockAlign) & 1) packets.push(binary(new Uint8Array(1)));
      buffered.length = 0;
      return sendAll(out, packets);
    };
    return { run: () => runContainer(ctx, input, onPacket, finish) };
  },
};
