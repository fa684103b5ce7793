// Streaming FLAC decoder (libFLAC in WASM via @wasm-audio-decoders/flac): feed arbitrary byte chunks,
// get ~20 ms interleaved f32 chunks at the file's own rate and channel count.
import type { FLACDecoder } from '@wasm-audio-decoders/flac';
import type { PcmChunk } from '../dsp/pcm-chunk';
import { PlanarFramer } from '../dsp/planar-framer';

interface FlacDecoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth: number;
  errors: unknown[];
}

export class FlacStreamDecoder {
  private readonly framer = new PlanarFramer();
  /** Decode errors reported by libFLAC (frames skipped). */
  errors = 0;

  private constructor(private readonly decoder: FLACDecoder) {}

  static async create(): Promise<FlacStreamDecoder> {
    // Loaded on first use: the WASM module costs ~60 ms of CPU to load, and most processes never decode FLAC.
    const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
    const decoder = new FLACDecoder();
    await decoder.ready;
    return new FlacStreamDecoder(decoder);
  }

  /** Frames (samples per channel) emitted so far. */
  get framesOut(): number {
    return this.framer.framesOut;
  }

  /** Feed one chunk of the file; completed chunks are appended to `out`. */
  async decode(chunk: Uint8Array, out: PcmChunk[]): Promise<void> {
    this.take((await this.decoder.decode(chunk)) as FlacDecoded, out);
  }

  /** End of input: decode what the parser still holds and emit the final short chunk. */
  async flush(out: PcmChunk[]): Promise<void> {
    this.take((await this.decoder.flush()) as FlacDecoded, out);
    this.framer.flush(out);
  }

  free(): void {
    this.decoder.free();
  }

  private take(d: FlacDecoded, out: PcmChunk[]): void {
    this.errors += d.errors.length;
    if (d.samplesDecoded === 0) return;
    // The library divides by 2^(bits-1) - 1; FLAC's (and ffmpeg's) full scale is 2^(bits-1).
    const full = 2 ** (d.bitDepth - 1);
    this.framer.push(
      d.channelData,
      d.channelData.length,
      d.samplesDecoded,
      d.sampleRate,
      (full - 1) / full,
      out,
    );
  }
}
