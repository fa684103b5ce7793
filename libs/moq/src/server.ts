// MoqServer: routes incoming sessions by URL path to the relay, and the WebSocket upgrade glue for a
// Node http server (the Fastify server's raw `server`).
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { normalizePath, stripPathPrefix } from './protocol/messages';
import { MoqSession, silentLogger, type MoqLogger } from './protocol/session';
import { Relay, type RelayBroadcast, type RelayLimits } from './relay/relay';
import type { WebTransportLike } from './transport/types';
import {
  acceptWebSocketTransport,
  selectWebTransportSubprotocol,
  type WebSocketTransportOptions,
} from './transport/websocket';

/** Who is connecting: what the upgrade (WebSocket) or CONNECT (HTTP/3) request says. */
export interface MoqConnectRequest {
  /** URL path (no query). */
  path: string;
  origin: string | undefined;
  /** Request headers, lower-case names (the role header of an authenticating proxy, ...). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  transport: MoqTransportKind;
}

/** What a caller may reach: sessions are identified by the owner tag their peer routes carry. */
export interface MoqPrincipal {
  /** Role name (for logs). */
  readonly label: string;
  canAccessOwner(owner: string): boolean;
}

export type MoqAccess =
  { allowed: true; principal: MoqPrincipal } | { allowed: false; status: number; reason: string };

/** Everyone may reach everything (no authorization configured). */
export const OPEN_PRINCIPAL: MoqPrincipal = { label: 'anyone', canAccessOwner: () => true };

export interface MoqServerOptions {
  limits?: Partial<RelayLimits>;
  /** Sessions open at once (default 1000); more are closed with a reason. */
  maxSessions?: number;
  /** A session that has not completed its MoQ handshake (SETUP) by then is closed (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Sessions still in their handshake at once; the oldest is closed to admit a new one (default 256). */
  maxPendingHandshakes?: number;
  /** Largest control message (setup, announce, subscribe) in bytes (default 64 KiB). */
  maxMessageBytes?: number;
  /**
   * Decides each connection from its request (origin, role); the principal is then checked against the owner
   * of every path the session touches. Without it every caller may reach every path.
   */
  authorize?: (request: MoqConnectRequest) => MoqAccess | Promise<MoqAccess>;
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

interface ServedSession {
  session: MoqSession;
  principal: MoqPrincipal;
  root: string;
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
  /** Owner tag (the session id of the peer node's pipeline) of each registered route. */
  private readonly routeOwners = new Map<string, string>();
  private readonly sessions = new Map<MoqSession, ServedSession>();
  /** Sessions still in their handshake, oldest first. */
  private readonly handshaking = new Set<MoqSession>();
  private readonly maxSessions: number;
  /** Sessions closed for each reason a hostile client could trigger (observability, tests). */
  readonly refusals = { handshakeTimeout: 0, evicted: 0, forbidden: 0, tooMany: 0 };

  constructor(private readonly options: MoqServerOptions = {}) {
    this.relay = new Relay(options.limits);
    this.log = options.log ?? silentLogger;
    this.maxSessions = options.maxSessions ?? 1000;
  }

  /** Decides a connection request (the transports call it before upgrading / answering CONNECT). */
  async authorize(request: MoqConnectRequest): Promise<MoqAccess> {
    const access = this.options.authorize ? await this.options.authorize(request) : undefined;
    const principal = access?.allowed ? access.principal : OPEN_PRINCIPAL;
    if (access && !access.allowed) return access;
    const owner = this.ownerOf(this.resolve(request.path).root);
    if (owner !== undefined && !principal.canAccessOwner(owner)) {
      this.refusals.forbidden++;
      return {
        allowed: false,
        status: 403,
        reason: `MoQ path '${request.path}' belongs to a session you cannot access`,
      };
    }
    return { allowed: true, principal };
  }

  /** Closes sessions whose caller may no longer reach a route at, above or below their root. */
  recheckAccess(): void {
    for (const served of this.sessions.values()) {
      for (const [root, owner] of this.routeOwners) {
        const related =
          stripPathPrefix(root, served.root) !== undefined ||
          stripPathPrefix(served.root, root) !== undefined;
        if (related && !served.principal.canAccessOwner(owner)) {
          this.refusals.forbidden++;
          served.session.close('forbidden: the path belongs to a session you cannot access');
          break;
        }
      }
    }
  }

  /** The owner of the route `path` is at or below (the longest registered route prefix), if any. */
  ownerOf(path: string): string | undefined {
    let best: string | undefined;
    let bestLen = -1;
    for (const [root, owner] of this.routeOwners) {
      if (root.length > bestLen && stripPathPrefix(root, path) !== undefined) {
        best = owner;
        bestLen = root.length;
      }
    }
    return best;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Registers a peer route for `gatewayPath` (leading `/` optional, trailing `/` ignored). Throws when the path is
   * already registered: two peer nodes cannot share a gateway path.
   */
  registerPeerRoute(gatewayPath: string, owner?: string): PeerRoute {
    const root = normalizePath(gatewayPath);
    if (this.routes.has(root)) {
      throw new Error(
        `MoQ gateway path '/${root}' is already registered by another peer node; pick another gateway_path`,
      );
    }
    const token = Symbol(root);
    this.routeTokens.set(root, token);
    this.routes.add(root);
    if (owner !== undefined) {
      this.routeOwners.set(root, owner);
      // A client that connected before the route had an owner must be allowed by that owner too.
      this.recheckAccess();
    }
    return {
      root,
      broadcastPath: (name: string) => normalizePath(root, name),
      unregister: () => {
        if (this.routeTokens.get(root) !== token) return;
        this.routeTokens.delete(root);
        this.routes.delete(root);
        this.routeOwners.delete(root);
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

  /** Serves a session arriving at `urlPath` (already authorized: `principal`). Resolves when it ends. */
  async acceptSession(
    transport: WebTransportLike,
    urlPath: string,
    info: SessionInfo = { transport: 'websocket' },
    principal: MoqPrincipal = OPEN_PRINCIPAL,
  ): Promise<void> {
    if (this.sessions.size >= this.maxSessions) {
      this.refusals.tooMany++;
      this.log.warn('moq session refused: too many sessions', { limit: this.maxSessions });
      transport.close({ closeCode: 2, reason: `too many sessions (limit ${this.maxSessions})` });
      return;
    }
    const route = this.resolve(urlPath);
    const session = new MoqSession(transport, this.relay, {
      ...route,
      maxBacklogBytes: this.options.maxBacklogBytes,
      maxMessageBytes: this.options.maxMessageBytes,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? 10_000,
      canAccessPath: (path) => {
        const owner = this.ownerOf(path);
        return owner === undefined || principal.canAccessOwner(owner);
      },
      publisher: principal.label,
      onReady: () => this.handshaking.delete(session),
      log: this.log,
    });
    this.sessions.set(session, { session, principal, root: route.root });
    this.admitHandshake(session);
    const counts = this.transportStats[info.transport];
    counts.active++;
    counts.total++;
    this.log.debug('moq session opened', {
      path: urlPath,
      root: route.root,
      transport: info.transport,
      caller: principal.label,
    });
    try {
      await session.run();
      if (session.timedOut) this.refusals.handshakeTimeout++;
    } finally {
      this.sessions.delete(session);
      this.handshaking.delete(session);
      counts.active--;
      this.log.debug('moq session closed', { path: urlPath, transport: info.transport });
    }
  }

  /** Sessions in their handshake are bounded: the oldest gives way (a legitimate client finishes in ms). */
  private admitHandshake(session: MoqSession): void {
    const max = this.options.maxPendingHandshakes ?? 256;
    while (this.handshaking.size >= max) {
      const oldest = this.handshaking.values().next().value as MoqSession;
      this.handshaking.delete(oldest);
      this.refusals.evicted++;
      oldest.close('handshake not completed: evicted for a newer connection');
    }
    this.handshaking.add(session);
  }

  /** Sessions in their handshake now. */
  get pendingHandshakes(): number {
    return this.handshaking.size;
  }

  /** In-process publishing: registers a broadcast at relay path `path` (see `HangAudioPublisher`). */
  publish(path: string): RelayBroadcast {
    return this.relay.publish(normalizePath(path));
  }

  /** Closes every session and broadcast. */
  close(): void {
    for (const s of [...this.sessions.keys()]) s.close('server shutting down');
    this.sessions.clear();
    this.relay.close();
  }
}

export interface AttachMoqWebSocketOptions {
  /** URL path prefix served (the prefix itself and anything below it). Default `/moq`. */
  pathPrefix?: string;
  /** Return false to refuse the upgrade with 403 (the server's origin allow-list). */
  checkOrigin?: (origin: string | undefined) => boolean;
  /** Largest WebSocket message accepted (default 64 KiB; clients send at most 16 KiB of payload). */
  maxPayload?: number;
  /** Limits of each connection's stream framing. */
  transport?: WebSocketTransportOptions;
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
    maxPayload: options.maxPayload ?? 64 * 1024,
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
    if (options.checkOrigin && !options.checkOrigin(req.headers.origin)) {
      refuse(403, 'Forbidden');
      return;
    }
    void moq
      .authorize({
        path: url.pathname,
        origin: req.headers.origin,
        headers: req.headers,
        transport: 'websocket',
      })
      .then(
        (access) => {
          if (!access.allowed) {
            refuse(access.status, access.status === 403 ? 'Forbidden' : 'Refused');
            return;
          }
          wss.handleUpgrade(req, socket, head, (ws) => {
            void moq.acceptSession(
              acceptWebSocketTransport(ws, options.transport),
              url.pathname,
              { transport: 'websocket' },
              access.principal,
            );
          });
        },
        () => refuse(500, 'Internal Server Error'),
      );
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
