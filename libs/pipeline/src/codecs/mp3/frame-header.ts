// Finds the first MPEG audio frame header in a byte stream (after any ID3v2 tag) to learn the channel mode:
// mpg123-decoder always outputs two channels, so the real channel count comes from here.

export type HeaderScan = { found: true; channels: 1 | 2 } | { found: false; needMore: boolean };

const BITRATE_BAD = 15;
const SAMPLE_RATE_BAD = 3;

function isFrameHeader(b: Uint8Array, i: number): boolean {
  if (b[i] !== 0xff || (b[i + 1] & 0xe0) !== 0xe0) return false;
  const version = (b[i + 1] >> 3) & 3;
  const layer = (b[i + 1] >> 1) & 3;
  const bitrate = b[i + 2] >> 4;
  const rate = (b[i + 2] >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== BITRATE_BAD && rate !== SAMPLE_RATE_BAD;
}

/** Scan the stream's first bytes; `needMore` when they end before a header could be found. */
export function scanMp3Header(b: Uint8Array): HeaderScan {
  let i = 0;
  if (b.length < 10) return { found: false, needMore: true };
  if (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) {
    const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
    i = 10 + size + ((b[5] & 0x10) !== 0 ? 10 : 0);
  }
  for (; i + 4 <= b.length; i++) {
    if (isFrameHeader(b, i)) return { found: true, channels: b[i + 3] >> 6 === 3 ? 1 : 2 };
  }
  return { found: false, needMore: true };
}
