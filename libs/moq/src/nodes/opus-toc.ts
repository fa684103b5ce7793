// Duration of an Opus packet from its TOC byte (RFC 6716 §3.1), for packets that arrive without timing.

const FRAME_US_BY_CONFIG = [
  10_000, 20_000, 40_000, 60_000, 10_000, 20_000, 40_000, 60_000, 10_000, 20_000, 40_000, 60_000, 10_000,
  20_000, 10_000, 20_000, 2_500, 5_000, 10_000, 20_000, 2_500, 5_000, 10_000, 20_000, 2_500, 5_000, 10_000,
  20_000, 2_500, 5_000, 10_000, 20_000,
];

/** Microseconds of audio in an Opus packet, or `fallbackUs` when the packet is malformed. */
export function opusPacketDurationUs(packet: Uint8Array, fallbackUs = 20_000): number {
  if (packet.length === 0) return fallbackUs;
  const toc = packet[0];
  const frameUs = FRAME_US_BY_CONFIG[toc >>> 3];
  const code = toc & 3;
  if (code === 0) return frameUs;
  if (code !== 3) return frameUs * 2;
  if (packet.length < 2) return fallbackUs;
  return frameUs * (packet[1] & 0x3f);
}
