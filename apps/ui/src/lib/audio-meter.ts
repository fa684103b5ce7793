// Level metering and round-trip latency estimation for the Stream view, free of Web Audio so it can be
// unit-tested: levels come from time-domain blocks, the latency from the lag that best aligns the
// microphone's loudness envelope with the envelope of the audio coming back from the session.

/** Silence floor of the meters, in dBFS. */
export const FLOOR_DB = -90;

export interface Level {
  /** RMS level in dBFS (FLOOR_DB for silence). */
  rmsDb: number;
  /** Peak level in dBFS. */
  peakDb: number;
}

export function toDb(amplitude: number): number {
  return amplitude > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(amplitude)) : FLOOR_DB;
}

/** RMS and peak of one block of samples in [-1, 1]. */
export function measureLevel(block: ArrayLike<number>): Level {
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < block.length; i++) {
    const v = block[i];
    sum += v * v;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
  }
  const rms = block.length ? Math.sqrt(sum / block.length) : 0;
  return { rmsDb: toDb(rms), peakDb: toDb(peak) };
}

/**
 * The loudness envelope of the newest audio in `block` (the analyser's buffer, oldest sample first, its last
 * sample heard at `nowMs`): one RMS level per `stepMs`, newest first, back over `sinceMs` (the time since the
 * previous reading) plus one step, as far as the buffer reaches. A page whose timer runs late (a busy
 * machine throttles it to a few per second) still gets every step of the envelope, not one reading per tick.
 */
export function envelopeSince(
  block: Float32Array,
  sampleRate: number,
  nowMs: number,
  sinceMs: number,
  stepMs: number,
  push: (atMs: number, db: number) => void,
): void {
  const step = Math.max(1, Math.round((sampleRate * stepMs) / 1000));
  const span = Math.min(block.length, Math.ceil((sampleRate * Math.max(0, sinceMs)) / 1000) + step);
  const stop = block.length - span;
  for (let end = block.length, k = 0; end - step >= stop; end -= step, k++) {
    push(nowMs - k * stepMs, measureLevel(block.subarray(end - step, end)).rmsDb);
  }
}

/** Meter fill in [0, 1]: -rangeDb dBFS is empty, 0 dBFS is full. */
export function meterFraction(db: number, rangeDb = 60): number {
  return Math.min(1, Math.max(0, (db + rangeDb) / rangeDb));
}

export interface LatencyEstimate {
  /** Delay of the returned audio behind the microphone, in ms. */
  lagMs: number;
  /** Pearson correlation of the aligned envelopes (0..1); higher is more certain. */
  score: number;
}

export interface CorrelatorOptions {
  /** Envelope resolution. */
  binMs?: number;
  /** How much history the estimate uses. */
  windowMs?: number;
  /** Largest delay considered. */
  maxLagMs?: number;
  /** Least correlation accepted as a measurement. */
  minScore?: number;
  /** Least aligned history a measurement needs (short overlaps match by chance). */
  minOverlapMs?: number;
  /** Input envelopes whose spread (dB) is below this carry no timing (silence, steady tone). */
  minSpreadDb?: number;
}

/**
 * Estimates the delay between two loudness envelopes sampled at irregular times: samples are binned on a
 * shared clock (`performance.now()`), then the lag with the highest Pearson correlation wins.
 */
export class EnvelopeCorrelator {
  private readonly binMs: number;
  private readonly bins: number;
  private readonly maxLagBins: number;
  private readonly minScore: number;
  private readonly minOverlapBins: number;
  private readonly minSpreadDb: number;
  private readonly input: Float64Array;
  private readonly output: Float64Array;
  private readonly inputSeen: Uint8Array;
  private readonly outputSeen: Uint8Array;
  private newest = -1;

  constructor(options: CorrelatorOptions = {}) {
    this.binMs = options.binMs ?? 20;
    const windowMs = options.windowMs ?? 6000;
    this.maxLagBins = Math.round((options.maxLagMs ?? 2000) / this.binMs);
    this.bins = Math.round(windowMs / this.binMs) + this.maxLagBins;
    this.minScore = options.minScore ?? 0.7;
    this.minOverlapBins = Math.round((options.minOverlapMs ?? 2000) / this.binMs);
    this.minSpreadDb = options.minSpreadDb ?? 6;
    this.input = new Float64Array(this.bins);
    this.output = new Float64Array(this.bins);
    this.inputSeen = new Uint8Array(this.bins);
    this.outputSeen = new Uint8Array(this.bins);
  }

  /** Records the level (dB) of the microphone (`in`) or of the returned audio (`out`) at time `atMs`. */
  push(which: 'in' | 'out', atMs: number, db: number): void {
    const bin = Math.floor(atMs / this.binMs);
    if (bin < 0) return;
    this.advanceTo(bin);
    if (bin <= this.newest - this.bins) return;
    const slot = bin % this.bins;
    const values = which === 'in' ? this.input : this.output;
    const seen = which === 'in' ? this.inputSeen : this.outputSeen;
    // Keep the loudest level per bin: onsets are what carry the timing.
    if (!seen[slot] || db > values[slot]) values[slot] = db;
    seen[slot] = 1;
  }

  private advanceTo(bin: number): void {
    if (bin <= this.newest) return;
    const from = Math.max(this.newest + 1, bin - this.bins + 1);
    for (let b = from; b <= bin; b++) {
      const slot = b % this.bins;
      this.inputSeen[slot] = 0;
      this.outputSeen[slot] = 0;
    }
    this.newest = bin;
  }

  /** The best-aligned lag over the window, or undefined while there is too little signal to tell. */
  estimate(): LatencyEstimate | undefined {
    if (this.newest < 0) return undefined;
    const last = this.newest - 1; // the newest bin may still be filling
    const first = last - this.bins + 1 + this.maxLagBins;
    const spread = this.spread(first - this.maxLagBins, last);
    if (spread < this.minSpreadDb) return undefined;
    let best: LatencyEstimate | undefined;
    for (let lag = 0; lag <= this.maxLagBins; lag++) {
      const score = this.correlate(first, last, lag);
      if (score !== undefined && (!best || score > best.score)) best = { lagMs: lag * this.binMs, score };
    }
    return best && best.score >= this.minScore ? best : undefined;
  }

  private spread(from: number, to: number): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (let b = Math.max(0, from); b <= to; b++) {
      const slot = b % this.bins;
      if (!this.inputSeen[slot]) continue;
      lo = Math.min(lo, this.input[slot]);
      hi = Math.max(hi, this.input[slot]);
    }
    return hi - lo;
  }

  /** Pearson correlation of output[b] with input[b - lag] over the output bins first..last. */
  private correlate(first: number, last: number, lag: number): number | undefined {
    let n = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let b = Math.max(lag, first); b <= last; b++) {
      const o = b % this.bins;
      const i = (b - lag) % this.bins;
      if (!this.outputSeen[o] || !this.inputSeen[i]) continue;
      const x = this.input[i];
      const y = this.output[o];
      n++;
      sx += x;
      sy += y;
      sxx += x * x;
      syy += y * y;
      sxy += x * y;
    }
    if (n < this.minOverlapBins) return undefined;
    const vx = sxx - (sx * sx) / n;
    const vy = syy - (sy * sy) / n;
    if (vx <= 1e-9 || vy <= 1e-9) return undefined;
    return (sxy - (sx * sy) / n) / Math.sqrt(vx * vy);
  }
}
