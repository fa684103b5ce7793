// Re-chunks a stream of interleaved f32 audio into frames of exactly `frameSize` samples per channel.
// Each completed frame is a fresh array (packets own their samples); the final partial frame is flushed short.

export class FrameRechunker {
  private buf: Float32Array;
  private fill = 0;

  constructor(
    readonly channels: number,
    readonly frameSize: number,
  ) {
    this.buf = new Float32Array(channels * frameSize);
  }

  /** Samples (all channels) currently buffered. */
  get buffered(): number {
    return this.fill;
  }

  /** True when a complete frame is ready to `take()`. */
  get full(): boolean {
    return this.fill === this.buf.length;
  }

  /** Copy as much of `src[offset..]` as fits into the current frame; returns the number of samples consumed. */
  write(src: Float32Array, offset: number): number {
    const n = Math.min(src.length - offset, this.buf.length - this.fill);
    this.buf.set(src.subarray(offset, offset + n), this.fill);
    this.fill += n;
    return n;
  }

  /**
   * Interleave planar channels `planes[c][frameOffset..]` (scaled by `scale`) into the current frame; returns
   * the number of frames consumed. Decoders that produce planar output use this to skip an interleave copy.
   */
  writePlanar(planes: Float32Array[], frameOffset: number, frameCount: number, scale: number): number {
    const ch = this.channels;
    const n = Math.min(frameCount - frameOffset, (this.buf.length - this.fill) / ch);
    const buf = this.buf;
    for (let c = 0; c < ch; c++) {
      const plane = planes[c];
      let o = this.fill + c;
      for (let f = frameOffset; f < frameOffset + n; f++, o += ch) buf[o] = plane[f] * scale;
    }
    this.fill += n * ch;
    return n;
  }

  /** Hand over the completed frame and start a new one. */
  take(): Float32Array {
    const frame = this.buf;
    this.buf = new Float32Array(this.buf.length);
    this.fill = 0;
    return frame;
  }

  /** Hand over whatever is buffered (possibly short), or undefined when empty. */
  flush(): Float32Array | undefined {
    if (this.fill === 0) return undefined;
    const frame = this.buf.slice(0, this.fill);
    this.fill = 0;
    return frame;
  }
}
