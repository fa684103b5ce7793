// One call for the server: the relay, the WebSocket path on the HTTP server, and HTTP/3 on UDP at the same
// port when the native transport is installed (otherwise logged once, with the reason, and skipped).
import type { Server } from 'node:http';
import type { MoqLogger } from './protocol/session';
import {
  MoqServer,
  attachMoqWebSocket,
  type AttachMoqWebSocketOptions,
  type MoqServerOptions,
} from './server';
import { certificateFingerprint, generateSelfSignedCertificate } from './transport/cert';
import { startHttp3Server, type RunningHttp3Server } from './transport/http3';

export interface MoqGatewayOptions extends MoqServerOptions {
  /** The HTTP server (Fastify's `server`) whose `upgrade` events carry the WebSocket path. */
  httpServer: Server;
  /** Address the HTTP server listens on; HTTP/3 binds UDP on the same host and port. */
  host: string;
  port: number;
  /** URL path prefix served (default `/moq`). */
  pathPrefix?: string;
  checkOrigin?: AttachMoqWebSocketOptions['checkOrigin'];
  /** PEM certificate and key for HTTP/3; without them a self-signed ECDSA P-256 one (13 days) is made. */
  tls?: { cert: string; key: string };
  /** Try HTTP/3 at all (default true). */
  http3?: boolean;
  log?: MoqLogger;
}

export interface MoqGateway {
  readonly moq: MoqServer;
  /** SHA-256 fingerprints (hex) of the certificate browsers must accept for HTTP/3; empty while HTTP/3 is off. */
  fingerprints(): string[];
  readonly http3: { enabled: boolean; reason?: string };
  close(): void;
}

export async function startMoqGateway(options: MoqGatewayOptions): Promise<MoqGateway> {
  const moq = new MoqServer(options);
  const pathPrefix = options.pathPrefix ?? '/moq';
  const ws = attachMoqWebSocket(options.httpServer, moq, { pathPrefix, checkOrigin: options.checkOrigin });
  let http3: RunningHttp3Server | undefined;
  let fingerprints: string[] = [];
  let status: { enabled: boolean; reason?: string } = { enabled: false, reason: 'disabled by configuration' };
  if (options.http3 !== false) {
    const tls = options.tls ?? generateSelfSignedCertificate();
    try {
      http3 = await startHttp3Server({
        host: options.host,
        port: options.port,
        cert: tls.cert,
        key: tls.key,
        pathPrefix,
        onSession: (session, path) => void moq.acceptSession(session, path),
      });
      fingerprints = [certificateFingerprint(tls.cert)];
      status = { enabled: true };
    } catch (err) {
      status = { enabled: false, reason: (err as Error).message };
    }
  }
  if (status.enabled)
    options.log?.info('MoQ over HTTP/3 WebTransport enabled', { port: options.port, pathPrefix });
  else
    options.log?.warn(`MoQ HTTP/3 is off (${status.reason}); serving MoQ over the WebSocket path only`, {
      pathPrefix,
    });
  return {
    moq,
    fingerprints: () => fingerprints,
    http3: status,
    close: () => {
      http3?.close();
      ws.close();
      moq.close();
    },
  };
}
