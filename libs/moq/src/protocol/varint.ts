// QUIC variable-length integers (RFC 9000 §16), limited to JavaScript's safe integer range.

export const MAX_VARINT = Number.MAX_SAFE_INTEGER;

/** Number of bytes the QUIC varint encoding of `v` takes. */
export function varintSize(v: number): number {
  if (v < 0x40) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x40000000) return 4;
  return 8;
}

/** Writes `v` into `dst` at `offset`; returns the offset after it. */
export function writeVarint(dst: Uint8Array, offset: number, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > MAX_VARINT) throw new RangeError(`varint out of range: ${v}`);
  if (v < 0x40) {
    dst[offset] = v;
    return offset + 1;
  }
  if (v < 0x4000) {
    dst[offset] = 0x40 | (v >>> 8);
    dst[offset + 1] = v & 0xff;
    return offset + 2;
  }
  if (v < 0x40000000) {
    dst[offset] = 0x80 | (v >>> 24);
    dst[offset + 1] = (v >>> 16) & 0xff;
    dst[offset + 2] = (v >>> 8) & 0xff;
    dst[offset + 3] = v & 0xff;
    return offset + 4;
  }
  const hi = Math.floor(v / 0x100000000);
  const lo = v >>> 0;
  dst[offset] = 0xc0 | (hi >>> 24);
  dst[offset + 1] = (hi >>> 16) & 0xff;
  dst[offset + 2] = (hi >>> 8) & 0xff;
  dst[offset + 3] = hi & 0xff;
  dst[offset + 4] = lo >>> 24;
  dst[offset + 5] = (lo >>> 16) & 0xff;
  dst[offset + 6] = (lo >>> 8) & 0xff;
  dst[offset + 7] = lo & 0xff;
  return offset + 8;
}

/** Standalone encoding of `v`. */
export function encodeVarint(v: number): Uint8Array {
  const out = new Uint8Array(varintSize(v));
  writeVarint(out, 0, v);
  return out;
}

/**
 * A malformed moq-lite encoding (or QUIC varint): the only error the decoders throw for bad input, whatever the
 * bytes. Callers close the stream or session that carried it.
 */
export class ProtocolError extends Error {
  override readonly name: string = 'ProtocolError';
}

/** Thrown when a decode runs past the end of the bytes it was given (more data may still arrive). */
export class ShortBufferError extends ProtocolError {
  override readonly name: string = 'ShortBufferError';
  constructor() {
    super('unexpected end of data');
  }
}

/** A cursor over a byte array that decodes moq-lite primitives; reusable via `reset`. */
export class ByteReader {
  buf: Uint8Array;
  pos: number;

  constructor(buf: Uint8Array = new Uint8Array(0), pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  reset(buf: Uint8Array, pos = 0): this {
    this.buf = buf;
    this.pos = pos;
    return this;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new ShortBufferError();
    return this.buf[this.pos++];
  }

  u16(): number {
    if (this.pos + 2 > this.buf.length) throw new ShortBufferError();
    const v = (this.buf[this.pos] << 8) | this.buf[this.pos + 1];
    this.pos += 2;
    return v;
  }

  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new ProtocolError(`invalid bool value ${v}`);
    return v === 1;
  }

  varint(): number {
    const src = this.buf;
    const offset = this.pos;
    if (offset >= src.length) throw new ShortBufferError();
    const first = src[offset];
    const size = 1 << (first >>> 6);
    if (offset + size > src.length) throw new ShortBufferError();
    let value = first & 0x3f;
    if (size === 8) {
      const hi =
        (first & 0x3f) * 0x1000000 + ((src[offset + 1] << 16) | (src[offset + 2] << 8) | src[offset + 3]);
      const lo =
        ((src[offset + 4] << 24) | (src[offset + 5] << 16) | (src[offset + 6] << 8) | src[offset + 7]) >>> 0;
      value = hi * 0x100000000 + lo;
      if (value > MAX_VARINT) throw new ProtocolError('varint larger than 2^53');
    } else {
      for (let i = 1; i < size; i++) value = value * 256 + src[offset + i];
    }
    this.pos = offset + size;
    return value;
  }

  /** A view (not a copy) of the next `n` bytes. */
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.buf.length) throw new ShortBufferError();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return textDecoder.decode(this.bytes(this.varint()));
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }
}

/** A growable buffer that encodes moq-lite primitives. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): this {
    this.reserve(1);
    this.buf[this.len++] = v;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  varint(v: number): this {
    this.reserve(8);
    this.len = writeVarint(this.buf, this.len, v);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  string(s: string): this {
    const b = textEncoder.encode(s);
    return this.varint(b.length).bytes(b);
  }

  get length(): number {
    return this.len;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
