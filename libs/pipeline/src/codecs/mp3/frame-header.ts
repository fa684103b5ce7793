// MPEG audio frame headers: parsing, and the sniff that decides whether a byte stream is MP3 at all (a
// header followed by three more at their computed offsets, with the same version, layer and rate), so that
// random bytes, Ogg or FLAC are refused instead of being "decoded" by mpg123's resync into noise. Also
// gives the real channel mode (mpg123-decoder always outputs two channels).
import { wrongFormat } from '../sniff';

export interface Mp3FrameHeader {
  /** 1 (MPEG-1), 2 (MPEG-2) or 2.5 (MPEG-2.5). */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  sampleRate: number;
  channels: 1 | 2;
  /** Bytes in the frame, header included. */
  length: number;
}

const BITRATES_KBPS: Record<string, readonly number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<string, readonly number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/** The header at `i`, or undefined when those 4 bytes are not a usable one (free format included). */
export function parseFrameHeader(b: Uint8Array, i: number): Mp3FrameHeader | undefined {
  if (i + 4 > b.length || b[i] !== 0xff || (b[i + 1] & 0xe0) !== 0xe0) return undefined;
  const v = (b[i + 1] >> 3) & 3;
  const l = (b[i + 1] >> 1) & 3;
  const bitrateIndex = b[i + 2] >> 4;
  const rateIndex = (b[i + 2] >> 2) & 3;
  if (v === 1 || l === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const kbps = BITRATES_KBPS[`${version === 1 ? 1 : 2}-${layer}`][bitrateIndex];
  const sampleRate = SAMPLE_RATES[String(version)][rateIndex];
  const padding = (b[i + 2] >> 1) & 1;
  const bitrate = kbps * 1000;
  let length: number;
  if (layer === 1) length = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
  else if (layer === 3 && version !== 1) length = Math.floor((72 * bitrate) / sampleRate) + padding;
  else length = Math.floor((144 * bitrate) / sampleRate) + padding;
  return { version, layer, sampleRate, channels: b[i + 3] >> 6 === 3 ? 1 : 2, length };
}

/** Where the first frame may start after the ID3v2 tags: junk before it is tolerated up to this. */
export const MP3_SYNC_SEARCH_BYTES = 64 * 1024;
/** Consecutive frames that must chain up before a stream is taken for MP3. */
const CONFIRM_FRAMES = 4;
/** Largest frame (MPEG-2 layer II at 160 kb/s, 8 kHz, padded). */
const MAX_FRAME_BYTES = 2881;
/** Bytes the sniff may need before it can decide. */
export const MP3_SNIFF_BYTES = MP3_SYNC_SEARCH_BYTES + CONFIRM_FRAMES * MAX_FRAME_BYTES;

export type Mp3Sniff =
  | { kind: 'mp3'; offset: number; channels: 1 | 2 }
  | { kind: 'not_mp3'; reason: string }
  | { kind: 'need_more' };

/**
 * Decides whether `b` (the stream after its ID3v2 tags) is MPEG audio. `final` means no more bytes will come,
 * so a short file whose frames chain exactly to its end (or to an ID3v1 `TAG`) is accepted too.
 */
export function sniffMp3(b: Uint8Array, final: boolean): Mp3Sniff {
  if (b.length < 8 && !final) return { kind: 'need_more' };
  const other = wrongFormat(b, 'MP3');
  if (other !== undefined) return { kind: 'not_mp3', reason: other };
  const last = Math.min(b.length - 4, MP3_SYNC_SEARCH_BYTES);
  let undecided = false;
  for (let i = 0; i <= last; i++) {
    const first = parseFrameHeader(b, i);
    if (!first) continue;
    let pos = i + first.length;
    let frames = 1;
    let chained = true;
    while (frames < CONFIRM_FRAMES) {
      if (pos + 4 > b.length) {
        const endsHere =
          pos === b.length ||
          (pos + 3 <= b.length && b[pos] === 0x54 && b[pos + 1] === 0x41 && b[pos + 2] === 0x47);
        if (!final) undecided = true;
        // A short file: its frames must reach its end, and one frame alone only counts from the first byte.
        else if (!endsHere || (frames === 1 && i > 0)) chained = false;
        break;
      }
      const next = parseFrameHeader(b, pos);
      if (
        !next ||
        next.version !== first.version ||
        next.layer !== first.layer ||
        next.sampleRate !== first.sampleRate
      ) {
        chained = false;
        break;
      }
      frames++;
      pos += next.length;
    }
    if (undecided) return { kind: 'need_more' };
    if (chained) return { kind: 'mp3', offset: i, channels: first.channels };
  }
  if (!final && b.length < MP3_SNIFF_BYTES) return { kind: 'need_more' };
  return {
    kind: 'not_mp3',
    reason:
      b.length === 0
        ? 'the input is empty'
        : `no MPEG audio frames in the first ${Math.min(b.length, MP3_SYNC_SEARCH_BYTES)} bytes: the input is not MP3`,
  };
}
