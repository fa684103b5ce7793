// The Stream view's round-trip readout: single envelope correlations jump (a pause in speech, an echo of an
// earlier word), so the readout is the median of the last measurements after outlier rejection, with their
// spread and count, and says "measuring" until there are enough of them to mean something.

export type LatencyReading =
  | { state: 'measuring'; n: number; needed: number }
  | {
      state: 'ready';
      /** Median of the measurements kept, in ms. */
      ms: number;
      /** Robust spread of the kept measurements (1.4826 × their median absolute deviation), in ms. */
      spreadMs: number;
      /** Measurements kept. */
      n: number;
      /** Measurements of the window rejected as outliers. */
      rejected: number;
    };

export interface LatencyEstimatorOptions {
  /** Measurements the readout is taken from (the newest ones). */
  window?: number;
  /** Measurements needed before a value is shown. */
  minSamples?: number;
  /** A measurement further than this many spreads from the median is an outlier. */
  outlierSpreads?: number;
  /** Measurement resolution (the correlator's bin): the least spread ever claimed, and the outlier floor. */
  resolutionMs?: number;
}

/** 1 / Φ⁻¹(3/4): scales a median absolute deviation to a standard deviation for normal data. */
const MAD_TO_SIGMA = 1.4826;

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function spreadAround(values: readonly number[], center: number): number {
  return MAD_TO_SIGMA * median(values.map((v) => Math.abs(v - center)).sort((a, b) => a - b));
}

export class LatencyEstimator {
  private readonly values: number[] = [];
  private readonly window: number;
  private readonly minSamples: number;
  private readonly outlierSpreads: number;
  private readonly resolutionMs: number;

  constructor(options: LatencyEstimatorOptions = {}) {
    this.window = options.window ?? 12;
    this.minSamples = options.minSamples ?? 5;
    this.outlierSpreads = options.outlierSpreads ?? 3;
    this.resolutionMs = options.resolutionMs ?? 20;
  }

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.values.push(ms);
    if (this.values.length > this.window) this.values.shift();
  }

  reading(): LatencyReading {
    const all = [...this.values].sort((a, b) => a - b);
    if (all.length < this.minSamples) return { state: 'measuring', n: all.length, needed: this.minSamples };
    const center = median(all);
    const limit = this.outlierSpreads * Math.max(spreadAround(all, center), this.resolutionMs);
    const kept = all.filter((v) => Math.abs(v - center) <= limit);
    // A window split in two camps has no majority to trust: keep measuring.
    if (kept.length < this.minSamples) return { state: 'measuring', n: kept.length, needed: this.minSamples };
    const ms = median(kept);
    return {
      state: 'ready',
      ms: Math.round(ms),
      spreadMs: Math.round(Math.max(spreadAround(kept, ms), this.resolutionMs / 2)),
      n: kept.length,
      rejected: all.length - kept.length,
    };
  }
}

/** `≈ 140 ms ± 20 ms (n=8)`, or what is still missing. */
export function formatLatency(r: LatencyReading): string {
  if (r.state === 'measuring') return `measuring… (${r.n} of ${r.needed} measurements; speak to measure)`;
  return `≈ ${r.ms} ms ± ${r.spreadMs} ms (n=${r.n})`;
}
