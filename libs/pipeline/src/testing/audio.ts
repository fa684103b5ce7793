// Packet builders shared by the audio node specs.
import type { AudioPacket, Packet } from '../core/packets';

/** One audio packet of `frames` frames, every sample `value`. */
export function constFrame(value: number, frames = 960, channels = 1, sampleRate = 48000): AudioPacket {
  return { kind: 'audio', sampleRate, channels, samples: new Float32Array(frames * channels).fill(value) };
}

/** Interleaved samples of every audio packet, concatenated. */
export function concatAudio(packets: Packet[]): Float32Array {
  const audio = packets.filter((p): p is AudioPacket => p.kind === 'audio');
  const out = new Float32Array(audio.reduce((n, p) => n + p.samples.length, 0));
  let o = 0;
  for (const p of audio) {
    out.set(p.samples, o);
    o += p.samples.length;
  }
  return out;
}

/** Split interleaved samples into audio packets of `frames` frames (the last may be short). */
export function toPackets(
  samples: Float32Array,
  channels: number,
  sampleRate: number,
  frames: number,
): AudioPacket[] {
  const out: AudioPacket[] = [];
  for (let i = 0; i < samples.length; i += frames * channels) {
    out.push({ kind: 'audio', sampleRate, channels, samples: samples.slice(i, i + frames * channels) });
  }
  return out;
}
