// Reads an Opus packet's table-of-contents byte (RFC 6716 §3.1): how many 48 kHz samples the packet
// decodes to and whether it is coded as stereo. Shared by the containers and the Opus codec nodes.

/** Samples per frame at 48 kHz for each of the 32 TOC configurations. */
const FRAME_SAMPLES = new Uint16Array([
  480,
  960,
  1920,
  2880,
  480,
  960,
  1920,
  2880,
  480,
  960,
  1920,
  2880, // SILK NB/MB/WB: 10/20/40/60 ms
  480,
  960,
  480,
  960, // Hybrid SWB/FB: 10/20 ms
  120,
  240,
  480,
  960,
  120,
  240,
  480,
  960,
  120,
  240,
  480,
  960,
  120,
  240,
  480,
  960, // CELT: 2.5/5/10/20 ms
]);

/** RFC 6716 caps a packet at 120 ms. */
export const OPUS_MAX_PACKET_SAMPLES = 5760;

/** Samples per frame (48 kHz) of the packet's configuration; 0 for an empty packet. */
export function opusFrameSamples(data: Uint8Array): number {
  return data.length === 0 ? 0 : FRAME_SAMPLES[data[0] >> 3];
}

/** Number of frames in the packet (1-48), or 0 when the packet is empty or malformed. */
export function opusFrameCount(data: Uint8Array): number {
  if (data.length === 0) return 0;
  switch (data[0] & 3) {
    case 0:
      return 1;
    case 1:
    case 2:
      return 2;
    default:
      return data.length < 2 ? 0 : data[1] & 0x3f;
  }
}

/**
 * Samples (per channel, at 48 kHz) the packet decodes to: frame count x frame size from the TOC.
 * Returns 0 for an empty or malformed packet, or one longer than 120 ms.
 */
export function opusPacketSamples(data: Uint8Array): number {
  const n = opusFrameCount(data) * opusFrameSamples(data);
  return n > OPUS_MAX_PACKET_SAMPLES ? 0 : n;
}

/** True when the packet is coded as stereo (TOC bit `s`). Undefined for an empty packet. */
export function opusPacketIsStereo(data: Uint8Array): boolean | undefined {
  return data.length === 0 ? undefined : (data[0] & 4) !== 0;
}

/** Microseconds for a count of 48 kHz samples, rounded to the microsecond (exactly invertible). */
export function opusSamplesToUs(samples: number): number {
  return Math.round((samples * 1000) / 48);
}

/** 48 kHz samples for a duration in microseconds (inverse of `opusSamplesToUs`). */
export function opusUsToSamples(us: number): number {
  return Math.round((us * 48) / 1000);
}

/** Microseconds of audio in the packet (for packets that arrive without timing); `fallbackUs` when it is malformed. */
export function opusPacketDurationUs(data: Uint8Array, fallbackUs = 20_000): number {
  const samples = opusPacketSamples(data);
  return samples === 0 ? fallbackUs : opusSamplesToUs(samples);
}
