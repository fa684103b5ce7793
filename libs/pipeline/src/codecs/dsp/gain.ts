// Linear gain on interleaved f32 samples. No clipping: downstream encoders clip, and mixing stays linear.

/** Multiply `src` by `gain` into `dst` (may be the same array). */
export function applyGain(src: Float32Array, dst: Float32Array, gain: number): void {
  const n = src.length;
  if (gain === 1) {
    if (dst !== src) dst.set(src);
    return;
  }
  for (let i = 0; i < n; i++) dst[i] = src[i] * gain;
}

/** Decibels to a linear factor (20·log10 convention). */
export function dbToLinear(db: number): number {
  return Math.pow(10, db / 20);
}
