// Band-limited streaming sample-rate conversion (SpeexDSP's resampler in WASM). Output is time-aligned with
// the input (the filter delay is skipped at the start and flushed at the end) and exactly
// round(input * outRate / inRate) frames long in total.
import createModule, { type SpeexWasmModule } from '@echogarden/speex-resampler-wasm/simd';

let modulePromise: Promise<SpeexWasmModule> | undefined;

/** One WASM module per thread hosts every resampler state (about 40 KB each). */
function loadSpeex(): Promise<SpeexWasmModule> {
  modulePromise ??= createModule();
  return modulePromise;
}

export interface ResamplerOptions {
  channels: number;
  inRate: number;
  outRate: number;
  /** Speex quality 0..10 (higher: sharper filter, more CPU). */
  quality: number;
}

export class StreamingResampler {
  readonly channels: number;
  readonly inRate: number;
  readonly outRate: number;
  private state: number;
  /** [inLen, outLen] as u32 in WASM memory. */
  private readonly lens: number;
  private inPtr = 0;
  private inCap = 0;
  private outPtr = 0;
  private outCap = 0;
  private framesIn = 0;
  private framesOut = 0;
  private destroyed = false;

  private constructor(
    private readonly m: SpeexWasmModule,
    opts: ResamplerOptions,
  ) {
    this.channels = opts.channels;
    this.inRate = opts.inRate;
    this.outRate = opts.outRate;
    this.lens = m._malloc(12);
    const errPtr = this.lens + 8;
    this.state = m._speex_resampler_init(opts.channels, opts.inRate, opts.outRate, opts.quality, errPtr);
    if (this.state === 0) {
      m._free(this.lens);
      throw new Error(
        `Speex resampler could not be created for ${opts.inRate} -> ${opts.outRate} Hz, ${opts.channels} ch (error ${m.HEAP32[errPtr >> 2]})`,
      );
    }
    m._speex_resampler_skip_zeros(this.state);
  }

  static async create(opts: ResamplerOptions): Promise<StreamingResampler> {
    return new StreamingResampler(await loadSpeex(), opts);
  }

  /** Resample interleaved input; returns the output available so far (may be empty). */
  process(input: Float32Array): Float32Array {
    const frames = input.length / this.channels;
    this.framesIn += frames;
    return this.run(input, frames, Infinity);
  }

  /** End of stream: push the filter's tail out. The total output length is then exact. */
  flush(): Float32Array {
    const want = this.expectedOut() - this.framesOut;
    if (want <= 0) return new Float32Array(0);
    const latency = this.m._speex_resampler_get_input_latency(this.state);
    const zeros = new Float32Array((latency + 16) * this.channels);
    const out = this.run(zeros, latency + 16, want);
    if (out.length / this.channels >= want) return out;
    // The filter gave less than the exact length (rounding at the very end): pad with silence.
    const padded = new Float32Array(want * this.channels);
    padded.set(out);
    this.framesOut += want - out.length / this.channels;
    return padded;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.m._speex_resampler_destroy(this.state);
    this.m._free(this.lens);
    if (this.inPtr !== 0) this.m._free(this.inPtr);
    if (this.outPtr !== 0) this.m._free(this.outPtr);
  }

  private expectedOut(): number {
    return Math.round((this.framesIn * this.outRate) / this.inRate);
  }

  /** Run `frames` frames of `input` through the filter, returning at most `limit` output frames. */
  private run(input: Float32Array, frames: number, limit: number): Float32Array {
    const m = this.m;
    const ch = this.channels;
    this.ensure(frames, Math.ceil((frames * this.outRate) / this.inRate) + 64);
    m.HEAPF32.set(input.subarray(0, frames * ch), this.inPtr >> 2);
    let consumed = 0;
    let produced = 0;
    while (consumed < frames) {
      const u32 = m.HEAPU32;
      u32[this.lens >> 2] = frames - consumed;
      u32[(this.lens >> 2) + 1] = this.outCap - produced;
      m._speex_resampler_process_interleaved_float(
        this.state,
        this.inPtr + consumed * ch * 4,
        this.lens,
        this.outPtr + produced * ch * 4,
        this.lens + 4,
      );
      const usedIn = m.HEAPU32[this.lens >> 2];
      const madeOut = m.HEAPU32[(this.lens >> 2) + 1];
      consumed += usedIn;
      produced += madeOut;
      if (usedIn === 0 && madeOut === 0) break;
    }
    const n = Math.max(0, Math.min(produced, limit));
    this.framesOut += n;
    const start = this.outPtr >> 2;
    return m.HEAPF32.slice(start, start + n * ch);
  }

  private ensure(inFrames: number, outFrames: number): void {
    const m = this.m;
    if (inFrames > this.inCap) {
      if (this.inPtr !== 0) m._free(this.inPtr);
      this.inCap = Math.max(inFrames, 1024);
      this.inPtr = m._malloc(this.inCap * this.channels * 4);
    }
    if (outFrames > this.outCap) {
      if (this.outPtr !== 0) m._free(this.outPtr);
      this.outCap = Math.max(outFrames, 1024);
      this.outPtr = m._malloc(this.outCap * this.channels * 4);
    }
  }
}
