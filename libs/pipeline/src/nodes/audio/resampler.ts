// `audio::resampler`: band-limited sample-rate conversion (SpeexDSP), optional channel up/down-mix, and
// re-chunking to fixed output frames. A format change mid-stream restarts the filter instead of failing.
import { type Static, Type } from '../../core/typebox';
import { remapChannels } from '../../codecs/dsp/mix';
import { FrameRechunker } from '../../codecs/dsp/rechunker';
import { StreamingResampler } from '../../codecs/resample/resampler';
import { EOS, type AudioPacket, type Packet } from '../../core/packets';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition, Sender } from '../../core/node';
import { rawAudio } from '../../core/pin-types';
import { sendAll } from './send-all';

const OPUS_FRAME_SIZES = [0, 120, 240, 480, 960, 1920, 2880];

export const ResamplerParams = Type.Object(
  {
    target_sample_rate: Type.Integer({
      minimum: 1000,
      maximum: 384000,
      description: 'Output sample rate in Hz.',
    }),
    channels: Type.Integer({
      minimum: 0,
      maximum: 8,
      default: 0,
      description:
        "Output channel count; 0 keeps the input's. Mono -> stereo duplicates, stereo -> mono averages.",
    }),
    quality: Type.Integer({
      minimum: 0,
      maximum: 10,
      default: 6,
      description: 'Speex filter quality 0..10 (6: about 113 dB SINAD on a 1 kHz sine; lower is cheaper).',
    }),
    output_frame_size: Type.Union(
      OPUS_FRAME_SIZES.map((n) => Type.Literal(n)),
      {
        default: 960,
        description: 'Samples per channel in each output frame, at the target rate (0: emit as produced).',
      },
    ),
    chunk_frames: Type.Integer({
      minimum: 1,
      default: 960,
      description: 'Accepted for StreamKit compatibility; has no effect (the filter streams any block size).',
    }),
  },
  { additionalProperties: false },
);
export type ResamplerParams = Static<typeof ResamplerParams>;

class ResamplerRun {
  private resampler: StreamingResampler | undefined;
  private inRate = 0;
  private inChannels = 0;
  private outChannels = 0;
  private rechunker: FrameRechunker | undefined;
  private readonly pending: Packet[] = [];
  private baseUs: number | undefined;
  private framesOut = 0;
  private seq = 0;

  constructor(
    private readonly params: ResamplerParams,
    private readonly ctx: NodeContext,
    private readonly out: Sender,
  ) {}

  async run(): Promise<void> {
    const input = this.ctx.input('in');
    for (;;) {
      let p = input.tryRecv();
      if (p === undefined) p = await input.recv();
      if (p === EOS) break;
      if (p.kind !== 'audio') {
        this.pending.push(p);
      } else {
        if (p.sampleRate !== this.inRate || p.channels !== this.inChannels) await this.restart(p);
        this.push(p);
      }
      const w = sendAll(this.out, this.pending);
      if (w !== undefined && !(await w)) {
        this.ctx.setState({ Stopped: { reason: 'output_closed' } });
        this.resampler?.destroy();
        return;
      }
    }
    this.finishFormat();
    const w = sendAll(this.out, this.pending);
    if (w !== undefined) await w;
  }

  private async restart(p: AudioPacket): Promise<void> {
    this.finishFormat();
    this.inRate = p.sampleRate;
    this.inChannels = p.channels;
    this.outChannels = this.params.channels || p.channels;
    this.baseUs ??= p.meta?.timestampUs ?? 0;
    const frame = this.params.output_frame_size;
    this.rechunker = frame > 0 ? new FrameRechunker(this.outChannels, frame) : undefined;
    this.resampler =
      p.sampleRate === this.params.target_sample_rate
        ? undefined
        : await StreamingResampler.create({
            channels: this.outChannels,
            inRate: p.sampleRate,
            outRate: this.params.target_sample_rate,
            quality: this.params.quality,
          });
  }

  private push(p: AudioPacket): void {
    // Remap channels before resampling: downmixing first halves the filter work.
    const mapped = remapChannels(p.samples, p.channels, this.outChannels);
    const y = this.resampler ? this.resampler.process(mapped) : mapped;
    this.emit(y);
  }

  /** Flush the filter and the partial frame of the current format. */
  private finishFormat(): void {
    if (this.resampler) {
      this.emit(this.resampler.flush());
      this.resampler.destroy();
      this.resampler = undefined;
    }
    const rest = this.rechunker?.flush();
    if (rest) this.queue(rest);
  }

  private emit(samples: Float32Array): void {
    if (samples.length === 0) return;
    const rc = this.rechunker;
    if (rc === undefined) {
      this.queue(samples);
      return;
    }
    let off = 0;
    while (off < samples.length) {
      off += rc.write(samples, off);
      if (rc.full) this.queue(rc.take());
    }
  }

  private queue(samples: Float32Array): void {
    const rate = this.params.target_sample_rate;
    const frames = samples.length / this.outChannels;
    const ts = (this.baseUs ?? 0) + Math.round((this.framesOut * 1e6) / rate);
    this.framesOut += frames;
    const end = (this.baseUs ?? 0) + Math.round((this.framesOut * 1e6) / rate);
    this.pending.push({
      kind: 'audio',
      sampleRate: rate,
      channels: this.outChannels,
      samples,
      meta: { timestampUs: ts, durationUs: end - ts, sequence: this.seq++ },
    });
  }
}

export const resamplerNode: NodeDefinition<ResamplerParams> = {
  kind: 'audio::resampler',
  categories: ['audio', 'filters'],
  description:
    'Converts audio to target_sample_rate with a band-limited filter (optionally changing the channel count) and re-chunks it into fixed frames.',
  params: ResamplerParams,
  pins: (p) => ({
    inputs: [inputPin('in', [rawAudio(0, 0, 'F32')])],
    outputs: [outputPin('out', rawAudio(p.target_sample_rate ?? 0, p.channels ?? 0, 'F32'))],
  }),
  create(params, ctx) {
    return {
      async run() {
        ctx.setState('Running');
        await new ResamplerRun(params, ctx, ctx.output('out')).run();
      },
    };
  },
};
