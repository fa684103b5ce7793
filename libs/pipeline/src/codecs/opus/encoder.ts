// Streaming Opus encoder: takes 48 kHz interleaved f32 of any block size, encodes exact fixed-size frames,
// pads only the final one, and reports each packet's real duration so containers can trim the end exactly.
import { f32ToS16 } from '../dsp/pcm';
import { NativeOpusEncoder, OPUS_PRE_SKIP } from './opus-native';

export type OpusApplication = 'audio' | 'voip' | 'lowdelay';

/** Rate control, named as ffmpeg names it: `on` = unconstrained VBR (ffmpeg's and opusenc's default). */
export type OpusVbrMode = 'on' | 'off' | 'constrained';

export interface OpusEncoderOptions {
  channels: 1 | 2;
  /** Bits per second. */
  bitrate: number;
  /** 0..10. */
  complexity: number;
  application: OpusApplication;
  vbr: OpusVbrMode;
  /** One of 2.5, 5, 10, 20, 40, 60. */
  frameSizeMs: number;
}

/** One encoded packet. `samples` is how many of its 48 kHz samples are real (the last packet is shorter). */
export interface EncodedOpusPacket {
  data: Uint8Array;
  /** Position of the packet's first sample on the encoder timeline (pre-skip included), in 48 kHz samples. */
  start: number;
  samples: number;
}

/** OPUS_GET_LOOKAHEAD_REQUEST (the typings misspell the getter). */
const CTL_GET_LOOKAHEAD = 4027;

const NATIVE_APPLICATION = { audio: 'audio', voip: 'voip', lowdelay: 'restricted_lowdelay' } as const;

export class OpusStreamEncoder {
  readonly channels: 1 | 2;
  /** Samples per channel in one frame. */
  readonly frameSize: number;
  private readonly encoder: NativeOpusEncoder;
  private readonly frame: Int16Array;
  private fill = 0;
  /** Samples per channel of caller input so far. */
  private fed = 0;
  private emitted = 0;
  private flushed = false;

  constructor(opts: OpusEncoderOptions) {
    this.channels = opts.channels;
    this.frameSize = Math.round((opts.frameSizeMs * 48000) / 1000);
    this.encoder = new NativeOpusEncoder({
      channels: opts.channels,
      sample_rate: 48000,
      application: NATIVE_APPLICATION[opts.application],
    });
    this.encoder.bitrate = opts.bitrate;
    this.encoder.complexity = opts.complexity as 0;
    this.encoder.vbr = opts.vbr !== 'off';
    this.encoder.vbr_constraint = opts.vbr === 'constrained';
    this.frame = new Int16Array(this.frameSize * opts.channels);
    // Pad the start so that every stream has the same pre-skip whatever the application's lookahead.
    const pad = OPUS_PRE_SKIP - this.encoder.ctl(CTL_GET_LOOKAHEAD);
    if (pad > 0) this.fill = pad * opts.channels;
  }

  /** Encoder-timeline samples (pre-skip included) covered by the packets emitted so far. */
  get emittedSamples(): number {
    return this.emitted;
  }

  /** Encode interleaved samples; completed packets are appended to `out`. */
  encode(samples: Float32Array, out: EncodedOpusPacket[]): void {
    if (this.flushed) throw new Error('Opus encoder already flushed');
    let offset = 0;
    const total = samples.length;
    this.fed += total / this.channels;
    while (offset < total) {
      const n = Math.min(total - offset, this.frame.length - this.fill);
      f32ToS16(samples, offset, this.frame, this.fill, n);
      this.fill += n;
      offset += n;
      if (this.fill === this.frame.length) this.emit(out, this.frameSize);
    }
  }

  /**
   * End of stream: feed the encoder's lookahead as silence, pad the last frame with zeros, and emit the
   * remaining packets. The `samples` of all packets then add up to the input plus the pre-skip.
   */
  flush(out: EncodedOpusPacket[]): void {
    if (this.flushed) return;
    this.flushed = true;
    const end = this.fed + OPUS_PRE_SKIP;
    while (this.emitted < end) {
      this.frame.fill(0, this.fill);
      this.fill = this.frame.length;
      this.emit(out, Math.min(this.frameSize, end - this.emitted));
    }
  }

  private emit(out: EncodedOpusPacket[], samples: number): void {
    out.push({ data: this.encoder.encode(this.frame), start: this.emitted, samples });
    this.emitted += samples;
    this.fill = 0;
  }
}
