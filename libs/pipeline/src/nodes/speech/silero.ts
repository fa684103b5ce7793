// Voice activity detection with sherpa-onnx (Silero VAD or TEN VAD models), one detector per node: StreamKit
// shares one stateful detector between every node using the same model, so concurrent VAD nodes corrupt
// each other. sherpa-onnx (native, onnxruntime inside) loads on first use, never at engine start-up.
import { SPEECH_RATE } from './mono16k';

export interface VadOptions {
  model: string;
  /** Probability at or above which a window is speech. */
  threshold: number;
  minSilenceS: number;
  minSpeechS: number;
  maxSpeechS: number;
  windowSize: number;
  numThreads: number;
  provider: string;
}

export interface SpeechSegment {
  /** Index of the first sample, counted from the first sample the detector received (16 kHz). */
  start: number;
  samples: Float32Array;
}

interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  isDetected(): boolean;
  front(enableExternalBuffer?: boolean): { start: number; samples: Float32Array };
  pop(): void;
  flush(): void;
  reset(): void;
}

interface SherpaModule {
  Vad: new (config: Record<string, unknown>, bufferSizeInSeconds: number) => SherpaVad;
}

let sherpa: SherpaModule | undefined;

/** Silence fed to a new detector before the stream (samples at 16 kHz): four Silero windows. */
const LEAD_IN = 2048;

/** The sherpa-onnx binding (loaded once per thread). Throws with a clear reason when it cannot load. */
export function loadSherpa(): SherpaModule {
  if (sherpa) return sherpa;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- native binding loaded on first use
    sherpa = require('sherpa-onnx-node') as SherpaModule;
  } catch (err) {
    throw new Error(`the speech engine (sherpa-onnx-node) cannot load here: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return sherpa;
}

/** A streaming detector: feed 16 kHz mono audio, take completed speech segments. */
export class VoiceDetector {
  private readonly vad: SherpaVad;
  private pending = new Float32Array(0);
  private readonly window: number;
  private readonly lead: number;
  /** Samples received so far. */
  received = 0;

  constructor(options: VadOptions) {
    const { Vad } = loadSherpa();
    const isTen = /ten[-_]?vad/i.test(options.model);
    const common = {
      model: options.model,
      threshold: options.threshold,
      minSilenceDuration: options.minSilenceS,
      minSpeechDuration: options.minSpeechS,
      maxSpeechDuration: options.maxSpeechS,
      windowSize: options.windowSize,
    };
    this.window = options.windowSize;
    this.vad = new Vad(
      {
        ...(isTen ? { tenVad: common } : { sileroVad: common }),
        sampleRate: SPEECH_RATE,
        numThreads: options.numThreads,
        provider: options.provider,
        debug: false,
      },
      // The detector's buffer: the longest segment it can hold, plus room for the current window.
      Math.ceil(options.maxSpeechS) + 2,
    );
    // A fresh model state misses a soft first onset (measured: 120 ms late on the speech fixture); a lead-in of
    // silence settles it (57 ms). Times are reported without it.
    this.lead = Math.ceil(LEAD_IN / this.window) * this.window;
    for (let off = 0; off < this.lead; off += this.window)
      this.vad.acceptWaveform(new Float32Array(this.window));
  }

  /** True while the detector is inside speech. */
  get speaking(): boolean {
    return this.vad.isDetected();
  }

  /** Feeds samples (any length); returns the segments that completed. */
  accept(samples: Float32Array): SpeechSegment[] {
    this.received += samples.length;
    let buf = samples;
    if (this.pending.length > 0) {
      buf = new Float32Array(this.pending.length + samples.length);
      buf.set(this.pending);
      buf.set(samples, this.pending.length);
    }
    const w = this.window;
    let off = 0;
    for (; off + w <= buf.length; off += w) this.vad.acceptWaveform(buf.subarray(off, off + w));
    this.pending = buf.slice(off);
    return this.drain();
  }

  /** End of stream: the segment in progress, if any. */
  flush(): SpeechSegment[] {
    if (this.pending.length > 0) {
      const last = new Float32Array(this.window);
      last.set(this.pending);
      this.vad.acceptWaveform(last);
      this.pending = new Float32Array(0);
    }
    this.vad.flush();
    return this.drain();
  }

  private drain(): SpeechSegment[] {
    const out: SpeechSegment[] = [];
    while (!this.vad.isEmpty()) {
      const s = this.vad.front(false);
      const skip = Math.max(0, this.lead - s.start);
      out.push({ start: s.start + skip - this.lead, samples: s.samples.slice(skip) });
      this.vad.pop();
    }
    return out;
  }
}
