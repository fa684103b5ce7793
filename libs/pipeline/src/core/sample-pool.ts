// Recycled sample arrays for owned audio packets. A decoder making a 20 ms stereo frame allocates 7.7 KB
// outside V8's heap; at a few thousand frames a second that external memory alone drives the garbage
// collector. The last holder of an owned packet (an encoder that has copied the samples out) gives its
// array back; the next frame of the same size on this thread takes it instead of allocating. Per thread
// (each worker has its own), bounded, and only whole arrays: a view into a larger buffer is left to the GC.
import type { AudioPacket } from './packets';

/** Arrays kept per length: enough for the frames in flight on a busy worker, bounded in memory. */
const KEEP_PER_LENGTH = 64;
/** 120 ms of 48 kHz stereo: longer arrays are rare and not worth keeping. */
const MAX_LENGTH = 11_520;
/**
 * Bytes kept over all lengths: trimmed frames can have any length below MAX_LENGTH, and a stream crafted to
 * produce many different ones must not grow the pool by 64 arrays per length.
 */
export const MAX_POOL_BYTES = 4 * 1024 * 1024;

const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;

/** An array of `length` samples: recycled (its contents are stale, the caller overwrites all of it) or new. */
export function takeSamples(length: number): Float32Array {
  const array = free.get(length)?.pop();
  if (array === undefined) return new Float32Array(length);
  pooledBytes -= array.byteLength;
  return array;
}

/**
 * The caller held `p` as its owner and is done with its samples: keep the array for `takeSamples`. The packet
 * is no longer owned after this (whoever still reads it must not rely on the samples).
 */
export function recycleSamples(p: AudioPacket): void {
  if (p.owned !== true) return;
  p.owned = false;
  const s = p.samples;
  if (s.length > MAX_LENGTH || s.byteOffset !== 0 || s.byteLength !== s.buffer.byteLength) return;
  let list = free.get(s.length);
  if (list === undefined) free.set(s.length, (list = []));
  if (list.length >= KEEP_PER_LENGTH || pooledBytes + s.byteLength > MAX_POOL_BYTES) return;
  list.push(s);
  pooledBytes += s.byteLength;
}
