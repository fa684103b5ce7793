// `audio::opus::encoder`: 48 kHz mono/stereo f32 of any block size -> Opus packets of exactly one frame,
// with real timestamps and durations (the last packet's duration marks the end trim for containers).
import { type Static, Type } from '../../core/typebox';
import { type EncodedOpusPacket, OpusStreamEncoder } from '../../codecs/opus/encoder';
import { OPUS_SAMPLE_RATE } from '../../codecs/opus/opus-native';
import { opusSamplesToUs } from '../../codecs/ogg/opus-toc';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition, Sender } from '../../core/node';
import type { AudioPacket, Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';
import { recycleSamples } from '../../core/sample-pool';
import { sendAll } from './send-all';

const FRAME_MS = [2.5, 5, 10, 20, 40, 60] as const;

export const OpusEncoderParams = Type.Object(
  {
    bitrate: Type.Integer({
      minimum: 6000,
      maximum: 510000,
      multipleOf: 1000,
      default: 64000,
      tunable: false,
      description: 'Target bitrate in bits per second.',
    }),
    complexity: Type.Integer({
      minimum: 0,
      maximum: 10,
      default: 10,
      description: 'Encoder effort, 0 (fastest) to 10 (best).',
    }),
    application: Type.Union([Type.Literal('audio'), Type.Literal('voip'), Type.Literal('lowdelay')], {
      default: 'audio',
      description:
        'audio: music and general; voip: speech intelligibility; lowdelay: lowest latency (CELT only).',
    }),
    vbr: Type.Union([Type.Literal('on'), Type.Literal('off'), Type.Literal('constrained')], {
      default: 'on',
      description:
        'Rate control: on = unconstrained VBR (as ffmpeg and opusenc), off = CBR, constrained = CVBR.',
    }),
    frame_size_ms: Type.Union(
      FRAME_MS.map((ms) => Type.Literal(ms)),
      { default: 20, description: 'Duration of each Opus packet in milliseconds.' },
    ),
    frame_size: Type.Optional(
      Type.Union(
        [120, 240, 480, 960, 1920, 2880].map((n) => Type.Literal(n)),
        {
          description:
            'Frame size in samples at 48 kHz (StreamKit sample compatibility); must agree with frame_size_ms if both are set.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type OpusEncoderParams = Static<typeof OpusEncoderParams>;

function frameMs(p: OpusEncoderParams): number {
  return p.frame_size !== undefined ? p.frame_size / 48 : p.frame_size_ms;
}

class OpusEncoderNode {
  private encoder: OpusStreamEncoder | undefined;
  private readonly encoded: EncodedOpusPacket[] = [];
  private readonly pending: Packet[] = [];
  /** Timeline origin: the first input's timestamp, in µs. */
  private baseUs = 0;
  /** Encoder-timeline samples of encoders already flushed (after a channel change). */
  private offset = 0;
  private seq = 0;
  private readonly out: Sender;

  constructor(
    private readonly params: OpusEncoderParams,
    private readonly ctx: NodeContext,
  ) {
    this.out = ctx.output('out');
  }

  readonly onPacket = (p: Packet): undefined | Promise<boolean> => {
    if (p.kind !== 'audio') {
      this.ctx.stats.discarded++;
      return undefined;
    }
    const enc = this.encoderFor(p);
    enc.encode(p.samples, this.encoded);
    // The samples are copied into the encoder's frame: an owned array can serve the next decoded frame.
    recycleSamples(p);
    this.drain();
    return sendAll(this.out, this.pending);
  };

  /** End of input: pad and emit the last packets. */
  finish(): undefined | Promise<boolean> {
    if (this.encoder === undefined) return undefined;
    this.encoder.flush(this.encoded);
    this.drain();
    return sendAll(this.out, this.pending);
  }

  private encoderFor(p: AudioPacket): OpusStreamEncoder {
    if (p.sampleRate !== OPUS_SAMPLE_RATE) {
      throw new Error(
        `${this.where()}: got ${p.sampleRate} Hz audio; Opus encoding needs 48000 Hz. Put an audio::resampler with target_sample_rate: 48000 before this node.`,
      );
    }
    if (p.channels !== 1 && p.channels !== 2) {
      throw new Error(
        `${this.where()}: got ${p.channels}-channel audio; this encoder takes mono or stereo. Put an audio::resampler with channels: 2 before this node.`,
      );
    }
    let enc = this.encoder;
    if (enc !== undefined && enc.channels === p.channels) return enc;
    if (enc === undefined) this.baseUs = p.meta?.timestampUs ?? 0;
    else {
      // Channel count changed: finish the old stream, continue on the same timeline with a new encoder.
      enc.flush(this.encoded);
      this.drain();
      this.offset += enc.emittedSamples;
    }
    enc = new OpusStreamEncoder({
      channels: p.channels,
      bitrate: this.params.bitrate,
      complexity: this.params.complexity,
      application: this.params.application,
      vbr: this.params.vbr,
      frameSizeMs: frameMs(this.params),
    });
    this.encoder = enc;
    return enc;
  }

  private where(): string {
    return `audio::opus::encoder '${this.ctx.nodeId}', pin 'in'`;
  }

  private drain(): void {
    const list = this.encoded;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      this.pending.push({
        kind: 'opus',
        data: e.data,
        meta: {
          timestampUs: this.baseUs + opusSamplesToUs(this.offset + e.start),
          durationUs: opusSamplesToUs(e.samples),
          sequence: this.seq++,
        },
      });
    }
    list.length = 0;
  }
}

export const opusEncoderNode: NodeDefinition<OpusEncoderParams> = {
  kind: 'audio::opus::encoder',
  categories: ['audio', 'codecs', 'opus'],
  description:
    'Encodes 48 kHz mono or stereo audio to Opus packets of a fixed frame size (any input block size; only the last frame is padded).',
  params: OpusEncoderParams,
  pins: () => ({
    inputs: [inputPin('in', [rawAudio(OPUS_SAMPLE_RATE, 0, 'F32')])],
    outputs: [outputPin('out', 'OpusAudio')],
  }),
  contentType: () => 'audio/opus',
  validate(p) {
    if (p.frame_size !== undefined && p.frame_size / 48 !== p.frame_size_ms && p.frame_size_ms !== 20) {
      return [
        {
          path: '/frame_size',
          message: `frame_size ${p.frame_size} (${p.frame_size / 48} ms) disagrees with frame_size_ms ${p.frame_size_ms}: set only one`,
        },
      ];
    }
    return [];
  },
  create(params, ctx) {
    const node = new OpusEncoderNode(params, ctx);
    const input = ctx.input('in');
    return {
      async run() {
        ctx.setState('Running');
        if ((await forEachPacket(input, node.onPacket)) === 'stopped') {
          ctx.setState({ Stopped: { reason: 'output_closed' } });
          return;
        }
        const last = node.finish();
        if (last !== undefined) await last;
      },
    };
  },
};
