// Test/bench support: runs `@moq/lite` clients in Node 20 (Promise.withResolvers, Set.prototype.difference
// and a global WebSocket arrive only in Node 22) against a MoqServer on an ephemeral port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import * as Moq from '@moq/lite';
import { ensureMoqClientRuntime } from '../client/runtime';
import { generateSelfSignedCertificate } from '../transport/cert';
import { connectWebTransport } from '../transport/h3/client';
import { startHttp3Server, type RunningHttp3Server } from '../transport/http3';
import { MoqServer, attachMoqWebSocket, type MoqServerOptions } from '../server';
import type { WebTransportLike } from '../transport/types';
import {
  WebSocketTransport,
  acceptWebSocketTransport,
  selectWebTransportSubprotocol,
} from '../transport/websocket';

/** Installs what `@moq/lite` expects from a browser or Node 22; idempotent. Quiet by default. */
export function installMoqClientEnv(options: { quiet?: boolean } = {}): void {
  ensureMoqClientRuntime();
  if (options.quiet ?? true) {
    // @moq/lite narrates every stream through console.debug/log/warn, and reports a closed connection as an error.
    console.debug = () => undefined;
    console.error = () => undefined;
    console.log = () => undefined;
    console.warn = () => undefined;
  }
}

export interface TestMoqServer {
  moq: MoqServer;
  http: Server;
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): URL;
  /** SHA-256 of the HTTP/3 certificate (when `http3`). */
  fingerprint?: string;
  /** A `@moq/lite` connection to `path` over the WebSocket path or HTTP/3 WebTransport. */
  connect(path: string, transport?: TestTransport): Promise<Moq.Connection.Established>;
  close(): Promise<void>;
}

export interface TestMoqServerOptions extends MoqServerOptions {
  /**
   * Wraps each accepted transport before the relay sees it (e.g. `adaptHttp3Session`, to drive the relay through
   * the generic WHATWG-stream path HTTP/3 sessions take). Replaces attachMoqWebSocket's upgrade handling.
   */
  wrapTransport?: (t: WebSocketTransport) => WebTransportLike;
  /** Also serve HTTP/3 WebTransport (quiche) on the same port, with a fresh self-signed certificate. */
  http3?: boolean;
}

export type TestTransport = 'websocket' | 'webtransport';

/** A MoqServer behind a real HTTP server on 127.0.0.1 (`port`, default ephemeral), WebSocket path `/moq`. */
export async function startTestMoqServer(
  options: TestMoqServerOptions = {},
  port = 0,
): Promise<TestMoqServer> {
  const moq = new MoqServer(options);
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const wrap = options.wrapTransport;
  let attachment: { close(): void };
  if (wrap) {
    const wss = new WebSocketServer({
      server: http,
      handleProtocols: (p) => selectWebTransportSubprotocol(p),
    });
    wss.on('connection', (ws, req) => {
      void moq.acceptSession(
        wrap(acceptWebSocketTransport(ws)),
        new URL(req.url ?? '/', 'http://x').pathname,
      );
    });
    attachment = { close: () => wss.close() };
  } else {
    attachment = attachMoqWebSocket(http, moq, { pathPrefix: '/moq' });
  }
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const bound = (http.address() as AddressInfo).port;
  let h3: RunningHttp3Server | undefined;
  let fingerprint: string | undefined;
  if (options.http3) {
    const cert = await generateSelfSignedCertificate();
    fingerprint = cert.fingerprint;
    h3 = await startHttp3Server({
      host: '127.0.0.1',
      port: bound,
      cert: cert.cert,
      key: cert.key,
      implementation: 'quiche',
      onSession: (session, path) => void moq.acceptSession(session, path, { transport: 'webtransport' }),
    });
  }
  const url = (path: string) => new URL(`http://127.0.0.1:${bound}${path}`);
  return {
    moq,
    http,
    port: bound,
    url,
    fingerprint,
    connect: async (path, transport = 'websocket') => {
      if (transport === 'websocket') return Moq.Connection.connect(url(path));
      if (!fingerprint) throw new Error('start the test server with http3: true');
      const session = await connectWebTransport(`https://127.0.0.1:${bound}${path}`, {
        certificateHashes: [fingerprint],
        protocols: ['moq-lite-04', 'moq-lite-03'],
      });
      return Moq.Connection.connect(url(path), { transport: session } as unknown as Parameters<
        typeof Moq.Connection.connect
      >[1]);
    },
    close: async () => {
      h3?.close();
      moq.close();
      attachment.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * A client-side WebTransport over the WebSocket framing, for `@moq/lite`'s `Connection.connect(url, { transport })`.
 * `protocol` pins a version (`moq-lite-04`, `moq-lite-03`); without it SETUP negotiates (lite-02).
 */
export async function connectClientTransport(url: URL, protocol?: string): Promise<WebSocketTransport> {
  const ws = new WebSocket(url.toString().replace(/^http/, 'ws'), [
    protocol ? `webtransport.${protocol}` : 'webtransport',
  ]);
  // Listen before the socket opens: the server may send in the same packet as its upgrade answer.
  const transport = new WebSocketTransport(ws, { role: 'client' });
  await transport.ready;
  return transport;
}

/** Polls `cond` every few ms until true; rejects with `what` after `timeoutMs`. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
