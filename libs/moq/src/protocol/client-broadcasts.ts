// The publishing half of a moq-lite session: the client's announces become relay broadcasts, whose tracks are
// subscribed upstream when the relay asks, and the group streams the client sends feed those tracks.
import type { BroadcastSource, Relay, RelayBroadcast, RelayTrack } from '../relay/relay';
import { REPLACED, RelayLimitError, UNANNOUNCED } from '../relay/relay';
import { openBidiSend } from '../transport/send-stream';
import type { SendStream, WebTransportLike } from '../transport/types';
import {
  StreamType,
  UNI_GROUP,
  decodeAnnounce,
  decodeAnnounceInit,
  decodeGroupHeader,
  encodeAnnounceInterest,
  encodeSubscribe,
  joinPath,
} from './messages';
import { isEarly, type MoqLogger, type SessionOptions } from './session-options';
import { MessageTooLargeError, StreamReader } from './stream-reader';

/** Broadcasts one connection may publish into the relay. */
const MAX_BROADCASTS_PER_SESSION = 64;

/** A broadcast the client announced; the relay asks it for tracks as subscribers appear. */
class RemoteBroadcast implements BroadcastSource {
  broadcast: RelayBroadcast | undefined;
  private readonly upstream = new Map<RelayTrack, { id: number; send: SendStream; reader?: StreamReader }>();

  constructor(
    private readonly owner: ClientBroadcasts,
    readonly suffix: string,
  ) {}

  /** The identity of the caller publishing this broadcast. */
  get publisher(): string {
    return this.owner.publisher;
  }

  request(track: RelayTrack): void {
    this.owner.subscribeUpstream(this, track).catch(() => track.close('upstream subscription failed'));
  }

  release(track: RelayTrack): void {
    const up = this.upstream.get(track);
    if (!up) return;
    this.upstream.delete(track);
    this.owner.forgetUpstream(up.id);
    up.send.close();
    up.reader?.cancel();
  }

  register(track: RelayTrack, id: number, send: SendStream): void {
    this.upstream.set(track, { id, send });
  }

  setReader(track: RelayTrack, reader: StreamReader): boolean {
    const up = this.upstream.get(track);
    if (!up) return false;
    up.reader = reader;
    return true;
  }

  isActive(track: RelayTrack): boolean {
    return this.upstream.has(track);
  }
}

/** What the publishing half needs from its session (MoqSession). */
export interface PublishingSession {
  readonly transport: WebTransportLike;
  readonly options: SessionOptions;
  /** The negotiated version, known before anything here runs. */
  readonly version: number | undefined;
  readonly publisher: string;
}

/** The broadcasts one client publishes into the relay. */
export class ClientBroadcasts {
  private closed = false;
  private readonly remote = new Map<string, RemoteBroadcast>();
  private readonly upstreamById = new Map<number, RelayTrack>();
  private nextUpstreamId = 0;

  constructor(
    private readonly session: PublishingSession,
    private readonly relay: Relay,
    private readonly log: MoqLogger,
    private readonly maxMessage: number,
    private readonly canAccess: (path: string) => boolean,
  ) {}

  /** The identity of the caller publishing (see SessionOptions.publisher). */
  get publisher(): string {
    return this.session.publisher;
  }

  /** The session ended: the client's broadcasts leave the relay. */
  close(): void {
    this.closed = true;
    for (const r of this.remote.values()) r.broadcast?.close('publisher disconnected');
    this.remote.clear();
  }

  /** Opens an ANNOUNCE_INTEREST to the client to learn what it publishes. */
  async watchClientAnnounces(): Promise<void> {
    const version = this.session.version as number;
    const { send, readable } = openBidiSend(this.session.transport);
    send.write(new Uint8Array([StreamType.Announce]));
    send.write(encodeAnnounceInterest({ prefix: '', excludeHop: 0 }, version));
    const r = new StreamReader(await readable, this.maxMessage);
    try {
      if (isEarly(version)) {
        for (const suffix of decodeAnnounceInit(await r.message())) this.onClientAnnounce(suffix, true);
      }
      for (;;) {
        const body = await r.messageOrEnd();
        if (!body) break;
        const a = decodeAnnounce(body, version);
        this.onClientAnnounce(a.suffix, a.active);
      }
    } catch (err) {
      if (!this.closed) this.log.debug('moq announce stream ended', { error: (err as Error).message });
    }
  }

  private onClientAnnounce(suffix: string, active: boolean): void {
    if (this.closed) return;
    const existing = this.remote.get(suffix);
    if (!active) {
      if (!existing) return;
      this.remote.delete(suffix);
      existing.broadcast?.close(UNANNOUNCED);
      return;
    }
    if (existing) return;
    const path = joinPath(this.session.options.root, suffix);
    if (!this.canAccess(path)) {
      this.log.warn('moq publish refused: the path belongs to a session the caller cannot access', { path });
      return;
    }
    if (this.remote.size >= MAX_BROADCASTS_PER_SESSION) {
      this.log.warn('moq publish refused: too many broadcasts on one connection', {
        path,
        limit: MAX_BROADCASTS_PER_SESSION,
      });
      return;
    }
    // A client's broadcast at the same path yields to this one when the same caller published it (a reloaded
    // page whose old connection lingers); never a session's own output, a mirror, or another caller's.
    const previous = this.relay.get(path);
    if (previous?.origin instanceof RemoteBroadcast && previous.origin.publisher === this.session.publisher) {
      this.log.info('moq broadcast taken over by a newer publisher', { path });
      previous.close(REPLACED);
    }
    const source = new RemoteBroadcast(this, suffix);
    try {
      source.broadcast = this.relay.publish(path, source);
    } catch (err) {
      const reason = err instanceof RelayLimitError ? err.message : (err as Error).message;
      this.log.warn('moq publish refused', { path, error: reason });
      return;
    }
    this.remote.set(suffix, source);
    this.log.info('moq broadcast announced', { path });
    this.session.options.onBroadcast?.(source.broadcast);
  }

  /** @internal the relay wants `track` of a broadcast the client publishes */
  async subscribeUpstream(source: RemoteBroadcast, track: RelayTrack): Promise<void> {
    const version = this.session.version as number;
    const id = this.nextUpstreamId++;
    const { send, readable } = openBidiSend(this.session.transport);
    source.register(track, id, send);
    this.upstreamById.set(id, track);
    send.write(new Uint8Array([StreamType.Subscribe]));
    send.write(
      encodeSubscribe(
        { id, broadcast: source.suffix, track: track.name, priority: 0, ordered: true, maxLatency: 0 },
        version,
      ),
    );
    const r = new StreamReader(await readable, this.maxMessage);
    if (!source.setReader(track, r)) {
      r.cancel();
      return;
    }
    try {
      if (!isEarly(version)) {
        const kind = await r.varint();
        if (kind !== 0) throw new Error(`subscribe refused by publisher (response type ${kind})`);
      }
      await r.message();
      // The subscription lives until the publisher ends it.
      while (await r.messageOrEnd()) {
        // SUBSCRIBE_DROP notices carry nothing the relay acts on.
      }
      if (source.isActive(track)) track.close('publisher ended the track');
    } catch (err) {
      if (source.isActive(track)) track.close(`upstream: ${(err as Error).message}`);
    } finally {
      this.upstreamById.delete(id);
    }
  }

  /** @internal */
  forgetUpstream(id: number): void {
    this.upstreamById.delete(id);
  }

  /** Feeds the relay tracks from the group streams the client sends. */
  async acceptUnis(): Promise<void> {
    const reader = this.session.transport.incomingUnidirectionalStreams.getReader();
    for (;;) {
      const next = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (next.done) return;
      void this.handleGroup(next.value);
    }
  }

  private async handleGroup(readable: ReadableStream<Uint8Array>): Promise<void> {
    const r = new StreamReader(readable, this.relay.limits.maxFrameBytes);
    let track: RelayTrack | undefined;
    let sequence = -1;
    try {
      const type = await r.u8();
      if (type !== UNI_GROUP) throw new Error(`unknown unidirectional stream type ${type}`);
      const header = decodeGroupHeader(await r.message());
      track = this.upstreamById.get(header.subscribe);
      if (!track) {
        r.cancel();
        return;
      }
      sequence = header.sequence;
      track.beginGroup(sequence);
      for (;;) {
        const frame = await r.messageOrEnd();
        if (!frame) break;
        track.writeFrame(sequence, frame);
      }
      track.endGroup(sequence, false);
    } catch (err) {
      if (err instanceof MessageTooLargeError && track) {
        track.oversizeFrames++;
        this.log.warn('moq frame over the size limit; group dropped', {
          broadcast: track.broadcast.path,
          track: track.name,
          size: err.size,
          limit: err.limit,
        });
      }
      r.cancel();
      if (track && sequence >= 0) track.endGroup(sequence, true);
    }
  }
}
