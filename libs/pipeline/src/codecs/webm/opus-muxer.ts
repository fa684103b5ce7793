// WebM muxer for one Opus track. Live mode writes an init segment (EBML header, Segment and Cluster of
// unknown size, Info, Tracks) and then one chunk per packet, which Media Source plays as it arrives; a
// late joiner needs the init segment and then the chunks from a Cluster start (`isWebmClusterStart`).
// File mode buffers and writes known sizes, SeekHead, Duration, Cues and an exact end trim (DiscardPadding).
import { buildOpusHead } from '../ogg/opus-head';
import { opusPacketIsStereo, opusPacketSamples, opusSamplesToUs, opusUsToSamples } from '../ogg/opus-toc';
import { EBML_UNKNOWN_SIZE, EbmlWriter } from './ebml';

export type WebmMode = 'live' | 'file';

export interface WebmOpusMuxerOptions {
  mode: WebmMode;
  /** Track channel count (1 or 2); undefined = from the first packet's TOC stereo bit. */
  channels?: number;
  /** Audio SamplingFrequency (Opus always decodes at 48000). */
  sampleRate: number;
  /** Decoder delay in 48 kHz samples, written as CodecDelay and as the OpusHead pre-skip. */
  preSkip: number;
  /** A new Cluster starts once the current one spans this long (at most 32767 ms). */
  clusterDurationMs: number;
  muxingApp?: string;
  onWarning?: (msg: string) => void;
}

const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Seek: 0x4dbb,
  SeekID: 0x53ab,
  SeekPosition: 0x53ac,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  SeekPreRoll: 0x56bb,
  Audio: 0xe1,
  SamplingFrequency: 0xb5,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  DiscardPadding: 0x75a2,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
} as const;

const CLUSTER_ID_BYTES = [0x1f, 0x43, 0xb6, 0x75];
/** Opus needs 80 ms of decoding before a seek target to converge (RFC 7845 §4.6). */
const SEEK_PRE_ROLL_NS = 80_000_000;
const MAX_RELATIVE_MS = 32767;

/** True when a live chunk begins a Cluster: a late joiner can start here after the init segment. */
export function isWebmClusterStart(chunk: Uint8Array): boolean {
  return (
    chunk.length >= 4 &&
    chunk[0] === CLUSTER_ID_BYTES[0] &&
    chunk[1] === CLUSTER_ID_BYTES[1] &&
    chunk[2] === CLUSTER_ID_BYTES[2] &&
    chunk[3] === CLUSTER_ID_BYTES[3]
  );
}

interface BufferedBlock {
  data: Uint8Array;
  timeMs: number;
}

export class WebmOpusMuxer {
  private readonly w = new EbmlWriter(4096);
  private init: Uint8Array | undefined;
  private channels: number | undefined;
  /** Sample clock (48 kHz) at the start of the next packet. */
  private clock = 0;
  private firstTimestampUs: number | undefined;
  private lastStart = 0;
  private clusterMs = -1;
  private readonly blocks: BufferedBlock[] = [];
  /** Samples the final packet declared when shorter than its TOC (file mode end trim); -1 = none. */
  private lastDeclared = -1;
  private lastSamples = 0;
  private ended = false;
  packets = 0;
  invalidPackets = 0;

  constructor(private readonly opts: WebmOpusMuxerOptions) {
    if (opts.clusterDurationMs < 1 || opts.clusterDurationMs > MAX_RELATIVE_MS) {
      throw new RangeError(`clusterDurationMs must be 1..${MAX_RELATIVE_MS}, got ${opts.clusterDurationMs}`);
    }
    this.channels = opts.channels;
  }

  /** The live init segment (EBML header, Segment start, Info, Tracks), once the first packet arrived. */
  get initSegment(): Uint8Array | undefined {
    return this.init;
  }

  /** Timeline position (µs, from the sample clock) of the latest packet written. */
  get lastPacketStartUs(): number {
    return opusSamplesToUs(this.lastStart);
  }

  /**
   * Adds a packet. Live mode returns its chunk (starting with a Cluster header when a new cluster begins);
   * file mode returns undefined and writes everything at `end`. `timestampUs` is honoured only to skip
   * forward over gaps; the timeline otherwise counts real samples from the TOC.
   */
  write(data: Uint8Array, timestampUs?: number, durationUs?: number): Uint8Array | undefined {
    if (this.ended) throw new Error('WebmOpusMuxer: write after end');
    const samples = opusPacketSamples(data);
    if (samples === 0) {
      this.invalidPackets++;
      return undefined;
    }
    if (this.channels === undefined) this.channels = opusPacketIsStereo(data) ? 2 : 1;
    else if (this.packets === 0 && (opusPacketIsStereo(data) ? 2 : 1) !== this.channels) {
      this.opts.onWarning?.(
        `channels is ${this.channels} but the first Opus packet is coded ${opusPacketIsStereo(data) ? 'stereo' : 'mono'}`,
      );
    }
    if (timestampUs !== undefined) {
      if (this.firstTimestampUs === undefined) this.firstTimestampUs = timestampUs;
      const at = opusUsToSamples(timestampUs - this.firstTimestampUs);
      if (at > this.clock + samples) this.clock = at;
    }
    const timeMs = Math.round(this.clock / 48);
    this.lastStart = this.clock;
    this.clock += samples;
    this.packets++;
    this.lastSamples = samples;
    this.lastDeclared = durationUs === undefined ? -1 : opusUsToSamples(durationUs);

    if (this.opts.mode === 'file') {
      this.blocks.push({ data, timeMs });
      return undefined;
    }
    const w = this.w;
    w.reset();
    if (!this.init) {
      this.init = this.header(EBML_UNKNOWN_SIZE, undefined);
    }
    if (this.clusterMs < 0 || timeMs - this.clusterMs >= this.opts.clusterDurationMs) {
      this.clusterMs = timeMs;
      w.id(ID.Cluster).size(EBML_UNKNOWN_SIZE).uint(ID.Timecode, timeMs);
    }
    this.simpleBlock(w, data, timeMs - this.clusterMs);
    return w.bytes();
  }

  /** Live mode: nothing left to write (sizes stay unknown). File mode: the complete file. */
  end(): Uint8Array {
    if (this.ended) return new Uint8Array(0);
    this.ended = true;
    if (this.opts.mode === 'live') {
      if (this.init) return new Uint8Array(0);
      // No packet ever arrived: still hand out a valid (empty) stream.
      this.init = this.header(EBML_UNKNOWN_SIZE, undefined);
      return this.init;
    }
    return this.writeFile();
  }

  private simpleBlock(w: EbmlWriter, data: Uint8Array, relMs: number): void {
    w.id(ID.SimpleBlock)
      .size(4 + data.length)
      .u8(0x81)
      .i16(relMs)
      .u8(0x80)
      .raw(data);
  }

  /** EBML header + Segment start + Info + Tracks (and SeekHead when `seekHead` is given). */
  private header(segmentSize: number, durationMs: number | undefined, seekHead?: Uint8Array): Uint8Array {
    const w = new EbmlWriter(512);
    const ebml = w.beginMaster(ID.EBML);
    w.uint(ID.EBMLVersion, 1)
      .uint(ID.EBMLReadVersion, 1)
      .uint(ID.EBMLMaxIDLength, 4)
      .uint(ID.EBMLMaxSizeLength, 8)
      .string(ID.DocType, 'webm')
      .uint(ID.DocTypeVersion, 4)
      .uint(ID.DocTypeReadVersion, 2)
      .endMaster(ebml);
    w.id(ID.Segment).size(segmentSize, 8);
    if (seekHead) w.raw(seekHead);
    w.raw(this.info(durationMs)).raw(this.tracks());
    return w.bytes();
  }

  private info(durationMs: number | undefined): Uint8Array {
    const w = new EbmlWriter(128);
    const m = w.beginMaster(ID.Info);
    w.uint(ID.TimecodeScale, 1_000_000);
    if (durationMs !== undefined) w.float(ID.Duration, durationMs);
    const app = this.opts.muxingApp ?? 'streamkit-ts';
    w.string(ID.MuxingApp, app).string(ID.WritingApp, app).endMaster(m);
    return w.bytes();
  }

  private tracks(): Uint8Array {
    const channels = this.channels ?? 2;
    const w = new EbmlWriter(256);
    const tracks = w.beginMaster(ID.Tracks);
    const entry = w.beginMaster(ID.TrackEntry);
    w.uint(ID.TrackNumber, 1)
      .uint(ID.TrackUID, 1)
      .uint(ID.TrackType, 2)
      .uint(ID.FlagLacing, 0)
      .string(ID.CodecID, 'A_OPUS')
      .binary(ID.CodecPrivate, buildOpusHead({ channels, preSkip: this.opts.preSkip }))
      .uint(ID.CodecDelay, Math.round((this.opts.preSkip * 1e9) / 48000))
      .uint(ID.SeekPreRoll, SEEK_PRE_ROLL_NS);
    const audio = w.beginMaster(ID.Audio);
    w.float(ID.SamplingFrequency, this.opts.sampleRate).uint(ID.Channels, channels).endMaster(audio);
    w.endMaster(entry).endMaster(tracks);
    return w.bytes();
  }

  private writeFile(): Uint8Array {
    const blocks = this.blocks;
    // Final packet shorter than its TOC: keep it exact with DiscardPadding.
    let discardNs = 0;
    if (blocks.length > 0 && this.lastDeclared >= 0 && this.lastDeclared < this.lastSamples) {
      discardNs = Math.round(((this.lastSamples - this.lastDeclared) * 1e9) / 48000);
    }
    const endSamples = this.clock - (discardNs > 0 ? this.lastSamples - this.lastDeclared : 0);
    const durationMs = endSamples / 48;

    const clusters = new EbmlWriter(
      Math.max(
        4096,
        blocks.reduce((n, b) => n + b.data.length + 8, 64),
      ),
    );
    const cuePoints: { timeMs: number; offset: number }[] = [];
    let cluster = -1;
    let clusterMs = 0;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (cluster < 0 || b.timeMs - clusterMs >= this.opts.clusterDurationMs) {
        if (cluster >= 0) clusters.endMaster(cluster);
        cuePoints.push({ timeMs: b.timeMs, offset: clusters.length });
        cluster = clusters.beginMaster(ID.Cluster);
        clusterMs = b.timeMs;
        clusters.uint(ID.Timecode, clusterMs);
      }
      if (i === blocks.length - 1 && discardNs > 0) {
        const g = clusters.beginMaster(ID.BlockGroup);
        clusters
          .id(ID.Block)
          .size(4 + b.data.length)
          .u8(0x81)
          .i16(b.timeMs - clusterMs)
          .u8(0)
          .raw(b.data);
        clusters.int(ID.DiscardPadding, discardNs).endMaster(g);
      } else {
        this.simpleBlock(clusters, b.data, b.timeMs - clusterMs);
      }
    }
    if (cluster >= 0) clusters.endMaster(cluster);

    const info = this.info(durationMs);
    const tracks = this.tracks();
    // Positions are relative to the Segment's data; the SeekHead's own length feeds back into them.
    let seekLen = 0;
    let seek: Uint8Array = new Uint8Array(0);
    let cues: Uint8Array = new Uint8Array(0);
    for (let pass = 0; pass < 4; pass++) {
      const clustersAt = seekLen + info.length + tracks.length;
      const cw = new EbmlWriter(256);
      const cm = cw.beginMaster(ID.Cues);
      for (const c of cuePoints) {
        const p = cw.beginMaster(ID.CuePoint);
        cw.uint(ID.CueTime, c.timeMs);
        const t = cw.beginMaster(ID.CueTrackPositions);
        cw.uint(ID.CueTrack, 1)
          .uint(ID.CueClusterPosition, clustersAt + c.offset)
          .endMaster(t);
        cw.endMaster(p);
      }
      cw.endMaster(cm);
      cues = cw.bytes();
      const sw = new EbmlWriter(128);
      const sm = sw.beginMaster(ID.SeekHead);
      const entries: [number, number][] = [
        [ID.Info, seekLen],
        [ID.Tracks, seekLen + info.length],
        [ID.Cues, clustersAt + clusters.length],
      ];
      for (const [id, pos] of entries) {
        const e = sw.beginMaster(ID.Seek);
        const idBytes = new EbmlWriter(4).id(id).bytes();
        sw.binary(ID.SeekID, idBytes).uint(ID.SeekPosition, pos).endMaster(e);
      }
      sw.endMaster(sm);
      seek = sw.bytes();
      if (seek.length === seekLen) break;
      seekLen = seek.length;
    }
    const segmentSize = seek.length + info.length + tracks.length + clusters.length + cues.length;
    const head = this.header(segmentSize, durationMs, seek);
    const out = new Uint8Array(head.length + clusters.length + cues.length);
    out.set(head, 0);
    out.set(clusters.bytes(), head.length);
    out.set(cues, head.length + clusters.length);
    return out;
  }
}
