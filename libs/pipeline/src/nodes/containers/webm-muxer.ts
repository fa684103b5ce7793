// `containers::webm::muxer`: Opus packets in, WebM bytes out. Live mode is for Media Source (init segment,
// then one chunk per packet); file mode writes a seekable file with Duration, Cues and an exact end trim.
import { Type, type Static } from '../../core/typebox';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { WebmOpusMuxer } from '../../codecs/webm/opus-muxer';
import { opusPacketSamples, opusSamplesToUs } from '../../codecs/ogg/opus-toc';
import { stringEnum } from './schema';
import { opusFrameOf, runContainer, sendAll } from './drain';

export const WebmMuxerParams = Type.Object({
  sample_rate: Type.Integer({
    minimum: 8000,
    maximum: 192000,
    default: 48000,
    description: 'SamplingFrequency of the audio track (Opus always decodes at 48000).',
  }),
  channels: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 2,
      description: "Track channel count. Omit it to follow the stream (the first packet's TOC stereo bit).",
    }),
  ),
  streaming_mode: stringEnum(['live', 'file'], {
    default: 'live',
    description:
      'live: Media Source friendly, unknown sizes, the init segment then one chunk per packet. ' +
      'file: buffered to the end, then written with sizes, Duration, Cues and an exact end trim.',
  }),
  pre_skip: Type.Integer({
    minimum: 0,
    maximum: 65535,
    default: 312,
    description: 'Encoder delay in 48 kHz samples, written as CodecDelay (312 for libopus).',
  }),
  cluster_duration_ms: Type.Integer({
    minimum: 20,
    maximum: 30000,
    default: 1000,
    description:
      'Start a new Cluster after this long. Late joiners start at a Cluster, so shorter joins faster.',
  }),
  chunk_size: Type.Integer({
    minimum: 1024,
    default: 65536,
    description: 'File mode: size of the output chunks the finished file is sent in.',
  }),
});
export type WebmMuxerParams = Static<typeof WebmMuxerParams>;

const CONTENT_TYPE = 'audio/webm; codecs="opus"';

export const webmMuxerNode: NodeDefinition<WebmMuxerParams> = {
  kind: 'containers::webm::muxer',
  categories: ['containers', 'webm'],
  description:
    'Muxes Opus packets into WebM with CodecDelay and SeekPreRoll. Live mode emits the init segment as its ' +
    'own packet, then one chunk per Opus packet; a chunk that starts a Cluster is where a late joiner ' +
    'begins (after the init segment).',
  params: WebmMuxerParams,
  pins: () => ({ inputs: [inputPin('in', ['OpusAudio'])], outputs: [outputPin('out', 'Binary')] }),
  contentType: () => CONTENT_TYPE,
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    const live = params.streaming_mode === 'live';
    const muxer = new WebmOpusMuxer({
      mode: params.streaming_mode,
      channels: params.channels,
      sampleRate: params.sample_rate,
      preSkip: params.pre_skip,
      clusterDurationMs: params.cluster_duration_ms,
      onWarning: (msg) => ctx.log.warn(msg, { node: ctx.nodeId }),
    });
    let sequence = 0;
    let initSent = false;
    const binary = (data: Uint8Array): Packet => ({
      kind: 'binary',
      data,
      contentType: CONTENT_TYPE,
      meta: { sequence: sequence++ },
    });
    const chunkPacket = (data: Uint8Array, opus: Uint8Array): Packet => ({
      kind: 'binary',
      data,
      contentType: CONTENT_TYPE,
      meta: {
        timestampUs: muxer.lastPacketStartUs,
        durationUs: opusSamplesToUs(opusPacketSamples(opus)),
        sequence: sequence++,
      },
    });
    const onPacket = (p: Packet): undefined | Promise<boolean> => {
      const frame = opusFrameOf(p, ctx.stats);
      if (frame === undefined) return undefined;
      const before = muxer.invalidPackets;
      const chunk = muxer.write(frame, p.meta?.timestampUs, p.meta?.durationUs);
      if (muxer.invalidPackets !== before) ctx.stats.errored++;
      if (!chunk) return undefined;
      if (!initSent) {
        initSent = true;
        // The init segment goes alone so a relay can keep it for late joiners.
        const init = binary(muxer.initSegment as Uint8Array);
        const first = chunkPacket(chunk, frame);
        const w = out.send(init);
        return w === undefined ? out.send(first) : w.then((ok) => ok && (out.send(first) ?? true));
      }
      return out.send(chunkPacket(chunk, frame));
    };
    const finish = (): true | Promise<boolean> => {
      const rest = muxer.end();
      if (rest.length === 0) return true;
      const packets: Packet[] = [];
      const size = live ? rest.length : params.chunk_size;
      for (let o = 0; o < rest.length; o += size) packets.push(binary(rest.subarray(o, o + size)));
      return sendAll(out, packets);
    };
    return { run: () => runContainer(ctx, input, onPacket, finish) };
  },
};
