// `containers::ogg::muxer`: Opus packets in, Ogg Opus bytes out (RFC 7845), pages grouped by a flush policy.
import { Type, type Static } from '../../core/typebox';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { OggOpusMuxer } from '../../codecs/ogg/opus-muxer';
import { opusFrameOf, runContainer } from './drain';

export const OggMuxerParams = Type.Object({
  stream_serial: Type.Integer({
    minimum: 0,
    maximum: 0xffffffff,
    default: 0,
    description: 'Serial number of the Ogg logical stream.',
  }),
  codec: Type.Literal('opus', { default: 'opus', description: 'Codec of the packets (only Opus).' }),
  channels: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 2,
      description:
        "OpusHead channel count. Omit it to follow the stream (the first packet's TOC stereo bit); a value that " +
        'disagrees with the stream is kept and logged, and decoders up- or downmix.',
    }),
  ),
  pre_skip: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 312,
    description: 'Samples (48 kHz) decoders drop at the start: the encoder lookahead (312 for libopus).',
  }),
  max_page_duration_ms: Type.Integer({
    minimum: 0,
    maximum: 10000,
    default: 1000,
    description:
      'Close a page once it holds this much audio: latency against overhead (one 20 ms packet per page ' +
      'costs about 7% at 48 kb/s, 1000 ms under 1%). 0 puts every packet on its own page.',
  }),
  max_packets_per_page: Type.Integer({
    minimum: 1,
    maximum: 255,
    default: 255,
    description: 'Close a page once it holds this many packets.',
  }),
  chunk_size: Type.Integer({
    minimum: 0,
    default: 65536,
    description: 'Accepted for StreamKit compatibility; output is emitted per page flush.',
  }),
});
export type OggMuxerParams = Static<typeof OggMuxerParams>;

export const oggMuxerNode: NodeDefinition<OggMuxerParams> = {
  kind: 'containers::ogg::muxer',
  categories: ['containers', 'ogg'],
  description:
    'Muxes Opus packets into Ogg Opus: OpusHead and OpusTags on their own pages, granules from real sample ' +
    'counts, pages flushed by duration/packet count, and an exact end trim when the final packet declares a ' +
    'shorter durationUs. The latest packet is held until the next one (or end of input) so the last page ' +
    'can carry end-of-stream.',
  params: OggMuxerParams,
  pins: () => ({ inputs: [inputPin('in', ['OpusAudio'])], outputs: [outputPin('out', 'Binary')] }),
  contentType: () => 'audio/ogg',
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    const muxer = new OggOpusMuxer({
      serial: params.stream_serial,
      channels: params.channels,
      preSkip: params.pre_skip,
      maxPageDurationMs: params.max_page_duration_ms,
      maxPacketsPerPage: params.max_packets_per_page,
      onWarning: (msg) => ctx.log.warn(msg, { node: ctx.nodeId }),
    });
    let sequence = 0;
    const emit = (data: Uint8Array): undefined | Promise<boolean> =>
      out.send({ kind: 'binary', data, contentType: 'audio/ogg', meta: { sequence: sequence++ } });
    const onPacket = (p: Packet): undefined | Promise<boolean> => {
      const frame = opusFrameOf(p, ctx.stats);
      if (frame === undefined) return undefined;
      const before = muxer.invalidPackets;
      const bytes = muxer.write(frame, p.meta?.durationUs);
      if (muxer.invalidPackets !== before) ctx.stats.errored++;
      return bytes === undefined ? undefined : emit(bytes);
    };
    return { run: () => runContainer(ctx, input, onPacket, () => emit(muxer.end())) };
  },
};
