// Lays packets out into Ogg pages (RFC 3533): lacing, continuation across pages, 255-segment limit,
// BOS/EOS flags, page sequence numbers and CRC. One call writes one or more pages into one buffer.
import { oggCrc } from './crc';

export const OGG_FLAG_CONTINUED = 1;
export const OGG_FLAG_BOS = 2;
export const OGG_FLAG_EOS = 4;

/** Granule position meaning "no packet ends on this page". */
export const OGG_NO_GRANULE = -1;

const HEADER_SIZE = 27;
const MAX_SEGMENTS = 255;
const TWO_32 = 0x1_0000_0000;

/** Lacing values a packet of `length` bytes needs (a multiple of 255 ends with a 0 segment). */
export function oggSegmentCount(length: number): number {
  return Math.floor(length / 255) + 1;
}

export class OggPageWriter {
  private sequence = 0;
  private bosWritten = false;
  /** Scratch: segment count of each page of the current call. */
  private readonly pageSegs: number[] = [];

  constructor(readonly serial: number) {}

  /** Pages written so far. */
  get pageCount(): number {
    return this.sequence;
  }

  /**
   * Writes `packets` (in order) as pages. `granules[i]` is the granule position after packets[i]; a page
   * carries the granule of the last packet completed on it, or -1. The first page ever written gets BOS;
   * the last page of this call gets EOS when `eos` is set. Packets needing more than 255 segments in
   * total continue onto further pages.
   */
  writePages(
    packets: readonly Uint8Array[],
    granules: readonly number[],
    count: number,
    eos: boolean,
  ): Uint8Array {
    // Pass 1: page boundaries and the total size, so the output is allocated once.
    const pageSegs = this.pageSegs;
    pageSegs.length = 0;
    let total = 0;
    let segs = 0;
    let body = 0;
    for (let i = 0; i < count; i++) {
      let remaining = oggSegmentCount(packets[i].length);
      let bytes = packets[i].length;
      while (remaining > 0) {
        const take = Math.min(MAX_SEGMENTS - segs, remaining);
        const takeBytes = take === remaining ? bytes : take * 255;
        segs += take;
        body += takeBytes;
        remaining -= take;
        bytes -= takeBytes;
        if (segs === MAX_SEGMENTS && (remaining > 0 || i < count - 1)) {
          pageSegs.push(segs);
          total += HEADER_SIZE + segs + body;
          segs = 0;
          body = 0;
        }
      }
    }
    if (segs > 0 || pageSegs.length === 0) {
      pageSegs.push(segs);
      total += HEADER_SIZE + segs + body;
    }

    // Pass 2: lacing values and bodies, then header and CRC per page.
    const out = new Uint8Array(total);
    let o = 0;
    let pkt = 0;
    let pktOffset = 0;
    let continued = false;
    for (let p = 0; p < pageSegs.length; p++) {
      const start = o;
      const nsegs = pageSegs[p];
      const segTable = start + HEADER_SIZE;
      let bodyPos = segTable + nsegs;
      let granule = OGG_NO_GRANULE;
      const pageContinued = continued;
      let s = 0;
      while (s < nsegs) {
        const data = packets[pkt];
        const left = data.length - pktOffset;
        const need = Math.floor(left / 255) + 1;
        const take = Math.min(need, nsegs - s);
        for (let j = 0; j < take; j++) out[segTable + s + j] = j === need - 1 ? left - j * 255 : 255;
        s += take;
        if (take === need) {
          out.set(pktOffset === 0 ? data : data.subarray(pktOffset), bodyPos);
          bodyPos += left;
          granule = granules[pkt];
          pkt++;
          pktOffset = 0;
          continued = false;
        } else {
          const n = take * 255;
          out.set(data.subarray(pktOffset, pktOffset + n), bodyPos);
          bodyPos += n;
          pktOffset += n;
          continued = true;
        }
      }
      let flags = pageContinued ? OGG_FLAG_CONTINUED : 0;
      if (!this.bosWritten) {
        flags |= OGG_FLAG_BOS;
        this.bosWritten = true;
      }
      if (eos && p === pageSegs.length - 1) flags |= OGG_FLAG_EOS;
      this.writeHeader(out, start, flags, granule, nsegs);
      const crc = oggCrc(out, start, bodyPos);
      writeU32(out, start + 22, crc);
      o = bodyPos;
    }
    return out;
  }

  private writeHeader(out: Uint8Array, at: number, flags: number, granule: number, nsegs: number): void {
    out[at] = 0x4f;
    out[at + 1] = 0x67;
    out[at + 2] = 0x67;
    out[at + 3] = 0x53;
    out[at + 4] = 0;
    out[at + 5] = flags;
    let lo: number;
    let hi: number;
    if (granule < 0) {
      lo = 0xffffffff;
      hi = 0xffffffff;
    } else {
      lo = granule % TWO_32;
      hi = Math.floor(granule / TWO_32);
    }
    writeU32(out, at + 6, lo);
    writeU32(out, at + 10, hi);
    writeU32(out, at + 14, this.serial);
    writeU32(out, at + 18, this.sequence++);
    writeU32(out, at + 22, 0);
    out[at + 26] = nsegs;
  }
}

function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = (v >>> 24) & 0xff;
}
