// `audio::opus::decoder`: Opus packets -> 48 kHz f32 with the stream's channel count, exact trims
// (pre-skip, end trim) and concealment of lost packets (libopus PLC) instead of silence or errors.
import { type Static, Type } from '../../core/typebox';
import { OpusStreamDecoder } from '../../codecs/opus/decoder';
import { OPUS_PRE_SKIP, OPUS_SAMPLE_RATE } from '../../codecs/opus/opus-native';
import { isOpusHead, isOpusTags, parseOpusHead } from '../../codecs/ogg/opus-head';
import {
  opusPacketIsStereo,
  opusPacketSamples,
  opusSamplesToUs,
  opusUsToSamples,
} from '../../codecs/ogg/opus-toc';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition, Sender } from '../../core/node';
import type { Packet, PacketMetadata } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';
import { sendAll } from './send-all';

export const OpusDecoderParams = Type.Object(
  {
    channels: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], {
      default: 0,
      description:
        "Output channels. 0 = the stream's own: from an in-band OpusHead, else the first packet's stereo flag.",
    }),
    pre_skip: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 0, maximum: 65535 })], {
      default: 'auto',
      description:
        "Samples (48 kHz) to drop at the start. auto: an in-band OpusHead's value; else 312 (the libopus lookahead that ffmpeg, opusenc and audio::opus::encoder write) when the first packet is at timestamp 0 of a container timeline; else 0.",
    }),
    max_conceal_ms: Type.Integer({
      minimum: 0,
      maximum: 10000,
      default: 1000,
      description:
        'Longest gap (from timestamps or sequence numbers) filled by packet-loss concealment; longer gaps are treated as a discontinuity. 0 disables gap filling.',
    }),
  },
  { additionalProperties: false },
);
export type OpusDecoderParams = Static<typeof OpusDecoderParams>;

/**
 * Timing contract with upstream (the Ogg/WebM demuxers, audio::opus::encoder): `meta.timestampUs` is the
 * packet's position on the stream timeline, pre-skip included as Ogg granules count it, and
 * `meta.durationUs` the part of the packet that counts (shorter only for an end-trimmed last packet).
 * Pre-skip comes from `pre_skip`, an in-band OpusHead packet, or a negative first timestamp.
 */
class OpusDecoderNode {
  private decoder: OpusStreamDecoder | undefined;
  private headChannels = 0;
  private headSeen = false;
  /** Pre-skip samples still to drop (from an OpusHead). */
  private skipLeft = 0;
  /** Pre-skip to subtract from input timestamps to get output timestamps, in samples. */
  private timelineOffset = 0;
  /** Where the next packet should start on the input timeline (samples), when timestamps are present. */
  private expectedStart: number | undefined;
  private lastSequence: number | undefined;
  private started = false;
  /** Output samples emitted, for timestamps when the input carries none. */
  private outSamples = 0;
  private seq = 0;
  private readonly pending: Packet[] = [];
  private readonly maxConceal: number;
  private readonly out: Sender;

  constructor(
    private readonly params: OpusDecoderParams,
    private readonly ctx: NodeContext,
  ) {
    this.maxConceal = opusUsToSamples(params.max_conceal_ms * 1000);
    this.out = ctx.output('out');
  }

  readonly onPacket = (p: Packet): undefined | Promise<boolean> => {
    if (p.kind !== 'opus' && p.kind !== 'binary') {
      this.ctx.stats.discarded++;
      return undefined;
    }
    const data = p.data;
    if (isOpusHead(data)) {
      this.onHead(data);
      return undefined;
    }
    if (isOpusTags(data)) return undefined;
    const dec = this.decoder ?? this.createDecoder(data);
    const meta = p.meta;
    if (!this.started) this.start(meta);
    this.fillGap(dec, meta);
    let pcm: Float32Array;
    try {
      pcm = dec.decode(data);
    } catch (err) {
      this.ctx.stats.errored++;
      this.ctx.log.warn('corrupt Opus packet concealed', { error: String(err), bytes: data.length });
      pcm = dec.conceal(opusPacketSamples(data) || dec.lastPacketSamples);
    }
    const decoded = pcm.length / dec.channels;
    let start: number | undefined;
    if (meta?.timestampUs !== undefined) start = opusUsToSamples(meta.timestampUs);
    let lead = 0;
    if (start !== undefined && start < 0) {
      lead = Math.min(decoded, -start);
      this.skipLeft = 0;
    } else if (this.skipLeft > 0) {
      lead = Math.min(decoded, this.skipLeft);
      this.skipLeft -= lead;
    }
    let end = decoded;
    if (meta?.durationUs !== undefined)
      end = Math.min(decoded, Math.max(lead, opusUsToSamples(meta.durationUs)));
    if (start !== undefined) this.expectedStart = start + decoded;
    if (meta?.sequence !== undefined) this.lastSequence = meta.sequence;
    if (end > lead) {
      const at = start !== undefined ? start - this.timelineOffset + lead : this.outSamples;
      this.queue(
        lead === 0 && end === decoded ? pcm : pcm.slice(lead * dec.channels, end * dec.channels),
        at,
        dec.channels,
      );
    }
    return sendAll(this.out, this.pending);
  };

  private onHead(data: Uint8Array): void {
    try {
      const head = parseOpusHead(data);
      this.headSeen = true;
      this.headChannels = head.channels;
      if (this.params.pre_skip === 'auto' && !this.started)
        this.skipLeft = this.timelineOffset = head.preSkip;
    } catch (err) {
      this.ctx.stats.errored++;
      this.ctx.log.warn('ignored an invalid OpusHead packet', { error: String(err) });
    }
  }

  /** Settle the pre-skip at the first audio packet. */
  private start(meta: PacketMetadata | undefined): void {
    this.started = true;
    const ps = this.params.pre_skip;
    if (ps !== 'auto') this.skipLeft = this.timelineOffset = ps;
    else if (!this.headSeen && meta?.timestampUs === 0) this.skipLeft = this.timelineOffset = OPUS_PRE_SKIP;
  }

  private createDecoder(first: Uint8Array): OpusStreamDecoder {
    let ch: 1 | 2;
    if (this.params.channels !== 0) ch = this.params.channels;
    else if (this.headSeen) ch = this.headChannels >= 2 ? 2 : 1;
    else ch = opusPacketIsStereo(first) ? 2 : 1;
    this.decoder = new OpusStreamDecoder(ch);
    return this.decoder;
  }

  /** Conceal packets missing before this one, judged by timestamps (else sequence numbers). */
  private fillGap(dec: OpusStreamDecoder, meta: PacketMetadata | undefined): void {
    if (meta === undefined || this.maxConceal === 0) return;
    let gap: number;
    let at = this.outSamples;
    if (meta.timestampUs !== undefined) {
      if (this.expectedStart === undefined) return;
      gap = opusUsToSamples(meta.timestampUs) - this.expectedStart;
      // Less than half a packet late is timestamp rounding, not loss.
      if (gap * 2 < dec.lastPacketSamples) return;
      at = this.expectedStart - this.timelineOffset;
    } else if (meta.sequence !== undefined && this.lastSequence !== undefined) {
      const lost = meta.sequence - this.lastSequence - 1;
      if (lost <= 0) return;
      gap = lost * dec.lastPacketSamples;
    } else return;
    if (gap > this.maxConceal) {
      this.ctx.log.info('gap longer than max_conceal_ms: treated as a discontinuity', { gap_ms: gap / 48 });
      return;
    }
    const chunk = dec.lastPacketSamples;
    for (let done = 0; done < gap; done += chunk) {
      const n = Math.min(chunk, gap - done);
      this.queue(dec.conceal(n), at + done, dec.channels);
    }
    this.ctx.telemetry('opus.concealed', { samples: gap });
  }

  private queue(samples: Float32Array, at: number, channels: number): void {
    const frames = samples.length / channels;
    this.outSamples = Math.max(this.outSamples, at + frames);
    this.pending.push({
      kind: 'audio',
      sampleRate: OPUS_SAMPLE_RATE,
      channels,
      samples,
      meta: {
        timestampUs: opusSamplesToUs(Math.max(0, at)),
        durationUs: opusSamplesToUs(frames),
        sequence: this.seq++,
      },
      // Every array queued here is new (decoded, concealed or sliced) and not kept.
      owned: true,
    });
  }
}

export const opusDecoderNode: NodeDefinition<OpusDecoderParams> = {
  kind: 'audio::opus::decoder',
  categories: ['audio', 'codecs', 'opus'],
  description:
    "Decodes Opus packets to 48 kHz f32 audio in the stream's channel count (mono or stereo), trimming pre-skip and the end exactly and concealing lost packets.",
  params: OpusDecoderParams,
  pins: (p) => ({
    inputs: [inputPin('in', ['OpusAudio'])],
    outputs: [outputPin('out', rawAudio(OPUS_SAMPLE_RATE, p.channels ?? 0, 'F32'))],
  }),
  create(params, ctx) {
    const node = new OpusDecoderNode(params, ctx);
    const input = ctx.input('in');
    return {
      async run() {
        ctx.setState('Running');
        if ((await forEachPacket(input, node.onPacket)) === 'stopped') {
          ctx.setState({ Stopped: { reason: 'output_closed' } });
        }
      },
    };
  },
};
