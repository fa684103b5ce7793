// HTTP/3 (RFC 9114) and WebTransport-over-HTTP/3 wire constants and the small codecs the server needs:
// frame headers, SETTINGS, capsules. Varints here may carry 62-bit values (GREASE), read without throwing.
import { ByteReader, ShortBufferError } from '../../protocol/varint';

export const FrameType = {
  DATA: 0x00,
  HEADERS: 0x01,
  CANCEL_PUSH: 0x03,
  SETTINGS: 0x04,
  PUSH_PROMISE: 0x05,
  GOAWAY: 0x07,
  MAX_PUSH_ID: 0x0d,
} as const;

/** Frame types of HTTP/2 that RFC 9114 §7.2.8 reserves: receiving one is H3_FRAME_UNEXPECTED. */
export const RESERVED_H2_FRAMES = new Set([0x02, 0x06, 0x08, 0x09]);

export const UniStreamType = {
  CONTROL: 0x00,
  PUSH: 0x01,
  QPACK_ENCODER: 0x02,
  QPACK_DECODER: 0x03,
  WEBTRANSPORT: 0x54,
} as const;

/** First varint of a bidirectional stream that carries WebTransport data instead of a request. */
export const WEBTRANSPORT_BIDI_SIGNAL = 0x41;

export const Setting = {
  QPACK_MAX_TABLE_CAPACITY: 0x01,
  MAX_FIELD_SECTION_SIZE: 0x06,
  QPACK_BLOCKED_STREAMS: 0x07,
  ENABLE_CONNECT_PROTOCOL: 0x08,
  H3_DATAGRAM: 0x33,
  /** draft-ietf-masque-h3-datagram-04, still sent by Chromium. */
  H3_DATAGRAM_DRAFT04: 0xffd277,
  /** WebTransport drafts before 07. */
  ENABLE_WEBTRANSPORT: 0x2b603742,
  WEBTRANSPORT_MAX_SESSIONS_DRAFT02: 0x2b603743,
  /** WebTransport draft 07 and later. */
  WEBTRANSPORT_MAX_SESSIONS: 0xc671706a,
} as const;

/** HTTP/3 error codes (RFC 9114 §8.1) and QPACK's (RFC 9204 §6). */
export const H3Error = {
  NO_ERROR: 0x100,
  GENERAL_PROTOCOL_ERROR: 0x101,
  INTERNAL_ERROR: 0x102,
  STREAM_CREATION_ERROR: 0x103,
  CLOSED_CRITICAL_STREAM: 0x104,
  FRAME_UNEXPECTED: 0x105,
  FRAME_ERROR: 0x106,
  EXCESSIVE_LOAD: 0x107,
  ID_ERROR: 0x108,
  SETTINGS_ERROR: 0x109,
  MISSING_SETTINGS: 0x10a,
  REQUEST_REJECTED: 0x10b,
  REQUEST_CANCELLED: 0x10c,
  MESSAGE_ERROR: 0x10e,
  QPACK_DECOMPRESSION_FAILED: 0x200,
  QPACK_ENCODER_STREAM_ERROR: 0x201,
  QPACK_DECODER_STREAM_ERROR: 0x202,
  /** WebTransport: the session's streams are reset with this when it ends. */
  WEBTRANSPORT_SESSION_GONE: 0x170d7b68,
} as const;

export const Capsule = {
  CLOSE_WEBTRANSPORT_SESSION: 0x2843,
  DRAIN_WEBTRANSPORT_SESSION: 0x78ae,
} as const;

/** A connection-level protocol error: the connection is closed with `code`. */
export class H3ConnectionError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a varint that may exceed 2^53 (GREASE ids): the value is then approximate, which is fine for ids. */
export function readLooseVarint(r: ByteReader): number {
  const first = r.buf[r.pos];
  if (first === undefined) throw new ShortBufferError();
  if (first >>> 6 !== 3) return r.varint();
  const b = r.bytes(8);
  let v = b[0] & 0x3f;
  for (let i = 1; i < 8; i++) v = v * 256 + b[i];
  return v;
}

/** GREASE values (RFC 9114 §7.2.8): 0x1f * N + 0x21. */
export function isGrease(v: number): boolean {
  return v >= 0x21 && (v - 0x21) % 0x1f === 0;
}

export function encodeVarintBytes(values: readonly number[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) {
    if (v < 0x40) out.push(v);
    else if (v < 0x4000) out.push(0x40 | (v >>> 8), v & 0xff);
    else if (v < 0x40000000) out.push(0x80 | (v >>> 24), (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    else {
      const hi = Math.floor(v / 0x100000000);
      const lo = v >>> 0;
      out.push(0xc0 | (hi >>> 24), (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
      out.push(lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/** One frame: type, length, payload. */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  const head = encodeVarintBytes([type, payload.length]);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

/** SETTINGS payload from id/value pairs. */
export function encodeSettings(settings: ReadonlyMap<number, number>): Uint8Array {
  const values: number[] = [];
  for (const [id, v] of settings) values.push(id, v);
  return encodeFrame(FrameType.SETTINGS, encodeVarintBytes(values));
}

/** Parses a SETTINGS payload; a duplicate id or a reserved HTTP/2 setting is H3_SETTINGS_ERROR. */
export function decodeSettings(payload: Uint8Array): Map<number, number> {
  const r = new ByteReader(payload);
  const out = new Map<number, number>();
  try {
    while (r.remaining > 0) {
      const id = readLooseVarint(r);
      const value = readLooseVarint(r);
      if (id >= 0x02 && id <= 0x05)
        throw new H3ConnectionError(H3Error.SETTINGS_ERROR, `reserved setting ${id}`);
      if (out.has(id)) throw new H3ConnectionError(H3Error.SETTINGS_ERROR, `duplicate setting ${id}`);
      if (out.size >= 64) throw new H3ConnectionError(H3Error.EXCESSIVE_LOAD, 'more than 64 settings');
      out.set(id, value);
    }
  } catch (err) {
    if (err instanceof H3ConnectionError) throw err;
    throw new H3ConnectionError(H3Error.FRAME_ERROR, 'malformed SETTINGS frame');
  }
  return out;
}

/** CLOSE_WEBTRANSPORT_SESSION capsule: u32 code and a UTF-8 reason of at most 1024 bytes. */
export function encodeCloseCapsule(code: number, reason: string): Uint8Array {
  const text = Buffer.from(reason, 'utf8').subarray(0, 1024);
  const body = new Uint8Array(4 + text.length);
  new DataView(body.buffer).setUint32(0, code >>> 0);
  body.set(text, 4);
  return encodeFrame(Capsule.CLOSE_WEBTRANSPORT_SESSION, body);
}

/**
 * Incremental reader of type-length-value units (HTTP/3 frames and capsules share the layout): push bytes,
 * take whole units. A unit longer than `maxPayload` is an error before it is buffered.
 */
export class TlvReader {
  private buf: Uint8Array = new Uint8Array(0);
  private readonly r = new ByteReader();

  constructor(private readonly maxPayload: number) {}

  push(chunk: Uint8Array): void {
    if (this.buf.length === 0) {
      this.buf = chunk;
      return;
    }
    const next = new Uint8Array(this.buf.length + chunk.length);
    next.set(this.buf);
    next.set(chunk, this.buf.length);
    this.buf = next;
  }

  /** The next whole unit, or undefined until more bytes arrive. */
  next(): { type: number; payload: Uint8Array } | undefined {
    const r = this.r.reset(this.buf);
    let type: number;
    let length: number;
    try {
      type = readLooseVarint(r);
      length = readLooseVarint(r);
    } catch (err) {
      if (err instanceof ShortBufferError) return undefined;
      throw err;
    }
    if (length > this.maxPayload) {
      throw new H3ConnectionError(
        H3Error.EXCESSIVE_LOAD,
        `frame 0x${type.toString(16)} of ${length} bytes exceeds ${this.maxPayload}`,
      );
    }
    if (r.remaining < length) return undefined;
    const payload = r.bytes(length);
    this.buf = this.buf.subarray(r.pos);
    return { type, payload };
  }

  /** Bytes buffered but not yet taken. */
  get pending(): Uint8Array {
    return this.buf;
  }
}
