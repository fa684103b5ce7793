// The Ogg Opus identification and comment headers (RFC 7845 §5), built and parsed. WebM's CodecPrivate
// carries the same OpusHead.
import { MediaError } from '../../core/media-error';

export interface OpusHead {
  version: number;
  channels: number;
  /** Samples at 48 kHz the decoder discards at the start. */
  preSkip: number;
  /** Sample rate of the encoder's input, informational only. */
  inputSampleRate: number;
  /** Q7.8 dB gain to apply on output. */
  outputGain: number;
  mappingFamily: number;
  /** Present when `mappingFamily` is not 0. */
  streamCount?: number;
  coupledCount?: number;
  channelMapping?: Uint8Array;
}

const OPUS_HEAD_MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x48, 0x65, 0x61, 0x64];
const OPUS_TAGS_MAGIC = [0x4f, 0x70, 0x75, 0x73, 0x54, 0x61, 0x67, 0x73];

function startsWith(data: Uint8Array, magic: number[]): boolean {
  if (data.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (data[i] !== magic[i]) return false;
  return true;
}

export const isOpusHead = (data: Uint8Array): boolean => startsWith(data, OPUS_HEAD_MAGIC);
export const isOpusTags = (data: Uint8Array): boolean => startsWith(data, OPUS_TAGS_MAGIC);

/** Builds a mapping-family-0 OpusHead (1 or 2 channels), 19 bytes. */
export function buildOpusHead(h: {
  channels: number;
  preSkip: number;
  inputSampleRate?: number;
  outputGain?: number;
}): Uint8Array {
  if (h.channels !== 1 && h.channels !== 2) {
    throw new RangeError(`OpusHead channels must be 1 or 2 for channel mapping family 0, got ${h.channels}`);
  }
  const out = new Uint8Array(19);
  out.set(OPUS_HEAD_MAGIC, 0);
  const v = new DataView(out.buffer);
  out[8] = 1;
  out[9] = h.channels;
  v.setUint16(10, h.preSkip, true);
  v.setUint32(12, h.inputSampleRate ?? 48000, true);
  v.setInt16(16, h.outputGain ?? 0, true);
  out[18] = 0;
  return out;
}

/** Parses an OpusHead; throws with the reason when it is not one. */
export function parseOpusHead(data: Uint8Array): OpusHead {
  if (!isOpusHead(data) || data.length < 19) throw new MediaError('not an OpusHead packet (magic or length)');
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = data[8];
  if (version >> 4 !== 0) throw new MediaError(`unsupported OpusHead version ${version}`);
  const head: OpusHead = {
    version,
    channels: data[9],
    preSkip: v.getUint16(10, true),
    inputSampleRate: v.getUint32(12, true),
    outputGain: v.getInt16(16, true),
    mappingFamily: data[18],
  };
  if (head.channels === 0) throw new MediaError('OpusHead declares 0 channels');
  if (head.mappingFamily !== 0) {
    if (data.length < 21 + head.channels) throw new MediaError('OpusHead channel mapping table is truncated');
    head.streamCount = data[19];
    head.coupledCount = data[20];
    head.channelMapping = data.slice(21, 21 + head.channels);
  } else if (head.channels > 2) {
    throw new MediaError(`OpusHead mapping family 0 allows 1 or 2 channels, got ${head.channels}`);
  }
  return head;
}

/** Builds an OpusTags packet with a vendor string and `KEY=value` comments. */
export function buildOpusTags(vendor: string, comments: readonly string[] = []): Uint8Array {
  const enc = new TextEncoder();
  const vendorBytes = enc.encode(vendor);
  const commentBytes = comments.map((c) => enc.encode(c));
  const size = 8 + 4 + vendorBytes.length + 4 + commentBytes.reduce((n, c) => n + 4 + c.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set(OPUS_TAGS_MAGIC, 0);
  let o = 8;
  v.setUint32(o, vendorBytes.length, true);
  out.set(vendorBytes, o + 4);
  o += 4 + vendorBytes.length;
  v.setUint32(o, commentBytes.length, true);
  o += 4;
  for (const c of commentBytes) {
    v.setUint32(o, c.length, true);
    out.set(c, o + 4);
    o += 4 + c.length;
  }
  return out;
}

/** Parses an OpusTags packet into its vendor string and comments; throws when malformed. */
export function parseOpusTags(data: Uint8Array): { vendor: string; comments: string[] } {
  if (!isOpusTags(data)) throw new MediaError('not an OpusTags packet');
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const dec = new TextDecoder();
  const take = (o: number): [string, number] => {
    if (o + 4 > data.length) throw new MediaError('OpusTags is truncated');
    const n = v.getUint32(o, true);
    if (o + 4 + n > data.length) throw new MediaError('OpusTags is truncated');
    return [dec.decode(data.subarray(o + 4, o + 4 + n)), o + 4 + n];
  };
  const first = take(8);
  const vendor = first[0];
  let o = first[1];
  if (o + 4 > data.length) throw new MediaError('OpusTags is truncated');
  const count = v.getUint32(o, true);
  o += 4;
  const comments: string[] = [];
  for (let i = 0; i < count; i++) {
    let c: string;
    [c, o] = take(o);
    comments.push(c);
  }
  return { vendor, comments };
}
