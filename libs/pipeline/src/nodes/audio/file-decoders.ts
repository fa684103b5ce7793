// `audio::flac::decoder` and `audio::mp3::decoder`: file bytes in any chunking -> ~20 ms f32 frames at the
// file's own rate and channel count, streamed as the bytes arrive, with exact sample counts.
import { Type } from '../../core/typebox';
import type { PcmChunk } from '../../codecs/dsp/pcm-chunk';
import { FlacStreamDecoder } from '../../codecs/flac/decoder';
import { Mp3StreamDecoder } from '../../codecs/mp3/decoder';
import { MediaError, nodeError } from '../../core/media-error';
import { EOS, type Packet } from '../../core/packets';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition } from '../../core/node';
import { rawAudio } from '../../core/pin-types';
import { sendAll } from './send-all';

interface StreamDecoder {
  decode(chunk: Uint8Array, out: PcmChunk[]): void | Promise<void>;
  flush(out: PcmChunk[]): void | Promise<void>;
  readonly framesOut: number;
  readonly errors: number;
  free(): void;
}

const NoParams = Type.Object({}, { additionalProperties: false });

class FileDecoderRun {
  private readonly chunks: PcmChunk[] = [];
  private readonly pending: Packet[] = [];
  private seq = 0;
  /** Frames emitted at the current rate, and the time at which that rate started. */
  private framesAtRate = 0;
  private rate = 0;
  private rateStartUs = 0;
  private bytes = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly format: string,
  ) {}

  async run(dec: StreamDecoder): Promise<void> {
    const input = this.ctx.input('in');
    const out = this.ctx.output('out');
    for (;;) {
      let p = input.tryRecv();
      if (p === undefined) p = await input.recv();
      if (p === EOS) break;
      if (p.kind !== 'binary') {
        this.ctx.stats.discarded++;
        continue;
      }
      this.bytes += p.data.length;
      const w = dec.decode(p.data, this.chunks);
      if (w !== undefined) await w;
      if (!(await this.emit(out))) {
        this.ctx.setState({ Stopped: { reason: 'output_closed' } });
        return;
      }
    }
    const w = dec.flush(this.chunks);
    if (w !== undefined) await w;
    await this.emit(out);
    this.ctx.stats.errored += dec.errors;
    if (dec.framesOut === 0) {
      throw new MediaError(
        `no ${this.format} audio found in ${this.bytes} input bytes; is the input a ${this.format} file?`,
      );
    }
  }

  private emit(out: ReturnType<NodeContext['output']>): true | Promise<boolean> {
    for (const c of this.chunks) {
      if (c.sampleRate !== this.rate) {
        this.rateStartUs += this.rate === 0 ? 0 : Math.round((this.framesAtRate * 1e6) / this.rate);
        this.rate = c.sampleRate;
        this.framesAtRate = 0;
      }
      const frames = c.samples.length / c.channels;
      const ts = this.rateStartUs + Math.round((this.framesAtRate * 1e6) / c.sampleRate);
      this.framesAtRate += frames;
      const end = this.rateStartUs + Math.round((this.framesAtRate * 1e6) / c.sampleRate);
      this.pending.push({
        kind: 'audio',
        sampleRate: c.sampleRate,
        channels: c.channels,
        samples: c.samples,
        meta: { timestampUs: ts, durationUs: end - ts, sequence: this.seq++ },
      });
    }
    this.chunks.length = 0;
    return sendAll(out, this.pending) ?? true;
  }
}

function fileDecoderNode(
  kind: string,
  format: string,
  description: string,
  open: () => Promise<StreamDecoder>,
): NodeDefinition<Record<string, never>> {
  return {
    kind,
    categories: ['audio', 'codecs', format.toLowerCase()],
    description,
    params: NoParams,
    pins: () => ({
      inputs: [inputPin('in', ['Binary'])],
      outputs: [outputPin('out', rawAudio(0, 0, 'F32'))],
    }),
    create(_params, ctx) {
      return {
        async run() {
          const dec = await open();
          try {
            ctx.setState('Running');
            await new FileDecoderRun(ctx, format).run(dec);
          } catch (err) {
            throw nodeError(ctx, err);
          } finally {
            dec.free();
          }
        },
      };
    },
  };
}

export const flacDecoderNode = fileDecoderNode(
  'audio::flac::decoder',
  'FLAC',
  "Decodes a FLAC file (any chunking) to f32 audio at the file's own sample rate and channel count, bit-exact.",
  () => FlacStreamDecoder.create(),
);

export const mp3DecoderNode = fileDecoderNode(
  'audio::mp3::decoder',
  'MP3',
  "Decodes an MP3 file (any chunking) to f32 audio at the file's own sample rate and channel count, gapless.",
  () => Mp3StreamDecoder.create(),
);
