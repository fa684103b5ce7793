// Ogg Opus demuxer: bytes in (any chunking), Opus packets out with exact timing. Timestamps follow the
// granule timeline (48 kHz samples, pre-skip included, so the first packet of a file starts at 0);
// durations come from each packet's TOC, and the final packet's duration is cut to the end-trimmed length.
import { MediaError } from '../../core/media-error';
import type { OpusPacket } from '../../core/packets';
import { OggPageReader, type OggPage } from './page-reader';
import { OGG_FLAG_BOS, OGG_FLAG_CONTINUED, OGG_FLAG_EOS } from './page-writer';
import { isOpusHead, isOpusTags, parseOpusHead, type OpusHead } from './opus-head';
import { opusPacketSamples, opusSamplesToUs } from './opus-toc';

/** Give up when this much input holds no Ogg page (it is not an Ogg stream). */
const MAX_BYTES_BEFORE_FIRST_PAGE = 65536;

/** Packets larger than this are treated as corrupt (Opus packets stay far below it). */
const MAX_PACKET_BYTES = 1 << 20;

export interface OggOpusDemuxerStats {
  pages: number;
  corruptPages: number;
  skippedBytes: number;
  packets: number;
  /** Packets dropped because their TOC was invalid or a page was lost mid-packet. */
  droppedPackets: number;
  /** Pages of other logical streams, ignored. */
  foreignPages: number;
}

type State = 'seek_head' | 'tags' | 'audio' | 'ended';

export class OggOpusDemuxer {
  private readonly reader = new OggPageReader();
  private state: State = 'seek_head';
  private serial = -1;
  /** Serials seen on BOS pages that are not Opus. */
  private readonly ignored = new Set<number>();
  private opusHead: OpusHead | undefined;
  /** Demuxed packets not yet read; read slots are cleared so the queue does not pin them. */
  private readonly out: (OpusPacket | undefined)[] = [];
  private outHead = 0;
  /** Partial packet carried across pages. */
  private partial: Uint8Array | undefined;
  private partialLen = 0;
  private lastSequence = -1;
  /** Granule at the end of the last emitted packet; -1 before the first audio page. */
  private granule = -1;
  private seq = 0;
  private readonly pagePackets: Uint8Array[] = [];
  private readonly pageSamples: number[] = [];
  private droppedPackets = 0;
  private foreignPages = 0;
  private readonly warn: ((msg: string) => void) | undefined;

  constructor(opts: { onWarning?: (msg: string) => void } = {}) {
    this.warn = opts.onWarning;
  }

  /** The stream's OpusHead once its first page was read. */
  get head(): OpusHead | undefined {
    return this.opusHead;
  }

  get stats(): OggOpusDemuxerStats {
    return {
      pages: this.reader.pages,
      corruptPages: this.reader.corruptPages,
      skippedBytes: this.reader.skippedBytes,
      packets: this.seq,
      droppedPackets: this.droppedPackets,
      foreignPages: this.foreignPages,
    };
  }

  /** Adds input bytes and parses every complete page. Throws when the input is not Ogg at all. */
  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
    let page: OggPage | undefined;
    while ((page = this.reader.next()) !== undefined) this.onPage(page);
    if (
      this.reader.pages === 0 &&
      this.reader.skippedBytes + this.reader.buffered > MAX_BYTES_BEFORE_FIRST_PAGE
    ) {
      throw new MediaError(
        `no Ogg page found in the first ${MAX_BYTES_BEFORE_FIRST_PAGE} bytes: the input is not Ogg`,
      );
    }
  }

  /** Call at end of input. Throws when no Opus stream was found. */
  end(): void {
    if (this.state === 'seek_head') {
      throw new MediaError(
        this.reader.pages === 0
          ? 'the input holds no Ogg page'
          : 'the Ogg input holds no Opus stream (no OpusHead)',
      );
    }
    if (this.partial && this.partialLen > 0) {
      this.droppedPackets++;
      this.warn?.('the last Opus packet is truncated (input ended mid-packet); dropped');
    }
    this.partialLen = 0;
  }

  /** The next demuxed packet, or undefined. */
  read(): OpusPacket | undefined {
    if (this.outHead >= this.out.length) {
      if (this.out.length > 0) {
        this.out.length = 0;
        this.outHead = 0;
      }
      return undefined;
    }
    const p = this.out[this.outHead];
    this.out[this.outHead++] = undefined;
    return p;
  }

  private onPage(page: OggPage): void {
    if (this.state === 'seek_head') {
      if (!(page.flags & OGG_FLAG_BOS) || this.ignored.has(page.serial)) {
        this.foreignPages++;
        return;
      }
      const first =
        page.lacing.length > 0 && page.lacing[0] < 255 ? page.body.subarray(0, page.lacing[0]) : undefined;
      if (!first || !isOpusHead(first)) {
        this.ignored.add(page.serial);
        this.foreignPages++;
        return;
      }
      this.opusHead = parseOpusHead(first);
      this.serial = page.serial;
      this.lastSequence = page.sequence;
      this.state = 'tags';
      return;
    }
    if (page.serial !== this.serial) {
      this.foreignPages++;
      return;
    }
    if (this.state === 'ended') return;
    const lost = page.sequence !== (this.lastSequence + 1) >>> 0;
    this.lastSequence = page.sequence;
    if (lost) {
      this.warn?.(`Ogg page sequence jumped to ${page.sequence}: pages were lost or corrupt`);
      this.partialLen = 0;
    }
    this.collectPackets(page, lost);
    if (this.state === 'tags' && this.pagePackets.length > 0) {
      const tags = this.pagePackets.shift() as Uint8Array;
      if (!isOpusTags(tags)) this.warn?.('the second packet of the Opus stream is not OpusTags');
      // StreamKit's muxer does this; the packets are kept.
      if (this.pagePackets.length > 0)
        this.warn?.('audio packets share the OpusTags page (RFC 7845 forbids it)');
      this.state = 'audio';
    }
    if (this.state === 'audio' && this.pagePackets.length > 0) this.emitPage(page);
    if (page.flags & OGG_FLAG_EOS) this.state = 'ended';
  }

  /** Splits a page's body into packets; completed ones land in `pagePackets`. */
  private collectPackets(page: OggPage, lost: boolean): void {
    this.pagePackets.length = 0;
    const { lacing, body } = page;
    let off = 0;
    let segStart = 0;
    const continued = (page.flags & OGG_FLAG_CONTINUED) !== 0;
    if (!continued && this.partialLen > 0) {
      // The previous page promised a continuation that never came.
      this.droppedPackets++;
      this.partialLen = 0;
    }
    let skipContinuation = continued && (lost || this.partialLen === 0);
    for (let i = 0; i < lacing.length; i++) {
      off += lacing[i];
      if (lacing[i] === 255 && i < lacing.length - 1) continue;
      const seg = body.subarray(segStart, off);
      const complete = lacing[i] < 255;
      segStart = off;
      if (skipContinuation) {
        // The start of this packet was on a lost page.
        if (complete) {
          skipContinuation = false;
          this.droppedPackets++;
        }
        continue;
      }
      if (!complete) {
        this.appendPartial(seg);
        continue;
      }
      if (this.partialLen > 0) {
        this.appendPartial(seg);
        this.pagePackets.push((this.partial as Uint8Array).slice(0, this.partialLen));
        this.partialLen = 0;
      } else {
        this.pagePackets.push(seg.slice());
      }
    }
  }

  private appendPartial(seg: Uint8Array): void {
    const need = this.partialLen + seg.length;
    if (need > MAX_PACKET_BYTES) {
      this.warn?.('an Ogg packet exceeds 1 MiB; dropped as corrupt');
      this.droppedPackets++;
      this.partialLen = 0;
      return;
    }
    if (!this.partial || this.partial.length < need) {
      const grown = new Uint8Array(Math.max(need, 4096, (this.partial?.length ?? 0) * 2));
      if (this.partial) grown.set(this.partial.subarray(0, this.partialLen));
      this.partial = grown;
    }
    this.partial.set(seg, this.partialLen);
    this.partialLen = need;
  }

  /** Times the packets completed on an audio page from its granule, then queues them. */
  private emitPage(page: OggPage): void {
    const packets = this.pagePackets;
    const samples = this.pageSamples;
    samples.length = 0;
    let sum = 0;
    for (const p of packets) {
      const n = opusPacketSamples(p);
      samples.push(n);
      sum += n;
    }
    const eos = (page.flags & OGG_FLAG_EOS) !== 0;
    let start: number;
    let endGranule = page.granule;
    if (endGranule < 0) {
      // Packets completed on a page without a granule: malformed; keep timing by sample count.
      endGranule = (this.granule < 0 ? 0 : this.granule) + sum;
    }
    if (this.granule < 0) {
      // First audio page: a positive difference is a start offset (RFC 7845 §4.5); a negative one is
      // legal only on an end-of-stream page, where it is an end trim.
      start = endGranule - sum;
      if (start < 0) {
        if (!eos)
          this.warn?.('the first audio page has a granule smaller than its samples; treating it as 0');
        start = 0;
      }
    } else {
      start = this.granule;
      if (endGranule > start + sum) {
        // A gap (lost pages or a discontinuous source): place this page's packets against its granule.
        start = endGranule - sum;
      }
    }
    // Samples cut from the end: granule below the sum of the packets' samples.
    let trim = start + sum - endGranule;
    if (trim > 0 && !eos)
      this.warn?.(`Ogg page ${page.sequence} trims ${trim} samples but is not end-of-stream`);
    if (trim < 0) trim = 0;
    const durations = samples;
    for (let i = durations.length - 1; i >= 0 && trim > 0; i--) {
      const cut = Math.min(trim, durations[i]);
      durations[i] -= cut;
      trim -= cut;
    }
    let t = start;
    for (let i = 0; i < packets.length; i++) {
      const data = packets[i];
      const full = opusPacketSamples(data);
      if (full === 0) {
        this.droppedPackets++;
        this.warn?.(`dropped an invalid Opus packet (${data.length} bytes) on page ${page.sequence}`);
        continue;
      }
      this.out.push({
        kind: 'opus',
        data,
        meta: {
          timestampUs: opusSamplesToUs(t),
          durationUs: opusSamplesToUs(durations[i]),
          sequence: this.seq++,
        },
      });
      t += full;
    }
    this.granule = Math.max(endGranule, this.granule);
  }
}
