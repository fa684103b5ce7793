// HTTP/3 WebTransport for the relay: `@fails-components/webtransport` when its optional native transport is
// installed (its install downloads a binary, so it often is not), otherwise our own HTTP/3 layer on the quiche
// binary that `@matrixai/quic` ships inside its npm package. Both hand the relay the same WebTransportLike.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { BidirectionalStream, WebTransportCloseInfo, WebTransportLike } from './types';
import { ALPN_LITE_03, ALPN_LITE_04 } from '../protocol/messages';
import {
  DEFAULT_H3_LIMITS,
  H3Connection,
  parseProtocolList,
  type H3Limits,
  type Http3WebTransportSession,
  type WebTransportDecision,
  type WebTransportRequest,
} from './h3/webtransport';
import { QuicEndpoint, type QuicLimits } from './quic/endpoint';
import { loadQuiche, type QuicheBinding } from './quic/quiche';

const QUICHE_PACKAGE = '@fails-components/webtransport-transport-http3-quiche';
const WEBTRANSPORT_PACKAGE = '@fails-components/webtransport';

/** A `@fails-components/webtransport` session: the W3C shape, `protocol` not always set. */
export interface Http3Session {
  ready: Promise<void>;
  closed: Promise<WebTransportCloseInfo>;
  protocol?: string;
  incomingBidirectionalStreams: ReadableStream<BidirectionalStream>;
  incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  createBidirectionalStream(): Promise<BidirectionalStream>;
  createUnidirectionalStream(): Promise<WritableStream<Uint8Array>>;
  close(info?: Partial<WebTransportCloseInfo>): void;
}

interface FailsHttp3Server {
  startServer(): void;
  stopServer(): void;
  ready: Promise<void>;
  sessionStream(path: string): ReadableStream<Http3Session>;
  setRequestCallback(cb: (req: { header: Record<string, string> }) => Promise<Record<string, unknown>>): void;
}

interface FailsModule {
  Http3Server: new (init: Record<string, unknown>) => FailsHttp3Server;
  quicheLoaded: Promise<unknown>;
}

export type Http3Availability =
  { available: true; module: FailsModule } | { available: false; reason: string };

let cached: Promise<Http3Availability> | undefined;

/** Loads the HTTP/3 stack once; never throws. */
export function loadHttp3(): Promise<Http3Availability> {
  cached ??= (async (): Promise<Http3Availability> => {
    const resolver = createRequire(__filename);
    try {
      resolver.resolve(`${QUICHE_PACKAGE}/package.json`);
    } catch {
      return {
        available: false,
        reason: `optional dependency ${QUICHE_PACKAGE} is not installed (its install downloads a prebuilt binary, which failed or was skipped)`,
      };
    }
    try {
      const mod = (await import(WEBTRANSPORT_PACKAGE)) as unknown as FailsModule;
      await mod.quicheLoaded;
      return { available: true, module: mod };
    } catch (err) {
      return {
        available: false,
        reason: `loading ${WEBTRANSPORT_PACKAGE} failed: ${(err as Error).message}`,
      };
    }
  })();
  return cached;
}

/** Adapts a fails-components session to WebTransportLike (the shapes match; `protocol` may be missing). */
export function adaptHttp3Session(session: Http3Session, protocol: string): WebTransportLike {
  return {
    ready: session.ready,
    closed: session.closed,
    protocol: session.protocol || protocol,
    incomingBidirectionalStreams: session.incomingBidirectionalStreams,
    incomingUnidirectionalStreams: session.incomingUnidirectionalStreams,
    createBidirectionalStream: () => session.createBidirectionalStream(),
    createUnidirectionalStream: () => session.createUnidirectionalStream(),
    close: (info) => session.close(info),
  };
}

/** Picks the moq-lite protocol from a `wt-available-protocols` header (structured-field list of strings). */
export function selectHttp3Protocol(header: string | undefined): string {
  const offered = (header ?? '').split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
  if (offered.includes(ALPN_LITE_04)) return ALPN_LITE_04;
  if (offered.includes(ALPN_LITE_03)) return ALPN_LITE_03;
  return '';
}

export interface Http3ServerOptions {
  host: string;
  port: number;
  cert: string;
  key: string;
  /** URL path prefix served (default `/moq`). */
  pathPrefix?: string;
  /**
   * Decides a WebTransport CONNECT (origin, role...): a non-2xx status refuses it. The built-in HTTP/3 stack
   * asks before answering; `@fails-components` answers on its own, so there the session is closed instead.
   */
  authorize?(request: WebTransportRequest): WebTransportDecision | Promise<WebTransportDecision>;
  onSession(session: WebTransportLike, path: string, request?: WebTransportRequest): void;
  /** Which stack: the `@fails-components` native one when installed, else ours on quiche (default `auto`). */
  implementation?: 'auto' | 'quiche' | 'fails-components';
  quicLimits?: Partial<QuicLimits>;
  h3Limits?: Partial<H3Limits>;
}

export interface Http3Stats {
  connections: number;
  sessions: number;
  accepted: number;
  refused: number;
}

export interface RunningHttp3Server {
  readonly implementation: 'quiche' | 'fails-components';
  /** The UDP port (useful with port 0). */
  readonly port: number;
  /** New connections use this certificate (the built-in stack only; open sessions are kept). */
  setCertificate(cert: string, key: string): boolean;
  stats(): Http3Stats;
  close(): void;
}

/** Starts an HTTP/3 WebTransport server on UDP `host:port`; rejects with the reason when unavailable. */
export async function startHttp3Server(options: Http3ServerOptions): Promise<RunningHttp3Server> {
  const choice = options.implementation ?? 'auto';
  if (choice !== 'quiche') {
    const fails = await loadHttp3();
    if (fails.available) return startFailsServer(options, fails.module);
    if (choice === 'fails-components') throw new Error(`HTTP/3 is off: ${fails.reason}`);
  }
  const quiche = loadQuiche();
  if (!quiche.available) throw new Error(`HTTP/3 is off: ${quiche.reason}`);
  return startQuicheServer(options, quiche.binding);
}

function pathOf(request: string): string {
  return new URL(request, 'https://localhost').pathname;
}

async function startQuicheServer(
  options: Http3ServerOptions,
  binding: QuicheBinding,
): Promise<RunningHttp3Server> {
  const prefix = options.pathPrefix ?? '/moq';
  const h3Limits = { ...DEFAULT_H3_LIMITS, ...options.h3Limits };
  let sessions = 0;
  const hooks = {
    authorize: async (request: WebTransportRequest): Promise<WebTransportDecision> => {
      const path = pathOf(request.path);
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return { status: 404 };
      const decision = options.authorize ? await options.authorize(request) : { status: 200 };
      if (decision.status < 200 || decision.status > 299) return decision;
      return {
        ...decision,
        protocol: decision.protocol ?? selectHttp3Protocol(request.protocols.map((p) => `"${p}"`).join(', ')),
      };
    },
    onSession: (session: Http3WebTransportSession, request: WebTransportRequest) => {
      sessions++;
      void session.closed.then(() => sessions--);
      options.onSession(session, pathOf(request.path), request);
    },
  };
  const endpoint = await QuicEndpoint.listen({
    binding,
    host: options.host,
    port: options.port,
    cert: options.cert,
    key: options.key,
    alpn: ['h3'],
    limits: options.quicLimits,
    onConnection: (conn) => void new H3Connection(conn, h3Limits, { server: hooks }),
  });
  return {
    implementation: 'quiche',
    port: endpoint.port,
    setCertificate: (cert, key) => {
      endpoint.setCertificate(cert, key);
      return true;
    },
    stats: () => ({
      connections: endpoint.connectionCount,
      sessions,
      accepted: endpoint.stats.accepted,
      refused: endpoint.stats.refused,
    }),
    close: () => endpoint.close(),
  };
}

async function startFailsServer(
  options: Http3ServerOptions,
  module: FailsModule,
): Promise<RunningHttp3Server> {
  const server = new module.Http3Server({
    host: options.host,
    port: options.port,
    secret: randomBytes(16).toString('hex'),
    cert: options.cert,
    privKey: options.key,
  });
  const prefix = options.pathPrefix ?? '/moq';
  const protocols = new Map<string, string>();
  const watched = new Set<string>();
  let sessions = 0;
  const watch = (path: string): void => {
    if (watched.has(path)) return;
    watched.add(path);
    void (async () => {
      const reader = server.sessionStream(path).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        sessions++;
        void value.closed.then(
          () => sessions--,
          () => sessions--,
        );
        options.onSession(adaptHttp3Session(value, protocols.get(path) ?? ''), path);
      }
    })().catch(() => undefined);
  };
  server.setRequestCallback(async ({ header }) => {
    const path = pathOf(header[':path'] ?? '/');
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return { status: 404, path };
    if (options.authorize) {
      const headers = new Map(Object.entries(header).filter(([k]) => !k.startsWith(':')));
      const decision = await options.authorize({
        path: header[':path'] ?? '/',
        authority: header[':authority'] ?? '',
        origin: header.origin,
        headers,
        protocols: parseProtocolList(header['wt-available-protocols']),
        remote: { host: '', port: 0 },
      });
      if (decision.status < 200 || decision.status > 299) return { status: decision.status, path };
    }
    const protocol = selectHttp3Protocol(header['wt-available-protocols']);
    protocols.set(path, protocol);
    watch(path);
    return {
      status: 200,
      path,
      header: protocol ? { 'wt-protocol': `"${protocol}"` } : {},
      selectedProtocol: protocol,
    };
  });
  server.startServer();
  await server.ready;
  return {
    implementation: 'fails-components',
    port: options.port,
    setCertificate: () => false,
    stats: () => ({ connections: sessions, sessions, accepted: 0, refused: 0 }),
    close: () => server.stopServer(),
  };
}
