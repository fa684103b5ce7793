// Streaming FLAC decoder (libFLAC in WASM via @wasm-audio-decoders/flac): feed arbitrary byte chunks,
// get ~20 ms interleaved f32 chunks at the file's own rate and channel count. The stream must start with
// `fLaC` (after any ID3v2 tags): anything else, including no bytes at all, is a MediaError.
import type { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MediaError } from '../../core/media-error';
import { id3v2Size, wrongFormat } from '../sniff';
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
  /** Bytes before the `fLaC` marker was seen (ID3v2 tags skipped); undefined once it was. */
  private head: Uint8Array | undefined = new Uint8Array(0);
  private tagLeft = 0;
  private fed = false;

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
    const data = this.head === undefined ? chunk : this.sniff(chunk, false);
    if (data === undefined || data.length === 0) return;
    this.fed = true;
    this.take((await this.decoder.decode(data)) as FlacDecoded, out);
  }

  /** End of input: decode what the parser still holds and emit the final short chunk. */
  async flush(out: PcmChunk[]): Promise<void> {
    if (this.head !== undefined) this.sniff(new Uint8Array(0), true);
    // The library's flush dereferences state that only exists once it was fed.
    if (this.fed) this.take((await this.decoder.flush()) as FlacDecoded, out);
    this.framer.flush(out);
  }

  /** Holds the first bytes until `fLaC` is seen; returns what to decode, or undefined to wait. */
  private sniff(chunk: Uint8Array, final: boolean): Uint8Array | undefined {
    if (this.tagLeft > 0) {
      const n = Math.min(this.tagLeft, chunk.length);
      this.tagLeft -= n;
      chunk = chunk.subarray(n);
    }
    let head = new Uint8Array((this.head as Uint8Array).length + chunk.length);
    head.set(this.head as Uint8Array);
    head.set(chunk, head.length - chunk.length);
    for (let tag = id3v2Size(head); tag !== undefined; tag = id3v2Size(head)) {
      const skipped = Math.min(tag, head.length);
      this.tagLeft = tag - skipped;
      head = head.subarray(skipped);
    }
    if (head.length < 4 && !final) {
      this.head = head;
      return undefined;
    }
    if (head[0] === 0x66 && head[1] === 0x4c && head[2] === 0x61 && head[3] === 0x43) {
      this.head = undefined;
      return head;
    }
    throw new MediaError(
      head.length === 0
        ? this.tagLeft > 0
          ? 'the input ended inside its ID3v2 tag (no audio)'
          : 'the input is empty (0 bytes of FLAC)'
        : (wrongFormat(head, 'FLAC') ?? 'the input is not FLAC (it does not start with the fLaC marker)'),
    );
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
