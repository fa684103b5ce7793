// Level meters over interleaved f32 samples (telemetry and tests).

/** Root mean square over all samples; 0 for an empty array. */
export function rms(samples: Float32Array): number {
  const n = samples.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / n);
}

/** Largest absolute sample value; 0 for an empty array. */
export function peak(samples: Float32Array): number {
  let p = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]);
    if (a > p) p = a;
  }
  return p;
}

/** A linear level in dBFS, floored at -120 dB for silence. */
export function toDbfs(level: number): number {
  return level > 1e-6 ? 20 * Math.log10(level) : -120;
}
