// The unit that streaming decoders hand to nodes: interleaved f32 of one format.

export interface PcmChunk {
  sampleRate: number;
  channels: number;
  /** Interleaved f32; length is a multiple of `channels`. */
  samples: Float32Array;
}

/** Frames per ~20 ms output chunk at a rate (at least 1). */
export function frameSizeFor20Ms(sampleRate: number): number {
  return Math.max(1, Math.round(sampleRate / 50));
}
