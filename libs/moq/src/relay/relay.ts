// The in-memory relay: broadcasts announced under paths, their tracks fanned out group by group, frame by
// frame to every subscriber, with the latest group of each track kept so late joiners start at once.
import { stripPathPrefix } from '../protocol/messages';

export interface RelayLimits {
  /** Broadcasts active at once across the relay. */
  maxBroadcasts: number;
  /** Subscribers of one track. */
  maxSubscribersPerTrack: number;
  /** Largest frame accepted from a publisher; larger frames abort their group. */
  maxFrameBytes: number;
  /** Bytes of the latest group kept for fast joins; beyond that the cache stops and joiners wait for the next group. */
  maxCachedGroupBytes: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxBroadcasts: 1024,
  maxSubscribersPerTrack: 1024,
  maxFrameBytes: 4 << 20,
  maxCachedGroupBytes: 8 << 20,
};

/** Raised when a limit refuses an operation; `limit` names the key of RelayLimits that applied. */
export class RelayLimitError extends Error {
  constructor(
    readonly limit: keyof RelayLimits | 'duplicate_broadcast',
    message: string,
  ) {
    super(message);
  }
}

/** Receives a track's groups and frames. Calls arrive in publication order. */
export interface TrackSink {
  onGroup(sequence: number): void;
  onFrame(sequence: number, payload: Uint8Array): void;
  /** The group ended; `aborted` when it was cut short (publisher reset, oversize frame). */
  onGroupEnd(sequence: number, aborted: boolean): void;
  /** The track ended (broadcast gone or publisher closed it). No call follows. */
  onEnd(reason: string | undefined): void;
}

/** Supplies a broadcast's tracks on demand (a remote publisher); in-process publishers need none. */
export interface BroadcastSource {
  request(track: RelayTrack): void;
  release(track: RelayTrack): void;
}

interface CachedGroup {
  sequence: number;
  frames: Uint8Array[];
  bytes: number;
  ended: boolean;
  /** The cache overflowed: the group cannot be replayed from its start. */
  truncated: boolean;
}

export class RelayTrack {
  private sinks: TrackSink[] = [];
  private latest: CachedGroup | undefined;
  private ended = false;
  /** Frames refused for exceeding maxFrameBytes (observability). */
  oversizeFrames = 0;

  constructor(
    readonly broadcast: RelayBroadcast,
    readonly name: string,
    private readonly limits: RelayLimits,
  ) {}

  get subscriberCount(): number {
    return this.sinks.length;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Sequence of the newest group seen, if any. */
  get latestSequence(): number | undefined {
    return this.latest?.sequence;
  }

  /** Adds a subscriber; it first receives the cached latest group, then live data. Returns the unsubscribe function. */
  subscribe(sink: TrackSink): () => void {
    if (this.ended) throw new Error(`track '${this.name}' of '${this.broadcast.path}' has ended`);
    if (this.sinks.length >= this.limits.maxSubscribersPerTrack) {
      throw new RelayLimitError(
        'maxSubscribersPerTrack',
        `track '${this.name}' of '${this.broadcast.path}' already has ${this.sinks.length} subscribers (limit maxSubscribersPerTrack)`,
      );
    }
    const cached = this.latest;
    if (cached && !cached.truncated) {
      sink.onGroup(cached.sequence);
      for (const f of cached.frames) sink.onFrame(cached.sequence, f);
      if (cached.ended) sink.onGroupEnd(cached.sequence, false);
    }
    this.sinks = [...this.sinks, sink];
    if (this.sinks.length === 1) this.broadcast.trackWanted(this);
    return () => this.unsubscribe(sink);
  }

  private unsubscribe(sink: TrackSink): void {
    const i = this.sinks.indexOf(sink);
    if (i < 0) return;
    this.sinks = this.sinks.filter((s) => s !== sink);
    if (this.sinks.length === 0) this.broadcast.trackUnwanted(this);
  }

  /** Producer side: a group starts. */
  beginGroup(sequence: number): void {
    if (this.ended) return;
    if (!this.latest || sequence > this.latest.sequence) {
      this.latest = { sequence, frames: [], bytes: 0, ended: false, truncated: false };
    }
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].onGroup(sequence);
  }

  /** Producer side: a frame of an open group. Returns false (and aborts the group) when it is too large. */
  writeFrame(sequence: number, payload: Uint8Array): boolean {
    if (this.ended) return false;
    if (payload.length > this.limits.maxFrameBytes) {
      this.oversizeFrames++;
      this.endGroup(sequence, true);
      return false;
    }
    const cached = this.latest;
    if (cached && cached.sequence === sequence && !cached.truncated) {
      if (cached.bytes + payload.length > this.limits.maxCachedGroupBytes) {
        cached.truncated = true;
        cached.frames = [];
      } else {
        cached.frames.push(payload);
        cached.bytes += payload.length;
      }
    }
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].onFrame(sequence, payload);
    return true;
  }

  /** Producer side: a group ends (`aborted` when cut short). */
  endGroup(sequence: number, aborted = false): void {
    if (this.ended) return;
    const cached = this.latest;
    if (cached && cached.sequence === sequence) {
      cached.ended = true;
      // A cut-short group cannot serve joiners.
      if (aborted) cached.truncated = true;
    }
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].onGroupEnd(sequence, aborted);
  }

  /** Ends the track for every subscriber. */
  close(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    const sinks = this.sinks;
    this.sinks = [];
    this.latest = undefined;
    for (const s of sinks) s.onEnd(reason);
    this.broadcast.trackClosed(this);
  }
}

/** The reason a remote publisher's broadcast ends when it unannounces it but stays connected. */
export const UNANNOUNCED = 'unannounced';

/**
 * The reason a client's broadcast ends when another connection of a caller allowed on the path publishes the
 * same path: a reloaded page, or a browser whose old connection has not timed out yet, takes over at once.
 */
export const REPLACED = 'replaced by a newer publisher';

export class RelayBroadcast {
  private readonly tracks = new Map<string, RelayTrack>();
  private ended = false;
  /** Why the broadcast ended (`UNANNOUNCED`, 'publisher disconnected', ...), once it has. */
  closeReason: string | undefined;
  private readonly closeListeners: ((reason: string | undefined) => void)[] = [];

  constructor(
    readonly relay: Relay,
    readonly path: string,
    private readonly source: BroadcastSource | undefined,
    private readonly limits: RelayLimits,
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  /** Where its tracks come from (undefined for a broadcast written locally). */
  get origin(): BroadcastSource | undefined {
    return this.source;
  }

  /** The track, created on first use (a remote source is asked for it when its first subscriber arrives). */
  track(name: string): RelayTrack {
    if (this.ended) throw new Error(`broadcast '${this.path}' has ended`);
    let t = this.tracks.get(name);
    if (!t) {
      t = new RelayTrack(this, name, this.limits);
      this.tracks.set(name, t);
    }
    return t;
  }

  trackNames(): string[] {
    return [...this.tracks.keys()];
  }

  /** Subscribes `sink` to a track; returns the unsubscribe function. */
  subscribe(trackName: string, sink: TrackSink): () => void {
    return this.track(trackName).subscribe(sink);
  }

  onClose(listener: (reason: string | undefined) => void): void {
    if (this.ended) listener(undefined);
    else this.closeListeners.push(listener);
  }

  /** @internal first subscriber of a track */
  trackWanted(track: RelayTrack): void {
    this.source?.request(track);
  }

  /** @internal last subscriber left */
  trackUnwanted(track: RelayTrack): void {
    if (!this.source) return;
    // Remote tracks are fetched per demand: drop the upstream subscription and the track.
    this.source.release(track);
    if (this.tracks.get(track.name) === track) this.tracks.delete(track.name);
  }

  /** @internal */
  trackClosed(track: RelayTrack): void {
    if (this.tracks.get(track.name) === track) this.tracks.delete(track.name);
  }

  /** Ends the broadcast: every track ends, the path is unannounced. */
  close(reason?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.closeReason = reason ?? 'broadcast ended';
    for (const t of [...this.tracks.values()]) t.close(this.closeReason);
    this.tracks.clear();
    this.relay.removeBroadcast(this);
    for (const l of this.closeListeners.splice(0)) l(reason);
  }
}

export type AnnounceListener = (path: string, active: boolean) => void;

interface AnnounceWatch {
  prefix: string;
  listener: AnnounceListener;
}

/** One namespace of broadcasts with announce notifications. */
export class Relay {
  readonly limits: RelayLimits;
  private readonly broadcasts = new Map<string, RelayBroadcast>();
  private watches: AnnounceWatch[] = [];

  constructor(limits: Partial<RelayLimits> = {}) {
    this.limits = { ...DEFAULT_RELAY_LIMITS, ...limits };
  }

  get broadcastCount(): number {
    return this.broadcasts.size;
  }

  /** Registers a broadcast at `path` (moq path form). Throws RelayLimitError on a duplicate or a full relay. */
  publish(path: string, source?: BroadcastSource): RelayBroadcast {
    if (this.broadcasts.has(path)) {
      throw new RelayLimitError('duplicate_broadcast', `broadcast '${path}' is already published`);
    }
    if (this.broadcasts.size >= this.limits.maxBroadcasts) {
      throw new RelayLimitError(
        'maxBroadcasts',
        `relay already carries ${this.broadcasts.size} broadcasts (limit maxBroadcasts); '${path}' refused`,
      );
    }
    const b = new RelayBroadcast(this, path, source, this.limits);
    this.broadcasts.set(path, b);
    for (const w of this.watches) if (stripPathPrefix(w.prefix, path) !== undefined) w.listener(path, true);
    return b;
  }

  get(path: string): RelayBroadcast | undefined {
    return this.broadcasts.get(path);
  }

  /** Paths of the active broadcasts at or below `prefix`. */
  list(prefix = ''): string[] {
    const out: string[] = [];
    for (const p of this.broadcasts.keys()) if (stripPathPrefix(prefix, p) !== undefined) out.push(p);
    return out;
  }

  /** Calls `listener` for each broadcast at or below `prefix` that starts or ends from now on. */
  watch(prefix: string, listener: AnnounceListener): () => void {
    const w = { prefix, listener };
    this.watches = [...this.watches, w];
    return () => {
      this.watches = this.watches.filter((x) => x !== w);
    };
  }

  /** Resolves with the broadcast at `path` once it is published (at once if it already is). */
  waitFor(path: string, signal?: AbortSignal): Promise<RelayBroadcast> {
    const existing = this.broadcasts.get(path);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        stop();
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const stop = this.watch(path, (p, active) => {
        if (p !== path || !active) return;
        const b = this.broadcasts.get(p);
        if (!b) return;
        stop();
        signal?.removeEventListener('abort', onAbort);
        resolve(b);
      });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** @internal called by RelayBroadcast.close */
  removeBroadcast(b: RelayBroadcast): void {
    if (this.broadcasts.get(b.path) !== b) return;
    this.broadcasts.delete(b.path);
    for (const w of this.watches)
      if (stripPathPrefix(w.prefix, b.path) !== undefined) w.listener(b.path, false);
  }

  /** Ends every broadcast. */
  close(): void {
    for (const b of [...this.broadcasts.values()]) b.close('relay closed');
  }
}
