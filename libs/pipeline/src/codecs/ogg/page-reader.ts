// Streaming Ogg page reader: accepts bytes in arbitrary chunks, finds pages by capture pattern, verifies
// each page's CRC and resynchronises after garbage or corruption (counting what it skipped).
import { oggCrc } from './crc';

/** One page. `body` and `lacing` are views into the reader's buffer, valid until the next `push`. */
export interface OggPage {
  flags: number;
  /** -1 when no packet ends on the page. Exact up to 2^53. */
  granule: number;
  serial: number;
  sequence: number;
  lacing: Uint8Array;
  body: Uint8Array;
}

const HEADER_SIZE = 27;
const TWO_32 = 0x1_0000_0000;

export class OggPageReader {
  private buf = new Uint8Array(65536);
  private start = 0;
  private end = 0;
  /** Pages dropped because their CRC did not match. */
  corruptPages = 0;
  /** Bytes skipped while looking for a capture pattern. */
  skippedBytes = 0;
  /** Pages read successfully. */
  pages = 0;
  private readonly page: OggPage = {
    flags: 0,
    granule: 0,
    serial: 0,
    sequence: 0,
    lacing: new Uint8Array(0),
    body: new Uint8Array(0),
  };

  /** Adds input bytes. Pages returned earlier by `next()` become invalid. */
  push(chunk: Uint8Array): void {
    const pending = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (pending + chunk.length > this.buf.length) {
        const grown = new Uint8Array(Math.max(this.buf.length * 2, pending + chunk.length));
        grown.set(this.buf.subarray(this.start, this.end));
        this.buf = grown;
      } else {
        this.buf.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = pending;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Bytes buffered but not yet consumed as pages. */
  get buffered(): number {
    return this.end - this.start;
  }

  /** The next complete, CRC-valid page, or undefined when more bytes are needed. */
  next(): OggPage | undefined {
    const b = this.buf;
    while (true) {
      const avail = this.end - this.start;
      if (avail < HEADER_SIZE) return undefined;
      const s = this.start;
      if (b[s] !== 0x4f || b[s + 1] !== 0x67 || b[s + 2] !== 0x67 || b[s + 3] !== 0x53 || b[s + 4] !== 0) {
        this.resync();
        continue;
      }
      const nsegs = b[s + 26];
      if (avail < HEADER_SIZE + nsegs) return undefined;
      let bodyLen = 0;
      for (let i = 0; i < nsegs; i++) bodyLen += b[s + HEADER_SIZE + i];
      const total = HEADER_SIZE + nsegs + bodyLen;
      if (avail < total) return undefined;
      const stored = (b[s + 22] | (b[s + 23] << 8) | (b[s + 24] << 16) | (b[s + 25] << 24)) >>> 0;
      let crc = oggCrc(b, s, s + 22);
      crc = oggCrc(ZERO4, 0, 4, crc);
      crc = oggCrc(b, s + 26, s + total, crc);
      if (crc !== stored) {
        this.corruptPages++;
        this.resync();
        continue;
      }
      const p = this.page;
      p.flags = b[s + 5];
      const lo = readU32(b, s + 6);
      const hi = readU32(b, s + 10);
      p.granule = hi === 0xffffffff && lo === 0xffffffff ? -1 : hi * TWO_32 + lo;
      p.serial = readU32(b, s + 14);
      p.sequence = readU32(b, s + 18);
      p.lacing = b.subarray(s + HEADER_SIZE, s + HEADER_SIZE + nsegs);
      p.body = b.subarray(s + HEADER_SIZE + nsegs, s + total);
      this.start += total;
      this.pages++;
      return p;
    }
  }

  /** Skips at least one byte, up to the next possible capture pattern. */
  private resync(): void {
    const b = this.buf;
    let i = this.start + 1;
    while (
      i + 4 <= this.end &&
      !(b[i] === 0x4f && b[i + 1] === 0x67 && b[i + 2] === 0x67 && b[i + 3] === 0x53)
    )
      i++;
    if (i + 4 > this.end) i = Math.max(this.start + 1, this.end - 3);
    this.skippedBytes += i - this.start;
    this.start = i;
  }
}

const ZERO4 = new Uint8Array(4);

function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
