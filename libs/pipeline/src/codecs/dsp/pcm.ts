// Sample format conversion between the engine's f32 interleaved audio and the s16 that codecs speak.
// Scaling follows ffmpeg: s16 = round(f32 * 32768) clipped, f32 = s16 / 32768.

/** Convert `count` f32 samples from `src[srcOffset..]` into `dst[dstOffset..]` as clipped, rounded s16. */
export function f32ToS16(
  src: Float32Array,
  srcOffset: number,
  dst: Int16Array,
  dstOffset: number,
  count: number,
): void {
  for (let i = 0; i < count; i++) {
    const v = Math.round(src[srcOffset + i] * 32768);
    dst[dstOffset + i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
}

/** Convert s16 samples into a new f32 array. */
export function s16ToF32(src: Int16Array, start = 0, end = src.length): Float32Array {
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = src[i] / 32768;
  return out;
}

/** View the bytes of an s16 buffer (as returned by libopus bindings) as samples, copying only if misaligned. */
export function bytesAsS16(bytes: Uint8Array): Int16Array {
  if (bytes.byteOffset % 2 === 0)
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  return new Int16Array(bytes.slice().buffer);
}
