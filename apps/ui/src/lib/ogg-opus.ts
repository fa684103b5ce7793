// Incremental Ogg page parser yielding Opus packets as bytes arrive, so playback can start before the
// response has finished.

export interface OpusHead {
  channels: number;
  preSkip: number;
  /** The whole OpusHead packet (the decoder's `description`). */
  raw: Uint8Array;
}

export class OggOpusReader {
  private buf = new Uint8Array(0);
  private partial: Uint8Array[] = [];
  private packetNo = 0;
  head: OpusHead | null = null;

  /** Feeds bytes; returns the complete audio packets they finish (header packets are consumed). */
  push(bytes: Uint8Array): Uint8Array[] {
    const merged = new Uint8Array(this.buf.length + bytes.length);
    merged.set(this.buf);
    merged.set(bytes, this.buf.length);
    this.buf = merged;
    const out: Uint8Array[] = [];
    let pos = 0;
    while (this.buf.length - pos >= 27) {
      if (
        this.buf[pos] !== 0x4f ||
        this.buf[pos + 1] !== 0x67 ||
        this.buf[pos + 2] !== 0x67 ||
        this.buf[pos + 3] !== 0x53
      ) {
        throw new Error('Not an Ogg stream (missing OggS capture pattern)');
      }
      const segments = this.buf[pos + 26];
      if (this.buf.length - pos < 27 + segments) break;
      const lacing = this.buf.subarray(pos + 27, pos + 27 + segments);
      const bodyLen = lacing.reduce((a, b) => a + b, 0);
      const start = pos + 27 + segments;
      if (this.buf.length < start + bodyLen) break;
      let at = start;
      for (const len of lacing) {
        this.partial.push(this.buf.slice(at, at + len));
        at += len;
        if (len < 255) this.finishPacket(out);
      }
      pos = start + bodyLen;
    }
    this.buf = this.buf.slice(pos);
    return out;
  }

  private finishPacket(out: Uint8Array[]): void {
    const size = this.partial.reduce((a, p) => a + p.length, 0);
    const packet = new Uint8Array(size);
    let at = 0;
    for (const p of this.partial) {
      packet.set(p, at);
      at += p.length;
    }
    this.partial = [];
    const n = this.packetNo++;
    if (n === 0) {
      if (size < 19 || String.fromCharCode(...packet.subarray(0, 8)) !== 'OpusHead')
        throw new Error('Ogg stream does not carry Opus');
      this.head = { channels: packet[9] || 1, preSkip: packet[10] | (packet[11] << 8), raw: packet };
    } else if (n === 1) {
      return; // OpusTags
    } else if (size > 0) out.push(packet);
  }
}
