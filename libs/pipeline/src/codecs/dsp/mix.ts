// Summing and channel mapping for interleaved f32 audio: the mixer's arithmetic and channel up/down-mix.
// Mapping rules (StreamKit's): mono -> N duplicates, stereo -> mono averages (L+R)/2, others map cyclically.

/**
 * Add `frames` frames of `src` (with `srcChannels`, starting at frame `srcFrame`) into `dst` (with
 * `dstChannels`, starting at frame `dstFrame`), mapping channels as described above.
 */
export function mixIntoAt(
  dst: Float32Array,
  dstChannels: number,
  dstFrame: number,
  src: Float32Array,
  srcChannels: number,
  srcFrame: number,
  frames: number,
): void {
  const d0 = dstFrame * dstChannels;
  const s0 = srcFrame * srcChannels;
  if (srcChannels === dstChannels) {
    const n = frames * dstChannels;
    for (let i = 0; i < n; i++) dst[d0 + i] += src[s0 + i];
    return;
  }
  if (srcChannels === 1) {
    for (let f = 0; f < frames; f++) {
      const v = src[s0 + f];
      const o = d0 + f * dstChannels;
      for (let c = 0; c < dstChannels; c++) dst[o + c] += v;
    }
    return;
  }
  if (srcChannels === 2 && dstChannels === 1) {
    for (let f = 0; f < frames; f++) dst[d0 + f] += (src[s0 + 2 * f] + src[s0 + 2 * f + 1]) * 0.5;
    return;
  }
  for (let f = 0; f < frames; f++) {
    const o = d0 + f * dstChannels;
    const i = s0 + f * srcChannels;
    for (let c = 0; c < dstChannels; c++) dst[o + c] += src[i + (c % srcChannels)];
  }
}

/** `mixIntoAt` from frame 0 of both. */
export function mixInto(
  dst: Float32Array,
  dstChannels: number,
  src: Float32Array,
  srcChannels: number,
  frames: number,
): void {
  mixIntoAt(dst, dstChannels, 0, src, srcChannels, 0, frames);
}

/** Convert interleaved audio to another channel count (same mapping as `mixInto`) into a new array. */
export function remapChannels(src: Float32Array, srcChannels: number, dstChannels: number): Float32Array {
  if (srcChannels === dstChannels) return src;
  const frames = src.length / srcChannels;
  const out = new Float32Array(frames * dstChannels);
  mixInto(out, dstChannels, src, srcChannels, frames);
  return out;
}
