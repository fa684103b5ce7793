// MoqServer: routes incoming sessions by URL path to the relay, and the WebSocket upgrade glue for a
// Node http server (the Fastify server's raw `server`).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { normalizePath } from './protocol/messages';
import { MoqSession, silentLogger, type MoqLogger } from './protocol/session';
import { Relay, type RelayBroadcast, type RelayLimits } from './relay/relay';
import type { WebTransportLike } from './transport/types';
import { acceptWebSocketTransport, selectWebTransportSubprotocol } from './transport/websocket';

export interface MoqServerOptions {
  limits?: Partial<RelayLimits>;
  /** Sessions open at once (default 1000); more are closed with a reason. */
  maxSessions?: number;
  /** Per-client queued bytes above which new groups are skipped for it (default 4 MiB). */
  maxBacklogBytes?: number;
  log?: MoqLogger;
}

/** A route registered by a `transport::moq::peer` node: `<base>`, `<base>/input`, `<base>/output`. */
export interface PeerRoute {
  /** Relay path of the route (moq path form, e.g. `moq` for gateway_path `/moq`). */
  readonly root: string;
  /** Relay path of a broadcast named `name` under this route. */
  broadcastPath(name: string): string;
  /** Removes the route; sessions already connected stay until they close. */
  unregister(): void;
}

export interface ResolvedRoute {
  root: string;
  canPublish: boolean;
  canSubscribe: boolean;
  /** True when a peer node registered the path. */
  registered: boolean;
}

export type MoqTransportKind = 'websocket' | 'webtransport';

/** How a session reached the relay. */
export interface SessionInfo {
  transport: MoqTransportKind;
}

export class MoqServer {
  readonly relay: Relay;
  /** Sessions open now and served since start, by transport. */
  readonly transportStats: Record<MoqTransportKind, { active: number; total: number }> = {
    websocket: { active: 0, total: 0 },
    webtransport: { active: 0, total: 0 },
  };
  private readonly log: MoqLogger;
  private readonly routes = new Set<string>();
  private readonly routeTokens = new Map<string, symbol>();
  private readonly sessions = new Set<MoqSession>();
  private readonly maxSessions: number;

  constructor(private readonly options: MoqServerOptions = {}) {
    this.relay = new Relay(options.limits);
    this.log = options.log ?? silentLogger;
    this.maxSessions = options.maxSessions ?? 1000;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Registers a peer route for `gatewayPath` (leading `/` optional, trailing `/` ignored). Throws when the path is
   * already registered: two peer nodes cannot share a gateway path.
   */
  registerPeerRoute(gatewayPath: string): PeerRoute {
    const root = normalizePath(gatewayPath);
    if (this.routes.has(root)) {
      throw new Error(
        `MoQ gateway path '/${root}' is already registered by another peer node; pick another gateway_path`,
      );
    }
    const token = Symbol(root);
    this.routeTokens.set(root, token);
    this.routes.add(root);
    return {
      root,
      broadcastPath: (name: string) => normalizePath(root, name),
      unregister: () => {
        if (this.routeTokens.get(root) !== token) return;
        this.routeTokens.delete(root);
        this.routes.delete(root);
      },
    };
  }

  /**
   * Maps a URL path to a relay root and rights. `<base>/input` publishes only, `<base>/output` subscribes only
   * (when a peer registered `<base>`); any other path is an open relay scope at that path. The `/input` and
   * `/output` suffixes map to the same scope even before the peer registers, so early clients meet it.
   */
  resolve(urlPath: string): ResolvedRoute {
    const path = normalizePath(urlPath);
    const m = /^(.*?)\/(input|output)$/.exec(path);
    if (this.routes.has(path)) return { root: path, canPublish: true, canSubscribe: true, registered: true };
    if (m) {
      const registered = this.routes.has(m[1]);
      const input = m[2] === 'input';
      return {
        root: m[1],
        canPublish: input || !registered,
        canSubscribe: !input || !registered,
        registered,
      };
    }
    return { root: path, canPublish: true, canSubscribe: true, registered: false };
  }

  /** Serves a session arriving at `urlPath`. Resolves when it ends. */
  async acceptSession(
    transport: WebTransportLike,
    urlPath: string,
    info: SessionInfo = { transport: 'websocket' },
  ): Promise<void> {
    if (this.sessions.size >= this.maxSessions) {
      this.log.warn('moq session refused: too many sessions', { limit: this.maxSessions });
      transport.close({ closeCode: 2, reason: `too many sessions (limit ${this.maxSessions})` });
      return;
    }
    const route = this.resolve(urlPath);
    const session = new MoqSession(transport, this.relay, {
      ...route,
      maxBacklogBytes: this.options.maxBacklogBytes,
      log: this.log,
    });
    this.sessions.add(session);
    const counts = this.transportStats[info.transport];
    counts.active++;
    counts.total++;
    this.log.debug('moq session opened', { path: urlPath, root: route.root, transport: info.transport });
    try {
      await session.run();
    } finally {
      this.sessions.delete(session);
      counts.active--;
      this.log.debug('moq session closed', { path: urlPath, transport: info.transport });
    }
  }

  /** In-process publishing: registers a broadcast at relay path `path` (see `HangAudioPublisher`). */
  publish(path: string): RelayBroadcast {
    return this.relay.publish(normalizePath(path));
  }

  /** Closes every session and broadcast. */
  close(): void {
    for (const s of [...this.sessions]) s.close('server shutting down');
    this.sessions.clear();
    this.relay.close();
  }
}

export interface AttachMoqWebSocketOptions {
  /** URL path prefix served (the prefix itself and anything below it). Default `/moq`. */
  pathPrefix?: string;
  /** Return false to refuse the upgrade with 403 (the server's origin allow-list). */
  checkOrigin?: (origin: string | undefined, req: IncomingMessage) => boolean;
  /** Largest WebSocket message accepted (default 1 MiB; clients send at most 16 KiB). */
  maxPayload?: number;
}

export interface MoqWebSocketAttachment {
  /** Stops accepting upgrades and closes the WebSocket server (sessions are closed by MoqServer.close). */
  close(): void;
}

function underPrefix(pathname: string, prefix: string): boolean {
  if (prefix === '/' || prefix === '') return true;
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

/**
 * Serves the `webtransport` WebSocket subprotocol on `server` for paths under `pathPrefix`. Upgrades to other
 * paths are left for other listeners (GraphQL subscriptions and so on).
 */
export function attachMoqWebSocket(
  server: Server,
  moq: MoqServer,
  options: AttachMoqWebSocketOptions = {},
): MoqWebSocketAttachment {
  const prefix = `/${normalizePath(options.pathPrefix ?? '/moq')}`.replace(/^\/$/, '/');
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayload ?? 1 << 20,
    perMessageDeflate: false,
    handleProtocols: (protocols) => selectWebTransportSubprotocol(protocols),
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!underPrefix(url.pathname, prefix)) return;
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!selectWebTransportSubprotocol(offered)) {
      refuse(400, 'Bad Request');
      return;
    }
    if (options.checkOrigin && !options.checkOrigin(req.headers.origin, req)) {
      refuse(403, 'Forbidden');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      void moq.acceptSession(acceptWebSocketTransport(ws), url.pathname, { transport: 'websocket' });
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    close: () => {
      server.off('upgrade', onUpgrade);
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}
