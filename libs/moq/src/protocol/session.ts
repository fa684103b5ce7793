// Server side of one moq-lite connection: version negotiation, then the client's announces become relay
// broadcasts (subscribed upstream on demand: client-broadcasts.ts) and the client's subscriptions are served
// from the relay.
import type { Relay, TrackSink } from '../relay/relay';
import { openUniSend, transportBacklog } from '../transport/send-stream';
import type { BidirectionalStream, SendStream, WebTransportLike } from '../transport/types';
import { ClientBroadcasts } from './client-broadcasts';
import {
  ALPN_LITE_03,
  ALPN_LITE_04,
  StreamType,
  Version,
  decodeAnnounceInterest,
  decodeClientSetup,
  decodeSubscribe,
  encodeAnnounce,
  encodeAnnounceInit,
  encodeGroupHeader,
  encodeServerSetup,
  encodeSubscribeOk,
  joinPath,
  negotiateVersion,
  stripPathPrefix,
  versionName,
  type Subscribe,
} from './messages';
import { isEarly, silentLogger, type MoqLogger, type SessionOptions } from './session-options';
import { StreamReader } from './stream-reader';

export { silentLogger, type MoqLogger, type SessionOptions } from './session-options';

const DEFAULT_MAX_MESSAGE = 64 * 1024;

/** Serves one subscription of the client: a uni stream per group. */
class SessionSink implements TrackSink {
  private readonly groups = new Map<number, SendStream>();
  unsubscribe: (() => void) | undefined;
  skippedGroups = 0;

  constructor(
    private readonly session: MoqSession,
    private readonly id: number,
    private readonly control: SendStream,
  ) {}

  onGroup(sequence: number): void {
    if (this.session.lagging()) {
      this.skippedGroups++;
      return;
    }
    const stream = this.session.openUni();
    if (!stream) return;
    stream.write(encodeGroupHeader({ subscribe: this.id, sequence }));
    this.groups.set(sequence, stream);
  }

  onFrame(sequence: number, payload: Uint8Array): void {
    this.groups.get(sequence)?.writeFrame(payload);
  }

  onGroupEnd(sequence: number, aborted: boolean): void {
    const stream = this.groups.get(sequence);
    if (!stream) return;
    this.groups.delete(sequence);
    if (aborted) stream.reset(0);
    else stream.close();
  }

  onEnd(): void {
    this.unsubscribe = undefined;
    this.stop();
    this.control.close();
  }

  /** Client went away or cancelled: abandon open groups. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const s of this.groups.values()) s.reset(0);
    this.groups.clear();
  }
}

/** One client connection to the relay. */
export class MoqSession {
  version: number | undefined;
  private readonly log: MoqLogger;
  private readonly maxBacklog: number;
  private closed = false;
  private readonly sinks = new Set<SessionSink>();
  private readonly cleanups: (() => void)[] = [];
  /** Keeps the lite-01/02 session stream referenced (closing it would end the client's session). */
  private sessionStream: BidirectionalStream | undefined;
  /** True when the session was closed for not completing its handshake in time. */
  timedOut = false;
  private readonly maxMessage: number;
  private readonly canAccess: (path: string) => boolean;
  /** @internal see SessionOptions.publisher */
  readonly publisher: string;
  /** The client's broadcasts in the relay. */
  private readonly published: ClientBroadcasts;

  constructor(
    readonly transport: WebTransportLike,
    private readonly relay: Relay,
    readonly options: SessionOptions,
  ) {
    this.log = options.log ?? silentLogger;
    this.maxBacklog = options.maxBacklogBytes ?? 4 << 20;
    this.maxMessage = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    this.canAccess = options.canAccessPath ?? (() => true);
    this.publisher = options.publisher ?? '';
    this.published = new ClientBroadcasts(this, relay, this.log, this.maxMessage, this.canAccess);
  }

  /** The transport ready and SETUP done, or the session closed for taking longer than the handshake timeout. */
  private async handshake(): Promise<number> {
    const ms = this.options.handshakeTimeoutMs;
    const work = (async () => {
      await this.transport.ready;
      return this.negotiate();
    })();
    if (!ms) return work;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            this.timedOut = true;
            reject(new Error(`no MoQ SETUP within ${ms} ms`));
          }, ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }

  /** Negotiates, serves until the transport closes, then releases everything the session held. */
  async run(): Promise<void> {
    try {
      this.version = await this.handshake();
      this.options.onReady?.();
      this.log.debug('moq session ready', { root: this.options.root, version: versionName(this.version) });
      const tasks = [
        this.acceptBidis(),
        this.published.acceptUnis(),
        this.transport.closed.then(() => undefined),
      ];
      if (this.options.canPublish) tasks.push(this.published.watchClientAnnounces());
      await Promise.race([Promise.all(tasks), this.transport.closed]);
    } catch (err) {
      this.log.warn('moq session failed', { root: this.options.root, error: (err as Error).message });
      this.transport.close({ closeCode: 1, reason: (err as Error).message.slice(0, 100) });
    } finally {
      this.cleanup();
    }
  }

  close(reason = 'closed by server'): void {
    this.transport.close({ closeCode: 0, reason });
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sink of this.sinks) sink.stop();
    this.sinks.clear();
    this.published.close();
    for (const c of this.cleanups.splice(0)) c();
    this.sessionStream?.writable.close().catch(() => undefined);
  }

  /** @internal */
  lagging(): boolean {
    return transportBacklog(this.transport) > this.maxBacklog;
  }

  /** @internal */
  openUni(): SendStream | undefined {
    if (this.closed) return undefined;
    try {
      return openUniSend(this.transport);
    } catch {
      return undefined;
    }
  }

  private async negotiate(): Promise<number> {
    const protocol = this.transport.protocol;
    if (protocol === ALPN_LITE_04) return Version.LITE_04;
    if (protocol === ALPN_LITE_03) return Version.LITE_03;
    if (protocol !== '' && protocol !== 'moql')
      throw new Error(`unsupported WebTransport protocol '${protocol}'`);
    const reader = this.transport.incomingBidirectionalStreams.getReader();
    const next = await reader.read();
    reader.releaseLock();
    if (next.done) throw new Error('session closed before SETUP');
    const stream = next.value;
    const r = new StreamReader(stream.readable, this.maxMessage);
    const type = await r.varint();
    if (type !== StreamType.ClientCompat)
      throw new Error(`expected CLIENT_SETUP (0x20), got 0x${type.toString(16)}`);
    const setup = decodeClientSetup(await r.u16Message());
    const version = negotiateVersion(setup.versions);
    if (version === undefined) {
      throw new Error(
        `no common moq-lite version; client offered ${setup.versions.map((v) => v.toString(16)).join(', ')}`,
      );
    }
    const writer = stream.writable.getWriter();
    await writer.write(encodeServerSetup({ version, parameters: new Map() }));
    writer.releaseLock();
    this.sessionStream = stream;
    // SESSION_INFO updates from the client are informational; drain them.
    void (async () => {
      try {
        while (await r.messageOrEnd()) {
          // ignore
        }
      } catch {
        // the stream ends with the session
      }
    })();
    return version;
  }

  private async acceptBidis(): Promise<void> {
    const reader = this.transport.incomingBidirectionalStreams.getReader();
    for (;;) {
      const next = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (next.done) return;
      void this.handleBidi(next.value).catch((err) =>
        this.log.debug('moq bidi stream ended', { error: (err as Error).message }),
      );
    }
  }

  private async handleBidi(stream: BidirectionalStream): Promise<void> {
    const r = new StreamReader(stream.readable, this.maxMessage);
    const type = await r.varint();
    const version = this.version as number;
    if (type === StreamType.Announce) {
      const interest = decodeAnnounceInterest(await r.message(), version);
      await this.serveAnnounces(interest.prefix, stream, r);
    } else if (type === StreamType.Subscribe) {
      const msg = decodeSubscribe(await r.message(), version);
      await this.serveSubscribe(msg, stream, r);
    } else if (type === StreamType.Probe) {
      // We have no bandwidth estimate to report; ending the stream cleanly tells the client so.
      await stream.writable.close();
    } else if (type === StreamType.Goaway) {
      r.cancel();
    } else {
      await stream.writable.abort(new Error(`unsupported stream type ${type}`));
      r.cancel();
    }
  }

  /** Answers an ANNOUNCE_INTEREST: current paths, then every change until the client closes the stream. */
  private async serveAnnounces(prefix: string, stream: BidirectionalStream, r: StreamReader): Promise<void> {
    const writer = stream.writable.getWriter();
    const version = this.version as number;
    if (!this.options.canSubscribe) {
      if (isEarly(version)) await writer.write(encodeAnnounceInit([]));
      await r.closed;
      return;
    }
    const full = joinPath(this.options.root, prefix);
    const pending: Uint8Array[] = [];
    const active = new Set<string>();
    // Broadcasts of sessions the caller cannot access are not even named to it.
    const toSuffix = (path: string): string | undefined =>
      this.canAccess(path) ? stripPathPrefix(full, path) : undefined;
    const stop = this.relay.watch(full, (path, isActive) => {
      const suffix = toSuffix(path);
      if (suffix === undefined) return;
      if (isActive === active.has(suffix)) return;
      if (isActive) active.add(suffix);
      else active.delete(suffix);
      writer.write(encodeAnnounce({ active: isActive, suffix, hops: [] }, version)).catch(() => undefined);
    });
    this.cleanups.push(stop);
    for (const p of this.relay.list(full)) {
      const suffix = toSuffix(p);
      if (suffix !== undefined) active.add(suffix);
    }
    if (isEarly(version)) pending.push(encodeAnnounceInit([...active]));
    else for (const s of active) pending.push(encodeAnnounce({ active: true, suffix: s, hops: [] }, version));
    for (const m of pending) await writer.write(m);
    await r.closed;
    stop();
    writer.close().catch(() => undefined);
  }

  private async serveSubscribe(msg: Subscribe, stream: BidirectionalStream, r: StreamReader): Promise<void> {
    const version = this.version as number;
    const writer = stream.writable.getWriter();
    const path = joinPath(this.options.root, msg.broadcast);
    const broadcast = this.options.canSubscribe && this.canAccess(path) ? this.relay.get(path) : undefined;
    if (!broadcast) {
      this.log.debug('moq subscribe to unknown broadcast', { path, track: msg.track });
      await writer.abort(new Error('not found')).catch(() => undefined);
      r.cancel();
      return;
    }
    const control: SendStream = {
      write: (c) => void writer.write(c).catch(() => undefined),
      writeFrame: () => undefined,
      close: () => void writer.close().catch(() => undefined),
      reset: () => void writer.abort(new Error('reset')).catch(() => undefined),
      done: writer.closed.then(
        () => undefined,
        () => undefined,
      ),
    };
    control.write(
      encodeSubscribeOk({ priority: msg.priority, ordered: msg.ordered, maxLatency: 0 }, version),
    );
    const sink = new SessionSink(this, msg.id, control);
    try {
      sink.unsubscribe = broadcast.subscribe(msg.track, sink);
    } catch (err) {
      this.log.warn('moq subscribe refused', { path, track: msg.track, error: (err as Error).message });
      control.reset(0);
      r.cancel();
      return;
    }
    this.sinks.add(sink);
    // SUBSCRIBE_UPDATE messages may follow; the relay serves every subscriber the same way, so drain them.
    try {
      while (await r.messageOrEnd()) {
        // ignore updates
      }
    } catch {
      // reset by the client
    }
    this.sinks.delete(sink);
    sink.stop();
    control.close();
  }
}
