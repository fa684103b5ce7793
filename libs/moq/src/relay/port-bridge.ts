// The relay across a thread boundary: `transport::moq::*` nodes in an engine worker reach the main thread's
// relay (where browsers connect) through a MessagePort. Each side mirrors the broadcasts the other exports:
// a mirror is a relay broadcast whose tracks are fetched over the port on first subscription, so frames
// only cross for tracks someone reads. Worker-published broadcasts are exported as they appear; main-thread
// broadcasts are exported to a worker below each peer route it registered. Peer routes are registered
// synchronously (a duplicate path throws at once, as in-process).
import { MessageChannel, type MessagePort, type TransferListItem } from 'node:worker_threads';
import {
  callSync,
  createSyncChannel,
  serveSync,
  type SyncChannel,
} from '@streamkit/pipeline/runtime/workers/sync-call';
import { copyBytes } from '@streamkit/pipeline/runtime/workers/port-bytes';
import { normalizePath } from '../protocol/messages';
import { MoqServer, type PeerRoute } from '../server';
import type { BroadcastSource, Relay, RelayBroadcast, RelayTrack, TrackSink } from './relay';

type LinkMessage =
  | { t: 'announce'; b: number; path: string }
  | { t: 'unannounce'; b: number; reason?: string }
  | { t: 'announce_failed'; b: number; message: string }
  | { t: 'want'; s: number; b: number; track: string }
  | { t: 'unwant'; s: number }
  | { t: 'g'; s: number; seq: number }
  | { t: 'f'; s: number; seq: number; p: ArrayBuffer }
  | { t: 'ge'; s: number; seq: number; aborted: boolean }
  | { t: 'te'; s: number; reason?: string }
  | { t: 'sync'; channel: SyncChannel };

type RouteRequest = { t: 'route'; r: number; path: string; owner?: string } | { t: 'unroute'; r: number };

export interface BridgeLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** One end of the link: exports local broadcasts to the peer and mirrors the peer's into the local relay. */
class RelayLink {
  private nextBroadcast = 1;
  private nextSubscription = 1;
  /** Local broadcasts the peer mirrors, by the id this side gave them. */
  private readonly exported = new Map<number, RelayBroadcast>();
  /** The peer's subscriptions to local tracks: how to end each. */
  private readonly serving = new Map<number, () => void>();
  /** Local mirrors of the peer's broadcasts, by the peer's id. */
  private readonly mirrors = new Map<number, RelayBroadcast>();
  private readonly mirrorSet = new Set<RelayBroadcast>();
  /** Mirror tracks this side asked the peer for, by subscription id (and back). */
  private readonly requested = new Map<number, RelayTrack>();
  private readonly requestOf = new Map<RelayTrack, number>();
  private closed = false;

  constructor(
    private readonly relay: Relay,
    private readonly port: MessagePort,
    private readonly onOther: (m: LinkMessage) => void,
    private readonly onRefused: (broadcast: RelayBroadcast, message: string) => void,
  ) {
    port.on('message', (m: LinkMessage) => this.onMessage(m));
    port.unref();
  }

  /** The path being mirrored right now: announce watchers run inside `publish`, before it returns. */
  private mirroring: string | undefined;

  isMirror(b: RelayBroadcast): boolean {
    return this.mirrorSet.has(b) || b.path === this.mirroring;
  }

  /** Lets the peer see `b` (at its path) until it closes or `unexport` is called. */
  export(b: RelayBroadcast): number {
    const id = this.nextBroadcast++;
    this.exported.set(id, b);
    this.post({ t: 'announce', b: id, path: b.path });
    b.onClose((reason) => this.unexport(id, reason));
    return id;
  }

  /**
   * The peer's mirror ends with the same reason as the broadcast: a node reading it tells a publisher that
   * re-announces (`UNANNOUNCED`) from one that left.
   */
  unexport(id: number, reason?: string): void {
    if (!this.exported.delete(id)) return;
    this.post({ t: 'unannounce', b: id, reason });
  }

  /** Ends every mirror (their readers see the track end) and every subscription the peer held. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const b of this.mirrors.values()) b.close(reason);
    this.mirrors.clear();
    for (const stop of this.serving.values()) stop();
    this.serving.clear();
    this.exported.clear();
    this.port.close();
  }

  post(m: LinkMessage, transfer: TransferListItem[] = []): void {
    if (!this.closed) this.port.postMessage(m, transfer);
  }

  private onMessage(m: LinkMessage): void {
    switch (m.t) {
      case 'announce':
        return this.mirror(m.b, m.path);
      case 'unannounce': {
        const b = this.mirrors.get(m.b);
        this.mirrors.delete(m.b);
        b?.close(m.reason ?? 'publisher ended');
        return;
      }
      case 'announce_failed': {
        const b = this.exported.get(m.b);
        this.exported.delete(m.b);
        if (b) this.onRefused(b, m.message);
        return;
      }
      case 'want':
        return this.serve(m.s, m.b, m.track);
      case 'unwant':
        this.serving.get(m.s)?.();
        this.serving.delete(m.s);
        return;
      case 'g':
        this.requested.get(m.s)?.beginGroup(m.seq);
        return;
      case 'f':
        this.requested.get(m.s)?.writeFrame(m.seq, new Uint8Array(m.p));
        return;
      case 'ge':
        this.requested.get(m.s)?.endGroup(m.seq, m.aborted);
        return;
      case 'te': {
        const track = this.requested.get(m.s);
        if (!track) return;
        this.requested.delete(m.s);
        this.requestOf.delete(track);
        track.close(m.reason);
        return;
      }
      default:
        this.onOther(m);
    }
  }

  private mirror(peerId: number, path: string): void {
    const source: BroadcastSource = {
      request: (track) => {
        const s = this.nextSubscription++;
        this.requested.set(s, track);
        this.requestOf.set(track, s);
        this.post({ t: 'want', s, b: peerId, track: track.name });
      },
      release: (track) => {
        const s = this.requestOf.get(track);
        if (s === undefined) return;
        this.requestOf.delete(track);
        this.requested.delete(s);
        this.post({ t: 'unwant', s });
      },
    };
    try {
      this.mirroring = path;
      const b = this.relay.publish(path, source);
      this.mirrors.set(peerId, b);
      this.mirrorSet.add(b);
      b.onClose(() => {
        this.mirrorSet.delete(b);
        if (this.mirrors.get(peerId) === b) this.mirrors.delete(peerId);
      });
    } catch (err) {
      this.post({ t: 'announce_failed', b: peerId, message: (err as Error).message });
    } finally {
      this.mirroring = undefined;
    }
  }

  private serve(s: number, id: number, trackName: string): void {
    const b = this.exported.get(id);
    if (!b) return this.post({ t: 'te', s, reason: 'broadcast ended' });
    const sink: TrackSink = {
      onGroup: (seq) => this.post({ t: 'g', s, seq }),
      onFrame: (seq, payload) => {
        // The relay keeps the frame for other readers and late joiners: the peer gets its own copy.
        const copy = copyBytes(payload).buffer;
        this.post({ t: 'f', s, seq, p: copy }, [copy]);
      },
      onGroupEnd: (seq, aborted) => this.post({ t: 'ge', s, seq, aborted }),
      onEnd: (reason) => {
        this.serving.delete(s);
        // A closing broadcast ends its tracks before its close listeners run: unannounce it first, so the
        // peer's mirror (and any node reading it) learns why it ended before its tracks do.
        if (b.closeReason !== undefined) this.unexport(id, b.closeReason);
        this.post({ t: 'te', s, reason });
      },
    };
    try {
      this.serving.set(s, b.subscribe(trackName, sink));
    } catch (err) {
      this.post({ t: 'te', s, reason: (err as Error).message });
    }
  }
}

/**
 * Main thread, one per worker: serves the worker's peer routes on `moq` and links the relays. Transfer `port`
 * to the worker (it calls `connectWorkerRelay` with it); `close` when the worker ends (its routes are
 * unregistered and the broadcasts it published end for their listeners).
 */
export function attachWorkerRelay(
  moq: MoqServer,
  log?: BridgeLog,
): { port: MessagePort; close(reason: string): void } {
  const { port1, port2 } = new MessageChannel();
  const routes = new Map<number, { route: PeerRoute; stopWatch: () => void; exports: Map<string, number> }>();
  let stopSync: (() => void) | undefined;
  const link = new RelayLink(
    moq.relay,
    port1,
    (m) => {
      if (m.t === 'sync') stopSync = serveSync(m.channel, (req) => onRoute(req as RouteRequest));
    },
    (b, message) => log?.warn(`MoQ: broadcast '${b.path}' from a worker refused: ${message}`),
  );

  const unroute = (r: number): void => {
    const entry = routes.get(r);
    if (!entry) return;
    routes.delete(r);
    entry.stopWatch();
    for (const id of entry.exports.values()) link.unexport(id);
    entry.route.unregister();
  };

  const onRoute = (req: RouteRequest): { root: string } | undefined => {
    if (req.t === 'unroute') {
      unroute(req.r);
      return undefined;
    }
    const route = moq.registerPeerRoute(req.path, req.owner);
    const exports = new Map<string, number>();
    // Browsers publish below the route: the worker's node reads what they publish.
    const offer = (path: string): void => {
      const b = moq.relay.get(path);
      if (!b || link.isMirror(b) || exports.has(path)) return;
      const id = link.export(b);
      exports.set(path, id);
      b.onClose(() => {
        if (exports.get(path) === id) exports.delete(path);
      });
    };
    const stopWatch = moq.relay.watch(route.root, (path, active) => {
      if (active) offer(path);
    });
    for (const path of moq.relay.list(route.root)) offer(path);
    routes.set(req.r, { route, stopWatch, exports });
    return { root: route.root };
  };

  return {
    port: port2,
    close: (reason) => {
      for (const r of [...routes.keys()]) unroute(r);
      stopSync?.();
      link.close(`engine worker ended: ${reason}`);
    },
  };
}

/** A MoqServer in a worker: its relay is linked to the main thread's, its peer routes live there. */
export class BridgedMoqServer extends MoqServer {
  private readonly sync: SyncChannel;
  private nextRoute = 1;

  constructor(port: MessagePort, log?: BridgeLog) {
    super();
    const { caller, server } = createSyncChannel();
    this.sync = caller;
    const link = new RelayLink(
      this.relay,
      port,
      () => {},
      (b, message) => {
        log?.warn(`MoQ: broadcast '${b.path}' not published on the server's relay: ${message}`);
        b.close(message);
      },
    );
    link.post({ t: 'sync', channel: server }, [server.port]);
    // Everything published here (not a mirror) is exported to the main relay as it appears.
    this.relay.watch('', (path, active) => {
      const b = active ? this.relay.get(path) : undefined;
      if (b && !link.isMirror(b)) link.export(b);
    });
    this.closeLink = (reason) => link.close(reason);
  }

  private readonly closeLink: (reason: string) => void;

  override registerPeerRoute(gatewayPath: string, owner?: string): PeerRoute {
    const r = this.nextRoute++;
    const { root } = callSync<{ root: string }>(this.sync, { t: 'route', r, path: gatewayPath, owner });
    let registered = true;
    return {
      root,
      broadcastPath: (name: string) => normalizePath(root, name),
      unregister: () => {
        if (!registered) return;
        registered = false;
        // On the same port as registrations, so a route freed and taken again arrives in order.
        this.sync.port.postMessage({ id: 0, request: { t: 'unroute', r } satisfies RouteRequest });
      },
    };
  }

  override close(): void {
    super.close();
    this.closeLink('worker closed');
    this.sync.port.close();
  }
}
