// Recognising media formats by their first bytes, so a reader can refuse input that is not its format with
// a message saying what it is instead.

export type SniffedFormat = 'Ogg' | 'FLAC' | 'WAV' | 'WebM' | 'MP4' | 'MP3';

const LABEL: Record<SniffedFormat, string> = {
  Ogg: 'an Ogg file',
  FLAC: 'a FLAC file',
  WAV: 'a RIFF/WAV file',
  WebM: 'a WebM/Matroska file',
  MP4: 'an MP4 file',
  MP3: 'an MP3 file',
};

/** The container or stream format `b` starts with, when it is one of the common ones. */
export function sniffFormat(b: Uint8Array): SniffedFormat | undefined {
  const ascii = (at: number, s: string) => [...s].every((c, k) => b[at + k] === c.charCodeAt(0));
  if (ascii(0, 'OggS')) return 'Ogg';
  if (ascii(0, 'fLaC')) return 'FLAC';
  if (ascii(0, 'RIFF') || ascii(0, 'RF64')) return 'WAV';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'WebM';
  if (ascii(4, 'ftyp')) return 'MP4';
  if (ascii(0, 'ID3') || (b[0] === 0xff && (b[1] & 0xe0) === 0xe0 && b.length >= 2)) return 'MP3';
  return undefined;
}

/** `the input is an Ogg file, not FLAC` (when recognised), else undefined. */
export function wrongFormat(b: Uint8Array, expected: SniffedFormat): string | undefined {
  const found = sniffFormat(b);
  return found === undefined || found === expected
    ? undefined
    : `the input is ${LABEL[found]}, not ${expected}`;
}

/** Size of the ID3v2 tag starting at `b[0]` (header and footer included), undefined when there is none. */
export function id3v2Size(b: Uint8Array): number | undefined {
  if (b.length < 10 || b[0] !== 0x49 || b[1] !== 0x44 || b[2] !== 0x33) return undefined;
  if ((b[6] | b[7] | b[8] | b[9]) & 0x80) return undefined;
  const size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
  return 10 + size + ((b[5] & 0x10) !== 0 ? 10 : 0);
}
