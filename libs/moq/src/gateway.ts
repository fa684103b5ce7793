// The relay and both ways browsers reach it: the WebSocket path on the HTTP server, and HTTP/3 WebTransport on
// UDP at the same port (`@fails-components` when its native part is installed, else our stack on quiche),
// with the certificate browsers pin by hash made and rotated here. HTTP/3 that cannot start is logged once,
// with the reason, and MoQ keeps to the WebSocket path.
import type { Server } from 'node:http';
import type { MoqLogger } from './protocol/session';
import {
  MoqServer,
  attachMoqWebSocket,
  type AttachMoqWebSocketOptions,
  type MoqPrincipal,
  type MoqServerOptions,
  type MoqWebSocketAttachment,
} from './server';
import { CertificateRotator } from './transport/cert';
import type { H3Limits, WebTransportRequest } from './transport/h3/webtransport';
import { startHttp3Server, type Http3ServerOptions, type RunningHttp3Server } from './transport/http3';
import type { QuicLimits } from './transport/quic/endpoint';

export interface MoqGatewayOptions extends MoqServerOptions {
  /** URL path prefix served (default `/moq`). */
  pathPrefix?: string;
  checkOrigin?: AttachMoqWebSocketOptions['checkOrigin'];
  /** PEM certificate and key for HTTP/3; without them a self-signed ECDSA P-256 one is made and rotated. */
  tls?: { cert: string; key: string };
  /** Validity of the self-signed certificate (under 14 days; default 13) and how early it is replaced. */
  certificateValidityMs?: number;
  certificateRotateBeforeMs?: number;
  /** Try HTTP/3 at all (default true). */
  http3?: boolean;
  http3Implementation?: Http3ServerOptions['implementation'];
  quicLimits?: Partial<QuicLimits>;
  h3Limits?: Partial<H3Limits>;
  /** Streams a client may have open per connection and direction (both transports; default 256). */
  maxStreamsPerConnection?: number;
  log?: MoqLogger;
}

export interface Http3Status {
  enabled: boolean;
  reason?: string;
  implementation?: 'quiche' | 'fails-components';
}

export class MoqGateway {
  readonly moq: MoqServer;
  private ws: MoqWebSocketAttachment | undefined;
  private h3: RunningHttp3Server | undefined;
  private certs: CertificateRotator | undefined;
  private status: Http3Status = { enabled: false, reason: 'not started' };
  private readonly pathPrefix: string;
  /** The principal each accepted HTTP/3 CONNECT was authorized as, until its session starts. */
  private readonly principals = new WeakMap<WebTransportRequest, MoqPrincipal>();

  constructor(private readonly options: MoqGatewayOptions = {}) {
    this.moq = new MoqServer(options);
    this.pathPrefix = options.pathPrefix ?? '/moq';
  }

  /** Serves the WebSocket path on `httpServer`'s upgrades. */
  attachWebSocket(httpServer: Server): void {
    this.ws?.close();
    this.ws = attachMoqWebSocket(httpServer, this.moq, {
      pathPrefix: this.pathPrefix,
      checkOrigin: this.options.checkOrigin,
      transport: {
        maxStreams: this.options.maxStreamsPerConnection,
        maxPendingStreams: this.options.maxStreamsPerConnection
          ? Math.min(64, this.options.maxStreamsPerConnection)
          : undefined,
      },
    });
  }

  /** Starts HTTP/3 on UDP `host:port`; never throws (the status says why it is off). */
  async startHttp3(host: string, port: number): Promise<Http3Status> {
    const log = this.options.log;
    if (this.options.http3 === false) {
      this.status = { enabled: false, reason: 'disabled by configuration' };
    } else if (!this.h3) {
      try {
        this.certs = new CertificateRotator({
          configured: this.options.tls,
          validityMs: this.options.certificateValidityMs,
          rotateBeforeMs: this.options.certificateRotateBeforeMs,
          onRotate: (next) => {
            const taken = this.h3?.setCertificate(next.cert, next.key) ?? false;
            log?.info('MoQ HTTP/3 certificate rotated', {
              fingerprint: next.fingerprint,
              notAfter: next.notAfter.toISOString(),
              applied: taken,
            });
          },
          onError: (err) => log?.warn('MoQ HTTP/3 certificate rotation failed', { error: err.message }),
        });
        const cert = await this.certs.start();
        this.h3 = await startHttp3Server({
          host,
          port,
          cert: cert.cert,
          key: cert.key,
          pathPrefix: this.pathPrefix,
          implementation: this.options.http3Implementation,
          quicLimits: this.options.quicLimits,
          h3Limits: this.options.h3Limits,
          authorize: async (request) => {
            if (this.options.checkOrigin && !this.options.checkOrigin(request.origin)) return { status: 403 };
            const access = await this.moq.authorize({
              path: new URL(request.path, 'https://localhost').pathname,
              origin: request.origin,
              headers: Object.fromEntries(request.headers),
              transport: 'webtransport',
            });
            if (!access.allowed) return { status: access.status, reason: access.reason };
            this.principals.set(request, access.principal);
            return { status: 200 };
          },
          onSession: (session, path, request) => {
            const principal = request ? this.principals.get(request) : undefined;
            void this.moq.acceptSession(session, path, { transport: 'webtransport' }, principal);
          },
        });
        this.status = { enabled: true, implementation: this.h3.implementation };
      } catch (err) {
        this.certs?.stop();
        this.certs = undefined;
        this.status = { enabled: false, reason: (err as Error).message.replace(/^HTTP\/3 is off: /, '') };
      }
    }
    if (this.status.enabled)
      log?.info('MoQ over HTTP/3 WebTransport enabled', { port, implementation: this.status.implementation });
    else
      log?.warn(
        `MoQ HTTP/3 is off (${this.status.reason}); MoQ is served over the WebSocket path ${this.pathPrefix}`,
      );
    return this.status;
  }

  get http3(): Http3Status {
    return this.status;
  }

  /** SHA-256 fingerprints (hex) of the certificate browsers must accept for HTTP/3; empty while HTTP/3 is off. */
  fingerprints(): string[] {
    return this.status.enabled && this.certs ? this.certs.fingerprints() : [];
  }

  /** HTTP/3 connection counts (zeros while off). */
  http3Stats(): { connections: number; sessions: number; accepted: number; refused: number } {
    return this.h3?.stats() ?? { connections: 0, sessions: 0, accepted: 0, refused: 0 };
  }

  /** The certificate rotator (tests rotate on demand). */
  get certificates(): CertificateRotator | undefined {
    return this.certs;
  }

  close(): void {
    this.certs?.stop();
    this.h3?.close();
    this.ws?.close();
    this.moq.close();
  }
}

/** One call: the relay, the WebSocket path on `httpServer`, and HTTP/3 on UDP `host:port`. */
export async function startMoqGateway(
  options: MoqGatewayOptions & { httpServer: Server; host: string; port: number },
): Promise<MoqGateway> {
  const gateway = new MoqGateway(options);
  gateway.attachWebSocket(options.httpServer);
  await gateway.startHttp3(options.host, options.port);
  return gateway;
}
