// Native HTTP/3 WebTransport through `@fails-components/webtransport` and its optional quiche transport. The
// module is loaded lazily; when the native part is missing the loader says why and the server keeps to WebSocket.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { BidirectionalStream, WebTransportCloseInfo, WebTransportLike } from './types';
import { ALPN_LITE_03, ALPN_LITE_04 } from '../protocol/messages';

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
  onSession(session: WebTransportLike, path: string): void;
}

export interface RunningHttp3Server {
  close(): void;
}

/** Starts an HTTP/3 WebTransport server on UDP `host:port`; rejects with the reason when unavailable. */
export async function startHttp3Server(options: Http3ServerOptions): Promise<RunningHttp3Server> {
  const loaded = await loadHttp3();
  if (!loaded.available) throw new Error(`HTTP/3 is off: ${loaded.reason}`);
  const server = new loaded.module.Http3Server({
    host: options.host,
    port: options.port,
    secret: randomBytes(16).toString('hex'),
    cert: options.cert,
    privKey: options.key,
  });
  const prefix = options.pathPrefix ?? '/moq';
  const protocols = new Map<string, string>();
  const watched = new Set<string>();
  const watch = (path: string): void => {
    if (watched.has(path)) return;
    watched.add(path);
    void (async () => {
      const reader = server.sessionStream(path).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        options.onSession(adaptHttp3Session(value, protocols.get(path) ?? ''), path);
      }
    })().catch(() => undefined);
  };
  server.setRequestCallback(async ({ header }) => {
    const path = new URL(header[':path'] ?? '/', 'https://localhost').pathname;
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return { status: 404, path };
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
  return { close: () => server.stopServer() };
}
