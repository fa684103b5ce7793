// Streaming MP3 decoder (mpg123 in WASM via mpg123-decoder, gapless): feed arbitrary byte chunks, get
// ~20 ms interleaved f32 chunks at the file's rate and real channel count, sample-exact against mpg123.
// The input is sniffed first (ID3v2 tags skipped, then frames that chain up): anything else is a MediaError.
import type { MPEGDecoder } from 'mpg123-decoder';
import { MediaError } from '../../core/media-error';
import type { PcmChunk } from '../dsp/pcm-chunk';
import { PlanarFramer } from '../dsp/planar-framer';
import { id3v2Size } from '../sniff';
import { sniffMp3 } from './frame-header';

export class Mp3StreamDecoder {
  private readonly framer = new PlanarFramer();
  private channels: 1 | 2 | 0 = 0;
  /** Bytes held back until the sniff decides (only at the very start, bounded by MP3_SNIFF_BYTES). */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Held bytes at which the sniff runs next (doubling, so tiny chunks do not make it quadratic). */
  private sniffAt = 16;
  /** ID3v2 tag bytes still to skip (never buffered). */
  private tagLeft = 0;
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

  /** Feed one chunk of the file; completed chunks are appended to `out`. Throws MediaError on non-MP3. */
  decode(chunk: Uint8Array, out: PcmChunk[]): void {
    if (this.channels !== 0) {
      this.feed(chunk, out);
      return;
    }
    this.hold(chunk);
    if (this.pendingBytes >= this.sniffAt) this.sniff(false, out);
  }

  /** End of input: decode anything held back and emit the final short chunk. */
  flush(out: PcmChunk[]): void {
    if (this.channels === 0) this.sniff(true, out);
    this.framer.flush(out);
  }

  free(): void {
    this.decoder.free();
  }

  /** Adds bytes before the first frame, skipping ID3v2 tags without keeping them. */
  private hold(chunk: Uint8Array): void {
    if (this.tagLeft > 0) {
      const n = Math.min(this.tagLeft, chunk.length);
      this.tagLeft -= n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  /** The held bytes as one buffer (only when the sniff runs). */
  private held(): Uint8Array {
    const all = new Uint8Array(this.pendingBytes);
    let at = 0;
    for (const c of this.pending) {
      all.set(c, at);
      at += c.length;
    }
    this.pending = [all];
    return all;
  }

  private sniff(final: boolean, out: PcmChunk[]): void {
    let head = this.held();
    // ID3v2 tags (possibly several) come first: skip them without buffering their pictures.
    for (let tag = id3v2Size(head); tag !== undefined; tag = id3v2Size(head)) {
      const skipped = Math.min(tag, head.length);
      this.tagLeft = tag - skipped;
      head = head.subarray(skipped);
    }
    this.pending = head.length > 0 ? [head] : [];
    this.pendingBytes = head.length;
    if (this.tagLeft > 0 && !final) {
      this.sniffAt = 16;
      return;
    }
    const found = sniffMp3(head, final);
    if (found.kind === 'need_more') {
      this.sniffAt = Math.max(16, this.pendingBytes * 2);
      return;
    }
    if (found.kind === 'not_mp3') {
      throw new MediaError(
        this.tagLeft > 0 ? 'the input ended inside its ID3v2 tag (no audio)' : found.reason,
      );
    }
    this.channels = found.channels;
    this.pending = [];
    this.pendingBytes = 0;
    this.feed(head.subarray(found.offset), out);
  }

  private feed(chunk: Uint8Array, out: PcmChunk[]): void {
    const d = this.decoder.decode(chunk);
    this.errors += d.errors.length;
    if (d.samplesDecoded > 0) {
      this.framer.push(d.channelData, this.channels, d.samplesDecoded, d.sampleRate, 1, out);
    }
  }
}
