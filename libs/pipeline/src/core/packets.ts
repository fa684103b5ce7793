// Runtime packets: what travels between pins. A discriminated union on `kind`; audio is always f32
// interleaved. Timing metadata is optional and carried through by nodes that keep time.

export interface PacketMetadata {
  /** Presentation time in microseconds. */
  timestampUs?: number;
  /** Duration in microseconds. */
  durationUs?: number;
  /** Running sequence number. */
  sequence?: number;
}

export interface AudioPacket {
  kind: 'audio';
  sampleRate: number;
  channels: number;
  /** Interleaved f32 samples (L, R, L, R, ...). Length is a multiple of `channels`. */
  samples: Float32Array;
  meta?: PacketMetadata;
  /**
   * Set by a producer whose `samples` were made for this packet alone and which never touches them again.
   * The engine clears it when the packet fans out to more than one connection. A node holding an owned
   * packet may write its samples in place and send it on (as `audio::gain` does) instead of copying them:
   * copy-on-write without reference counts. Absent means shared: read only.
   */
  owned?: boolean;
}

/** One Opus packet (a raw Opus frame, no container). Pin type `OpusAudio`. */
export interface OpusPacket {
  kind: 'opus';
  data: Uint8Array;
  meta?: PacketMetadata;
}

export interface BinaryPacket {
  kind: 'binary';
  data: Uint8Array;
  contentType?: string;
  meta?: PacketMetadata;
}

export interface TextPacket {
  kind: 'text';
  text: string;
  meta?: PacketMetadata;
}

export interface TranscriptionSegment {
  text: string;
  startTimeMs: number;
  endTimeMs: number;
  confidence?: number;
}

export interface TranscriptionPacket {
  kind: 'transcription';
  text: string;
  segments: TranscriptionSegment[];
  language?: string;
  meta?: PacketMetadata;
}

export interface CustomPacket {
  kind: 'custom';
  typeId: string;
  encoding: 'json';
  data: unknown;
  meta?: PacketMetadata;
}

export type Packet =
  AudioPacket | OpusPacket | BinaryPacket | TextPacket | TranscriptionPacket | CustomPacket;
export type PacketKind = Packet['kind'];

/** End of stream: returned by a receiver once every upstream sender has closed and the queue is drained. */
export const EOS: unique symbol = Symbol('EOS');
export type Eos = typeof EOS;

/** Number of frames (samples per channel) in an audio packet. */
export function audioFrames(p: AudioPacket): number {
  return p.samples.length / p.channels;
}

/** Duration of an audio packet in microseconds, from its sample count. */
export function audioDurationUs(p: AudioPacket): number {
  return Math.round((audioFrames(p) * 1_000_000) / p.sampleRate);
}
