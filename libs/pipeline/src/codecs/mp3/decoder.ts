// Streaming MP3 decoder (mpg123 in WASM via mpg123-decoder, gapless): feed arbitrary byte chunks, get
// ~20 ms interleaved f32 chunks at the file's rate and real channel count, sample-exact against mpg123.
import type { MPEGDecoder } from 'mpg123-decoder';
import type { PcmChunk } from '../dsp/pcm-chunk';
import { PlanarFramer } from '../dsp/planar-framer';
import { scanMp3Header } from './frame-header';

/** Give up looking for a first frame header after this many bytes (then assume stereo). */
const HEADER_SCAN_LIMIT = 1 << 20;

export class Mp3StreamDecoder {
  private readonly framer = new PlanarFramer();
  private channels: 1 | 2 | 0 = 0;
  /** Bytes held back until the channel mode is known (only at the very start). */
  private head: Uint8Array = new Uint8Array(0);
  /** Decode errors reported by mpg123 (frames skipped). */
  errors = 0;

  private constructor(private readonly decoder: MPEGDecoder) {}

  static async create(): Promise<Mp3StreamDecoder> {
    // Loaded on first use: the WASM module costs ~30 ms of CPU to load, and most processes never decode MP3.
    const { MPEGDecoder } = await import('mpg123-decoder');
    const decoder = new MPEGDecoder({ enableGapless: true });
    await decoder.ready;
    return new Mp3StreamDecoder(decoder);
  }

  get framesOut(): number {
    return this.framer.framesOut;
  }

  /** Feed one chunk of the file; completed chunks are appended to `out`. */
  decode(chunk: Uint8Array, out: PcmChunk[]): void {
    if (this.channels === 0) {
      const joined = new Uint8Array(this.head.length + chunk.length);
      joined.set(this.head);
      joined.set(chunk, this.head.length);
      const scan = scanMp3Header(joined);
      if (scan.found) this.channels = scan.channels;
      else if (joined.length >= HEADER_SCAN_LIMIT) this.channels = 2;
      else {
        this.head = joined;
        return;
      }
      this.head = new Uint8Array(0);
      chunk = joined;
    }
    this.feed(chunk, out);
  }

  /** End of input: decode anything held back and emit the final short chunk. */
  flush(out: PcmChunk[]): void {
    if (this.channels === 0 && this.head.length > 0) {
      this.channels = 2;
      this.feed(this.head, out);
    }
    this.framer.flush(out);
  }

  free(): void {
    this.decoder.free();
  }

  private feed(chunk: Uint8Array, out: PcmChunk[]): void {
    const d = this.decoder.decode(chunk);
    this.errors += d.errors.length;
    if (d.samplesDecoded > 0) {
      this.framer.push(d.channelData, this.channels, d.samplesDecoded, d.sampleRate, 1, out);
    }
  }
}
