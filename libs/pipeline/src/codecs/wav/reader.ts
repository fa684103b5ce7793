// Streaming WAV reader: walks RIFF/RF64 chunks as bytes arrive (odd sizes padded), reads fmt (PCM, IEEE
// float, WAVE_FORMAT_EXTENSIBLE) and converts the data chunk to interleaved f32 without holding the file.
import { MediaError } from '../../core/media-error';
import { wrongFormat } from '../sniff';

export type WavSampleFormat = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';

export interface WavFormat {
  sampleRate: number;
  channels: number;
  sampleFormat: WavSampleFormat;
  /** Bytes per frame (all channels). */
  blockAlign: number;
  /** The fmt chunk's format tag (1 PCM, 3 float, 0xFFFE extensible). */
  formatTag: number;
  /** Frames the data chunk declares; undefined when the size is unknown (streamed WAV). */
  declaredFrames?: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_IEEE_FLOAT = 3;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Cap on a non-audio chunk we must hold whole (only fmt is held; others are skipped as they stream). */
const MAX_FMT_SIZE = 4096;

type State = 'riff' | 'chunk_header' | 'fmt' | 'skip' | 'data' | 'done';

export class WavReader {
  private buf = new Uint8Array(16384);
  private view = new DataView(this.buf.buffer);
  private start = 0;
  private tail = 0;
  private state: State = 'riff';
  private chunkLeft = 0;
  /** Pad byte to skip after the current chunk. */
  private chunkPad = 0;
  private fmt: WavFormat | undefined;
  /** Data bytes left in the data chunk; Infinity when the size is unknown. */
  private dataLeft = 0;
  private ended = false;
  /** Bytes dropped at the end because they did not form a whole frame. */
  droppedBytes = 0;
  /** Frames returned so far. */
  framesRead = 0;

  get format(): WavFormat | undefined {
    return this.state === 'data' || this.state === 'done' ? this.fmt : undefined;
  }

  /** True once every frame of the data chunk was read (its declared end, or the end of input). */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Adds input bytes and parses headers as far as possible. Throws on input that is not a WAV file. */
  push(chunk: Uint8Array): void {
    if (this.state === 'done') return;
    let src = chunk;
    // Skipped chunks never enter the buffer.
    if (this.state === 'skip' && this.tail === this.start) src = this.skipFrom(src);
    if (src.length > 0) this.append(src);
    this.parse();
  }

  /** Marks the end of input. Throws when the header never completed. */
  end(): void {
    this.ended = true;
    if (this.state !== 'data' && this.state !== 'done') {
      throw new MediaError(
        this.state === 'riff'
          ? 'the input is empty or too short to be a WAV file'
          : 'the WAV file ended before its data chunk (no audio)',
      );
    }
  }

  /** Frames available now (whole frames only, bounded by the data chunk). */
  availableFrames(): number {
    if (!this.fmt || (this.state !== 'data' && this.state !== 'done')) return 0;
    const bytes = Math.min(this.tail - this.start, this.dataLeft);
    return Math.floor(bytes / this.fmt.blockAlign);
  }

  /**
   * Up to `frames` frames as interleaved f32, or undefined when fewer than `frames` are available and more
   * input may come. Once the data is complete (declared size reached, or `end()`), a shorter final block.
   */
  read(frames: number): Float32Array | undefined {
    const f = this.fmt;
    if (!f || this.state !== 'data') return undefined;
    const avail = this.availableFrames();
    const complete = this.ended || this.dataLeft <= this.tail - this.start;
    if (avail < frames && !complete) return undefined;
    const n = Math.min(avail, frames);
    let out: Float32Array | undefined;
    if (n > 0) {
      out = new Float32Array(n * f.channels);
      convert(this.view, this.start, out, f.sampleFormat);
      const bytes = n * f.blockAlign;
      this.start += bytes;
      this.dataLeft -= bytes;
      this.framesRead += n;
    }
    if (complete && this.availableFrames() === 0) {
      // A trailing partial frame is dropped; chunks after data (LIST, id3, ...) are metadata we do not need.
      this.droppedBytes += Math.min(this.tail - this.start, this.dataLeft);
      this.start = this.tail;
      this.state = 'done';
    }
    return out;
  }

  private append(src: Uint8Array): void {
    const pending = this.tail - this.start;
    if (this.tail + src.length > this.buf.length) {
      if (pending + src.length > this.buf.length) {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, pending + src.length));
        grown.set(this.buf.subarray(this.start, this.tail));
        this.buf = grown;
        this.view = new DataView(grown.buffer);
      } else {
        this.buf.copyWithin(0, this.start, this.tail);
      }
      this.start = 0;
      this.tail = pending;
    }
    this.buf.set(src, this.tail);
    this.tail += src.length;
  }

  /** Consumes skipped-chunk bytes straight from the input; returns what is left of it. */
  private skipFrom(src: Uint8Array): Uint8Array {
    const n = Math.min(this.chunkLeft + this.chunkPad, src.length);
    const fromBody = Math.min(n, this.chunkLeft);
    this.chunkLeft -= fromBody;
    this.chunkPad -= n - fromBody;
    if (this.chunkLeft === 0 && this.chunkPad === 0) this.state = 'chunk_header';
    return src.subarray(n);
  }

  private parse(): void {
    const v = this.view;
    while (true) {
      const avail = this.tail - this.start;
      const s = this.start;
      switch (this.state) {
        case 'riff': {
          if (avail < 12) return;
          const id = fourcc(this.buf, s);
          if (id !== 'RIFF' && id !== 'RF64') {
            throw new MediaError(
              id === 'RIFX'
                ? 'big-endian WAV (RIFX) is not supported'
                : (wrongFormat(this.buf.subarray(s, this.tail), 'WAV') ?? 'not a WAV file (no RIFF header)'),
            );
          }
          if (fourcc(this.buf, s + 8) !== 'WAVE')
            throw new MediaError('not a WAV file (RIFF form is not WAVE)');
          this.start += 12;
          this.state = 'chunk_header';
          break;
        }
        case 'chunk_header': {
          if (avail < 8) return;
          const id = fourcc(this.buf, s);
          const size = v.getUint32(s + 4, true);
          this.start += 8;
          if (id === 'fmt ') {
            if (size < 16 || size > MAX_FMT_SIZE)
              throw new MediaError(`WAV fmt chunk has an invalid size ${size}`);
            this.chunkLeft = size;
            this.chunkPad = size & 1;
            this.state = 'fmt';
          } else if (id === 'data') {
            if (!this.fmt) throw new MediaError('WAV data chunk comes before the fmt chunk');
            // 0xFFFFFFFF (streamed WAV, RF64) and 0 (writer that never patched the size) mean "until the end".
            this.dataLeft = size === 0xffffffff || size === 0 ? Infinity : size;
            if (this.dataLeft !== Infinity) this.fmt.declaredFrames = Math.floor(size / this.fmt.blockAlign);
            this.state = 'data';
            return;
          } else {
            this.chunkLeft = size;
            this.chunkPad = size & 1;
            this.state = 'skip';
          }
          break;
        }
        case 'fmt': {
          if (avail < this.chunkLeft + this.chunkPad) return;
          this.fmt = parseFmt(v, s, this.chunkLeft);
          this.start += this.chunkLeft + this.chunkPad;
          this.state = 'chunk_header';
          break;
        }
        case 'skip': {
          const n = Math.min(avail, this.chunkLeft + this.chunkPad);
          const fromBody = Math.min(n, this.chunkLeft);
          this.chunkLeft -= fromBody;
          this.chunkPad -= n - fromBody;
          this.start += n;
          if (this.chunkLeft > 0 || this.chunkPad > 0) return;
          this.state = 'chunk_header';
          break;
        }
        default:
          return;
      }
    }
  }
}

function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
}

function parseFmt(v: DataView, at: number, size: number): WavFormat {
  let tag = v.getUint16(at, true);
  const channels = v.getUint16(at + 2, true);
  const sampleRate = v.getUint32(at + 4, true);
  const blockAlign = v.getUint16(at + 12, true);
  const bits = v.getUint16(at + 14, true);
  const formatTag = tag;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new MediaError('WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes');
    tag = v.getUint16(at + 24, true);
  }
  if (channels === 0) throw new MediaError('WAV fmt declares 0 channels');
  if (sampleRate === 0) throw new MediaError('WAV fmt declares a sample rate of 0');
  let sampleFormat: WavSampleFormat;
  if (tag === WAVE_FORMAT_PCM) {
    const map: Record<number, WavSampleFormat> = { 8: 'u8', 16: 's16', 24: 's24', 32: 's32' };
    const f = map[bits];
    if (!f)
      throw new MediaError(`unsupported WAV PCM sample size: ${bits} bits (8, 16, 24 or 32 are supported)`);
    sampleFormat = f;
  } else if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits !== 32 && bits !== 64) throw new MediaError(`unsupported WAV float sample size: ${bits} bits`);
    sampleFormat = bits === 32 ? 'f32' : 'f64';
  } else {
    throw new MediaError(
      `unsupported WAV format tag 0x${tag.toString(16)} (PCM, IEEE float and extensible are supported)`,
    );
  }
  const bytesPerSample = bits / 8;
  if (blockAlign !== bytesPerSample * channels) {
    throw new MediaError(`WAV block align ${blockAlign} does not match ${channels} channels of ${bits} bits`);
  }
  return { sampleRate, channels, sampleFormat, blockAlign, formatTag };
}

/** Converts `out.length` samples starting at byte `at`, with ffmpeg's scaling (2^(bits-1)). */
function convert(v: DataView, at: number, out: Float32Array, f: WavSampleFormat): void {
  const n = out.length;
  switch (f) {
    case 'u8':
      for (let i = 0; i < n; i++) out[i] = (v.getUint8(at + i) - 128) / 128;
      break;
    case 's16':
      for (let i = 0, o = at; i < n; i++, o += 2) out[i] = v.getInt16(o, true) / 32768;
      break;
    case 's24':
      for (let i = 0, o = at; i < n; i++, o += 3) {
        out[i] = ((v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16)) >> 0) / 8388608;
      }
      break;
    case 's32':
      for (let i = 0, o = at; i < n; i++, o += 4) out[i] = v.getInt32(o, true) / 2147483648;
      break;
    case 'f32':
      for (let i = 0, o = at; i < n; i++, o += 4) out[i] = v.getFloat32(o, true);
      break;
    case 'f64':
      for (let i = 0, o = at; i < n; i++, o += 8) out[i] = v.getFloat64(o, true);
      break;
  }
}
