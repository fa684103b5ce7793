// WAV writer: headers (PCM s16/s24, IEEE float with fmt size 18 and a fact chunk, EXTENSIBLE above two
// channels) and f32 -> sample conversion. A header for an unknown length uses 0xFFFFFFFF sizes and no
// fact chunk, as ffmpeg does when writing to a pipe.

export type WavWriteFormat = 's16' | 's24' | 'f32';

export interface WavWriterOptions {
  sampleRate: number;
  channels: number;
  format: WavWriteFormat;
}

const UNKNOWN = 0xffffffff;
/** KSDATAFORMAT_SUBTYPE_* GUID tail shared by PCM and float. */
const SUBTYPE_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export class WavWriter {
  readonly bytesPerSample: number;
  readonly blockAlign: number;

  constructor(readonly opts: WavWriterOptions) {
    if (!Number.isInteger(opts.channels) || opts.channels < 1 || opts.channels > 65535) {
      throw new RangeError(`WAV channels must be 1..65535, got ${opts.channels}`);
    }
    if (!Number.isInteger(opts.sampleRate) || opts.sampleRate < 1) {
      throw new RangeError(`WAV sample rate must be a positive integer, got ${opts.sampleRate}`);
    }
    this.bytesPerSample = opts.format === 's16' ? 2 : opts.format === 's24' ? 3 : 4;
    this.blockAlign = this.bytesPerSample * opts.channels;
  }

  /** The header for `frames` frames of data, or for an unknown length (0xFFFFFFFF sizes) when undefined. */
  header(frames?: number): Uint8Array {
    const { channels, sampleRate, format } = this.opts;
    const float = format === 'f32';
    const extensible = channels > 2;
    const fmtSize = extensible ? 40 : float ? 18 : 16;
    // fact carries the frame count; a stream of unknown length leaves it out (as ffmpeg does on pipes).
    const withFact = float && frames !== undefined;
    const factSize = withFact ? 12 : 0;
    const headerSize = 12 + 8 + fmtSize + factSize + 8;
    const dataBytes = frames === undefined ? undefined : frames * this.blockAlign;
    if (dataBytes !== undefined && headerSize - 8 + dataBytes + (dataBytes & 1) > 0xfffffffe) {
      throw new RangeError('the audio is too long for a WAV file (over 4 GiB)');
    }
    const out = new Uint8Array(headerSize);
    const v = new DataView(out.buffer);
    let o = 0;
    const tag = (s: string) => {
      for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i);
      o += 4;
    };
    const u32 = (x: number) => {
      v.setUint32(o, x, true);
      o += 4;
    };
    const u16 = (x: number) => {
      v.setUint16(o, x, true);
      o += 2;
    };
    tag('RIFF');
    u32(dataBytes === undefined ? UNKNOWN : headerSize - 8 + dataBytes + (dataBytes & 1));
    tag('WAVE');
    tag('fmt ');
    u32(fmtSize);
    u16(extensible ? 0xfffe : float ? 3 : 1);
    u16(channels);
    u32(sampleRate);
    u32(sampleRate * this.blockAlign);
    u16(this.blockAlign);
    u16(this.bytesPerSample * 8);
    if (extensible) {
      u16(22);
      u16(this.bytesPerSample * 8);
      u32(channels <= 18 ? 2 ** channels - 1 : 0);
      u16(float ? 3 : 1);
      out.set(SUBTYPE_TAIL, o);
      o += SUBTYPE_TAIL.length;
    } else if (float) {
      u16(0);
    }
    if (withFact) {
      tag('fact');
      u32(4);
      u32(frames);
    }
    tag('data');
    u32(dataBytes === undefined ? UNKNOWN : dataBytes);
    return out;
  }

  /** Converts interleaved f32 samples (clipped to [-1, 1)) into `out` at `offset`; returns bytes written. */
  encodeInto(samples: Float32Array, out: Uint8Array, offset = 0): number {
    const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const n = samples.length;
    let o = offset;
    switch (this.opts.format) {
      case 's16':
        for (let i = 0; i < n; i++, o += 2) v.setInt16(o, quantize(samples[i], 32768), true);
        break;
      case 's24':
        for (let i = 0; i < n; i++, o += 3) {
          const x = quantize(samples[i], 8388608);
          out[o] = x & 0xff;
          out[o + 1] = (x >> 8) & 0xff;
          out[o + 2] = (x >> 16) & 0xff;
        }
        break;
      case 'f32':
        for (let i = 0; i < n; i++, o += 4) v.setFloat32(o, samples[i], true);
        break;
    }
    return o - offset;
  }

  /** Converts interleaved f32 samples into a new byte array. */
  encode(samples: Float32Array): Uint8Array {
    const out = new Uint8Array(samples.length * this.bytesPerSample);
    this.encodeInto(samples, out);
    return out;
  }
}

/** Round to nearest and clip, with the 2^(bits-1) scale readers divide by (so s16 round-trips exactly). */
function quantize(x: number, scale: number): number {
  const q = Math.round(x * scale);
  return q >= scale ? scale - 1 : q < -scale ? -scale : q;
}
