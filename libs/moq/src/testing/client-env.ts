// Test/bench support: runs `@moq/lite` clients in Node 20 (Promise.withResolvers, Set.prototype.difference
// and a global WebSocket arrive only in Node 22) against a MoqServer on an ephemeral port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { ensureMoqClientRuntime } from '../client/runtime';
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
  close(): Promise<void>;
}

export interface TestMoqServerOptions extends MoqServerOptions {
  /**
   * Wraps each accepted transport before the relay sees it (e.g. `adaptHttp3Session`, to drive the relay through
   * the generic WHATWG-stream path HTTP/3 sessions take). Replaces attachMoqWebSocket's upgrade handling.
   */
  wrapTransport?: (t: WebSocketTransport) => WebTransportLike;
}

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
  return {
    moq,
    http,
    port: bound,
    url: (path) => new URL(`http://127.0.0.1:${bound}${path}`),
    close: async () => {
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
