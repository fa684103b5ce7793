// The hang media format the `@moq/publish` / `@moq/watch` packages use: a `catalog.json` track describing the
// renditions, and media tracks whose frames are a varint microsecond timestamp followed by the codec payload.
import type { RelayBroadcast, RelayTrack, TrackSink } from './relay/relay';
import { ByteReader, varintSize, writeVarint } from './protocol/varint';

export const CATALOG_TRACK = 'catalog.json';
export const DEFAULT_AUDIO_TRACK = 'audio/data';

export interface HangAudioRendition {
  codec: string;
  container: { kind: 'legacy' };
  sampleRate: number;
  numberOfChannels: number;
  bitrate?: number;
}

export interface HangCatalog {
  audio?: { renditions: Record<string, HangAudioRendition> };
  video?: unknown;
  [section: string]: unknown;
}

/** Catalog of one Opus rendition, as `@moq/hang` 0.3 validates it. */
export function opusCatalog(options: {
  track?: string;
  channels: number;
  bitrate: number;
  sampleRate?: number;
}): HangCatalog {
  return {
    audio: {
      renditions: {
        [options.track ?? DEFAULT_AUDIO_TRACK]: {
          codec: 'opus',
          container: { kind: 'legacy' },
          sampleRate: options.sampleRate ?? 48000,
          numberOfChannels: options.channels,
          bitrate: options.bitrate,
        },
      },
    },
  };
}

/** Parses a catalog frame; accepts hang's older `{track, config}` audio form too. */
export function parseCatalog(frame: Uint8Array): HangCatalog {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(frame));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('catalog.json is not a JSON object');
  const json = parsed as Record<string, unknown>;
  const audio = json.audio as Record<string, unknown> | undefined;
  if (typeof audio === 'object' && audio !== null && !audio.renditions && audio.track && audio.config) {
    const name = (audio.track as { name: string }).name;
    json.audio = { renditions: { [name]: audio.config } };
  }
  return json as HangCatalog;
}

/** The first audio rendition with the given codec, if the catalog has one. */
export function findAudioRendition(
  catalog: HangCatalog,
  codec = 'opus',
): { track: string; rendition: HangAudioRendition } | undefined {
  // The catalog is the publisher's JSON: check shapes rather than trust them.
  const renditions: unknown = (catalog.audio as { renditions?: unknown } | undefined)?.renditions;
  if (typeof renditions !== 'object' || renditions === null) return undefined;
  for (const [track, rendition] of Object.entries(renditions as Record<string, unknown>)) {
    const c = (rendition as { codec?: unknown } | null)?.codec;
    if (typeof c === 'string' && (c === codec || c.startsWith(`${codec}.`)))
      return { track, rendition: rendition as HangAudioRendition };
  }
  return undefined;
}

/** Legacy container frame: varint(timestamp µs) + payload. */
export function encodeLegacyFrame(timestampUs: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(varintSize(timestampUs) + payload.length);
  out.set(payload, writeVarint(out, 0, timestampUs));
  return out;
}

const legacyReader = new ByteReader();

/** Splits a legacy container frame; the payload is a view into `frame`. */
export function decodeLegacyFrame(frame: Uint8Array): { timestampUs: number; payload: Uint8Array } {
  const r = legacyReader.reset(frame);
  const timestampUs = r.varint();
  return { timestampUs, payload: frame.subarray(r.pos) };
}

export interface HangAudioPublisherOptions {
  channels: number;
  bitrate: number;
  /** A new group (keyframe) starts when the media clock crosses a multiple of this (default 40 ms). */
  groupDurationMs?: number;
  /** Media clock start (default 0 ms). */
  initialDelayMs?: number;
  track?: string;
}

/**
 * Publishes Opus packets into a relay broadcast in the hang format, without a socket: the catalog once
 * (kept as the latest group so every joiner reads it), then one frame per packet.
 */
export class HangAudioPublisher {
  private readonly audio: RelayTrack;
  private readonly groupUs: number;
  private clockUs: number;
  private group = -1;
  private nextBoundaryUs = 0;

  constructor(
    readonly broadcast: RelayBroadcast,
    options: HangAudioPublisherOptions,
  ) {
    const track = options.track ?? DEFAULT_AUDIO_TRACK;
    const catalog = broadcast.track(CATALOG_TRACK);
    catalog.beginGroup(0);
    catalog.writeFrame(
      0,
      new TextEncoder().encode(
        JSON.stringify(opusCatalog({ track, channels: options.channels, bitrate: options.bitrate })),
      ),
    );
    catalog.endGroup(0);
    this.audio = broadcast.track(track);
    this.groupUs = Math.max(1, options.groupDurationMs ?? 40) * 1000;
    this.clockUs = (options.initialDelayMs ?? 0) * 1000;
  }

  /** Writes one Opus packet; `durationUs` advances the media clock (20 ms when unknown). */
  writePacket(payload: Uint8Array, durationUs = 20_000): void {
    if (this.broadcast.closed) return;
    if (this.group < 0 || this.clockUs >= this.nextBoundaryUs) {
      if (this.group >= 0) this.audio.endGroup(this.group);
      this.group++;
      this.audio.beginGroup(this.group);
      this.nextBoundaryUs = (Math.floor(this.clockUs / this.groupUs) + 1) * this.groupUs;
    }
    this.audio.writeFrame(this.group, encodeLegacyFrame(this.clockUs, payload));
    this.clockUs += durationUs;
  }

  close(): void {
    if (this.group >= 0) this.audio.endGroup(this.group);
    this.broadcast.close('publisher closed');
  }
}

export interface ReceivedFrame {
  group: number;
  payload: Uint8Array;
}

export interface TrackReaderOptions {
  /** Most frames queued for a slow reader before the oldest are dropped. */
  maxQueued?: number;
  /**
   * Deliver every group's frames in group order, even when the publisher's group streams interleave (a
   * browser often starts group N+1 before group N's last frame is written). Without it a frame of a group
   * older than the newest is dropped (latest-only, right for catalogs).
   */
  ordered?: boolean;
  /**
   * Ordered mode: newer groups held back behind an unfinished one before that one is given up. Browsers send
   * the newest group first when they fall behind, so a stalled tab reorders by several groups; the default
   * (12) waits up to 240 ms for a 20 ms-per-group audio track.
   */
  maxGroupsAhead?: number;
}

interface HeldGroup {
  frames: Uint8Array[];
  ended: boolean;
}

/**
 * Pull-style consumer of one relay track (in-process): a queue of frames, latest-group-only or (ordered) in
 * group order. `maxQueued` bounds memory: the oldest frames are dropped and counted.
 */
export class TrackReader implements TrackSink {
  private readonly queue: ReceivedFrame[] = [];
  private head = 0;
  private waiter: ((v: ReceivedFrame | undefined) => void) | undefined;
  private ended = false;
  private newest = -1;
  private readonly maxQueued: number;
  private readonly ordered: boolean;
  private readonly maxGroupsAhead: number;
  // Ordered mode: the group being delivered (-1: the next to arrive), the groups held behind it, and the
  // lowest group still accepted (older ones were delivered or given up).
  private current = -1;
  private floor = 0;
  private readonly held = new Map<number, HeldGroup>();
  private readonly unsubscribe: () => void;
  /** Frames lost: the queue overflowed, or (ordered) their group had been given up or passed. */
  dropped = 0;
  endReason: string | undefined;

  constructor(broadcast: RelayBroadcast, track: string, options: TrackReaderOptions | number = {}) {
    const o = typeof options === 'number' ? { maxQueued: options } : options;
    this.maxQueued = o.maxQueued ?? 256;
    this.ordered = o.ordered ?? false;
    this.maxGroupsAhead = o.maxGroupsAhead ?? 12;
    this.unsubscribe = broadcast.subscribe(track, this);
  }

  onGroup(sequence: number): void {
    if (!this.ordered) {
      if (sequence > this.newest) this.newest = sequence;
      return;
    }
    if (sequence < this.floor || sequence === this.current) return;
    if (this.current < 0) {
      this.current = sequence;
      return;
    }
    if (!this.held.has(sequence)) this.held.set(sequence, { frames: [], ended: false });
    // The current group is stuck (its end never came): give it up for the newer ones.
    if (this.held.size > this.maxGroupsAhead) this.advance();
  }

  onFrame(sequence: number, payload: Uint8Array): void {
    if (this.ended) return;
    if (!this.ordered) {
      if (sequence >= this.newest) this.push(sequence, payload);
      return;
    }
    if (sequence === this.current) this.push(sequence, payload);
    else if (sequence > this.current && sequence >= this.floor) {
      let g = this.held.get(sequence);
      if (!g) this.held.set(sequence, (g = { frames: [], ended: false }));
      g.frames.push(payload);
    } else this.dropped++;
  }

  onGroupEnd(sequence: number): void {
    if (!this.ordered || this.ended) return;
    if (sequence === this.current) this.advance();
    else {
      const g = this.held.get(sequence);
      if (g) g.ended = true;
    }
  }

  /** Ordered mode: moves past the current group to the oldest held one, delivering what it holds. */
  private advance(): void {
    for (;;) {
      this.floor = this.current + 1;
      if (this.held.size === 0) {
        this.current = -1;
        return;
      }
      let next = Infinity;
      for (const k of this.held.keys()) if (k < next) next = k;
      const g = this.held.get(next) as HeldGroup;
      this.held.delete(next);
      this.current = next;
      for (const f of g.frames) this.push(next, f);
      if (!g.ended) return;
    }
  }

  private push(group: number, payload: Uint8Array): void {
    const frame = { group, payload };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(frame);
      return;
    }
    if (this.queue.length - this.head >= this.maxQueued) {
      this.head++;
      this.dropped++;
    }
    this.queue.push(frame);
  }

  onEnd(reason: string | undefined): void {
    this.ended = true;
    this.endReason = reason;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
  }

  /** A queued frame or undefined, without waiting. */
  tryNext(): ReceivedFrame | undefined {
    if (this.head >= this.queue.length) return undefined;
    const f = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return f;
  }

  /** The next frame, or undefined once the track ended. */
  next(): Promise<ReceivedFrame | undefined> {
    const f = this.tryNext();
    if (f) return Promise.resolve(f);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  get closed(): boolean {
    return this.ended;
  }

  close(): void {
    if (this.ended) return;
    this.unsubscribe();
    this.onEnd('closed by reader');
  }
}

/**
 * Follows a broadcast's `catalog.json` track. A hang catalog is live, not a one-off: a publisher sends a new
 * catalog group whenever its renditions change, and a browser's first catalog usually lists no audio yet (the
 * microphone opens later). Readers must keep watching rather than judge the publisher by its first catalog.
 */
export class CatalogWatch {
  private readonly reader: TrackReader;
  /** Catalog frames that were not valid JSON (skipped). */
  invalid = 0;
  lastError: string | undefined;

  constructor(readonly broadcast: RelayBroadcast) {
    this.reader = new TrackReader(broadcast, CATALOG_TRACK, 4);
  }

  /** The newest catalog not seen yet; undefined once the broadcast ended or the watch was closed. */
  async next(): Promise<HangCatalog | undefined> {
    for (;;) {
      let frame = await this.reader.next();
      if (!frame) return undefined;
      // Only the newest matters when several queued up.
      for (let newer = this.reader.tryNext(); newer; newer = this.reader.tryNext()) frame = newer;
      try {
        return parseCatalog(frame.payload);
      } catch (err) {
        this.invalid++;
        this.lastError = (err as Error).message;
      }
    }
  }

  /** The first catalog (from now on) with an audio rendition of `codec`, or undefined once the broadcast ended. */
  async audioRendition(
    codec = 'opus',
  ): Promise<{ track: string; rendition: HangAudioRendition } | undefined> {
    for (;;) {
      const catalog = await this.next();
      if (!catalog) return undefined;
      const found = findAudioRendition(catalog, codec);
      if (found) return found;
    }
  }

  close(): void {
    this.reader.close();
  }
}

/** Waits for the broadcast's first catalog and returns it (rejects after `timeoutMs`). */
export async function readCatalog(broadcast: RelayBroadcast, timeoutMs = 10_000): Promise<HangCatalog> {
  const watch = new CatalogWatch(broadcast);
  let timer: NodeJS.Timeout | undefined;
  try {
    const catalog = await Promise.race([
      watch.next(),
      new Promise<undefined>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no catalog.json on '${broadcast.path}' within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    if (!catalog) throw new Error(`broadcast '${broadcast.path}' ended before its catalog arrived`);
    return catalog;
  } finally {
    clearTimeout(timer);
    watch.close();
  }
}
