// Minimal EBML (Matroska/WebM) element writer: IDs, variable-length sizes, unsigned/signed/float/string/
// binary payloads, and masters whose size is patched once their children are written.

/** Size value meaning "unknown" (8-byte vint with all value bits set): for live Segments and Clusters. */
export const EBML_UNKNOWN_SIZE = -1;

export class EbmlWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(capacity = 4096) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a copy, so the writer can be reused after `reset`). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Writes an element ID (its bytes already carry the length marker, e.g. 0x1A45DFA3). */
  id(id: number): this {
    const n = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) this.buf[this.pos++] = (id >>> (i * 8)) & 0xff;
    return this;
  }

  /** Writes a size as a vint: the shortest form, or exactly `width` bytes; -1 = unknown size. */
  size(value: number, width?: number): this {
    if (value === EBML_UNKNOWN_SIZE) {
      this.ensure(8);
      this.buf[this.pos++] = 0x01;
      for (let i = 0; i < 7; i++) this.buf[this.pos++] = 0xff;
      return this;
    }
    let n = width ?? 1;
    // 2^(7n) - 1 is reserved for "unknown", so a value must stay below it.
    while (width === undefined && value >= 2 ** (7 * n) - 1) n++;
    if (n > 8 || value >= 2 ** (7 * n) - 1)
      throw new RangeError(`EBML size ${value} does not fit ${n} bytes`);
    this.ensure(n);
    writeBigEndian(this.buf, this.pos, n, value);
    this.buf[this.pos] |= 0x80 >> (n - 1);
    this.pos += n;
    return this;
  }

  uint(id: number, value: number): this {
    const n = value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffff ? 3 : value <= 0xffffffff ? 4 : 8;
    this.id(id).size(n);
    this.ensure(n);
    writeBigEndian(this.buf, this.pos, n, value);
    this.pos += n;
    return this;
  }

  int(id: number, value: number): this {
    const abs = value < 0 ? -value - 1 : value;
    if (abs >= 0x80000000) throw new RangeError(`EBML signed integer ${value} is outside 32 bits`);
    const n = abs < 0x80 ? 1 : abs < 0x8000 ? 2 : abs < 0x800000 ? 3 : 4;
    this.id(id).size(n);
    this.ensure(n);
    writeBigEndian(this.buf, this.pos, n, value < 0 ? 2 ** (8 * n) + value : value);
    this.pos += n;
    return this;
  }

  float(id: number, value: number): this {
    this.id(id).size(8);
    this.ensure(8);
    this.view.setFloat64(this.pos, value);
    this.pos += 8;
    return this;
  }

  string(id: number, value: string): this {
    return this.binary(id, new TextEncoder().encode(value));
  }

  binary(id: number, data: Uint8Array): this {
    this.id(id).size(data.length);
    return this.raw(data);
  }

  raw(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  i16(v: number): this {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
    return this;
  }

  /** Opens a master element with an 8-byte size placeholder; returns a mark for `endMaster`. */
  beginMaster(id: number): number {
    this.id(id);
    const mark = this.pos;
    this.size(0, 8);
    return mark;
  }

  /** Patches the size of the master opened at `mark` to cover everything written since. */
  endMaster(mark: number): this {
    writeBigEndian(this.buf, mark, 8, this.pos - mark - 8);
    this.buf[mark] |= 0x01;
    return this;
  }
}

/** Writes `value` (a non-negative integer below 2^53) as `n` big-endian bytes. */
function writeBigEndian(out: Uint8Array, at: number, n: number, value: number): void {
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    out[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}
