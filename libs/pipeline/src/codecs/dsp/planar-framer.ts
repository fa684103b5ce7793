// Turns planar decoder output of a possibly changing format into ~20 ms interleaved PcmChunks.
import type { PcmChunk } from './pcm-chunk';
import { frameSizeFor20Ms } from './pcm-chunk';
import { FrameRechunker } from './rechunker';

export class PlanarFramer {
  private rechunker: FrameRechunker | undefined;
  private sampleRate = 0;
  /** Total frames (samples per channel) emitted, for exact-length checks. */
  framesOut = 0;

  /** Append `frameCount` frames of `planes` (the first `channels` planes are used), scaled by `scale`. */
  push(
    planes: Float32Array[],
    channels: number,
    frameCount: number,
    sampleRate: number,
    scale: number,
    out: PcmChunk[],
  ): void {
    if (frameCount === 0) return;
    let rc = this.rechunker;
    if (rc === undefined || rc.channels !== channels || this.sampleRate !== sampleRate) {
      this.flush(out);
      rc = this.rechunker = new FrameRechunker(channels, frameSizeFor20Ms(sampleRate));
      this.sampleRate = sampleRate;
    }
    let done = 0;
    while (done < frameCount) {
      done += rc.writePlanar(planes, done, frameCount, scale);
      if (rc.full) this.emit(rc.take(), out);
    }
  }

  /** Emit the buffered partial chunk, if any. */
  flush(out: PcmChunk[]): void {
    const rest = this.rechunker?.flush();
    if (rest !== undefined) this.emit(rest, out);
  }

  private emit(samples: Float32Array, out: PcmChunk[]): void {
    const channels = this.rechunker!.channels;
    this.framesOut += samples.length / channels;
    out.push({ sampleRate: this.sampleRate, channels, samples });
  }
}
