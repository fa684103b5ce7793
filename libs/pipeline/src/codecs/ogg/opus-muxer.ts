// Ogg Opus muxer (RFC 7845): OpusHead and OpusTags each on their own page, audio packets grouped into
// pages by a flush policy, granules from real sample counts, and an exact end trim on the final page.
import { buildOpusHead, buildOpusTags } from './opus-head';
import { oggSegmentCount, OggPageWriter } from './page-writer';
import { opusPacketIsStereo, opusPacketSamples, opusUsToSamples } from './opus-toc';

export interface OggOpusMuxerOptions {
  /** Logical stream serial number. */
  serial: number;
  /** OpusHead channel count; undefined = from the first packet's TOC stereo bit. */
  channels?: number;
  /** Samples at 48 kHz a decoder drops at the start (encoder lookahead). */
  preSkip: number;
  inputSampleRate?: number;
  /** A page is closed once it holds at least this much audio (0 = one packet per page). */
  maxPageDurationMs: number;
  /** A page is closed once it holds this many packets (1..255). */
  maxPacketsPerPage: number;
  vendor?: string;
  comments?: readonly string[];
  onWarning?: (msg: string) => void;
}

const MAX_SEGMENTS = 255;

/**
 * Feed packets with `write`, then call `end`. Both return bytes to emit (possibly empty). The latest packet
 * is always held until the next one arrives or `end`, so the final page can carry end-of-stream and the
 * trimmed granule: the muxer's latency is the page duration plus one packet.
 */
export class OggOpusMuxer {
  private readonly writer: OggPageWriter;
  private headersWritten = false;
  private ended = false;
  private readonly pending: Uint8Array[] = [];
  private readonly granules: number[] = [];
  private pendingSamples = 0;
  private pendingSegments = 0;
  /** Granule after the last pending packet (total decoded samples, pre-skip included). */
  private granule = 0;
  /** Duration the held (latest) packet declared, in 48 kHz samples; -1 when none. */
  private lastDeclared = -1;
  private channels: number | undefined;
  private readonly maxPageSamples: number;
  /** Packets written (audio only). */
  packets = 0;
  /** Packets refused because their TOC was invalid. */
  invalidPackets = 0;

  constructor(private readonly opts: OggOpusMuxerOptions) {
    this.writer = new OggPageWriter(opts.serial >>> 0);
    this.channels = opts.channels;
    this.maxPageSamples = Math.round(opts.maxPageDurationMs * 48);
  }

  /** Total samples (48 kHz, pre-skip included) written so far, as the final granule will count them. */
  get granulePosition(): number {
    return this.granule;
  }

  get pageCount(): number {
    return this.writer.pageCount;
  }

  /**
   * Adds one Opus packet. `durationUs`, when given and shorter than the packet's TOC duration, marks the
   * samples to keep from it; it takes effect only if this turns out to be the last packet.
   */
  write(data: Uint8Array, durationUs?: number): Uint8Array | undefined {
    if (this.ended) throw new Error('OggOpusMuxer: write after end');
    const samples = opusPacketSamples(data);
    if (samples === 0) {
      this.invalidPackets++;
      return undefined;
    }
    let head: Uint8Array | undefined;
    if (!this.headersWritten) head = this.writeHeaders(data, false);
    const segs = oggSegmentCount(data.length);
    let flushed: Uint8Array | undefined;
    if (
      this.pending.length > 0 &&
      (this.pendingSamples >= this.maxPageSamples ||
        this.pending.length >= this.opts.maxPacketsPerPage ||
        this.pendingSegments + segs > MAX_SEGMENTS)
    ) {
      flushed = this.flush(false);
    }
    this.pending.push(data);
    this.granule += samples;
    this.granules.push(this.granule);
    this.pendingSamples += samples;
    this.pendingSegments += segs;
    this.lastDeclared = durationUs === undefined ? -1 : opusUsToSamples(durationUs);
    this.packets++;
    if (head && flushed) return concat(head, flushed);
    return head ?? flushed;
  }

  /** Flushes the final page with end-of-stream (and the end trim). Idempotent. */
  end(): Uint8Array {
    if (this.ended) return new Uint8Array(0);
    if (!this.headersWritten) {
      this.ended = true;
      return this.writeHeaders(undefined, true);
    }
    const n = this.pending.length;
    if (n > 0 && this.lastDeclared >= 0) {
      const full = this.granules[n - 1] - (n > 1 ? this.granules[n - 2] : this.granule - this.pendingSamples);
      if (this.lastDeclared < full) {
        this.granule -= full - this.lastDeclared;
        this.granules[n - 1] = this.granule;
      }
    }
    this.ended = true;
    return this.flush(true);
  }

  private flush(eos: boolean): Uint8Array {
    const bytes = this.writer.writePages(this.pending, this.granules, this.pending.length, eos);
    this.pending.length = 0;
    this.granules.length = 0;
    this.pendingSamples = 0;
    this.pendingSegments = 0;
    return bytes;
  }

  private writeHeaders(first: Uint8Array | undefined, eos: boolean): Uint8Array {
    this.headersWritten = true;
    const coded = first ? opusPacketIsStereo(first) : undefined;
    const codedChannels = coded === undefined ? undefined : coded ? 2 : 1;
    if (this.channels === undefined) this.channels = codedChannels ?? 2;
    else if (codedChannels !== undefined && codedChannels !== this.channels) {
      this.opts.onWarning?.(
        `channels is ${this.channels} but the first Opus packet is coded ${coded ? 'stereo' : 'mono'}; ` +
          `decoders will ${this.channels === 2 ? 'upmix' : 'downmix'} (omit channels to follow the stream)`,
      );
    }
    const head = buildOpusHead({
      channels: this.channels,
      preSkip: this.opts.preSkip,
      inputSampleRate: this.opts.inputSampleRate,
    });
    const tags = buildOpusTags(this.opts.vendor ?? 'streamkit-ts', this.opts.comments ?? []);
    const headPage = this.writer.writePages([head], [0], 1, false);
    const tagsPage = this.writer.writePages([tags], [0], 1, eos);
    return concat(headPage, tagsPage);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
