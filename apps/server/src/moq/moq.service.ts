// The server's MoQ relay: `transport::moq::*` nodes in the registry, the relay in the engine's services (the
// peer node publishes and consumes through it in-process), the WebSocket path on the HTTP port, and HTTP/3
// WebTransport on UDP at the same port once the server listens (when the native transport is installed).
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NodeRegistry, NodeServices } from '@streamkit/pipeline';
import {
  MoqServer,
  attachMoqWebSocket,
  certificateFingerprint,
  generateSelfSignedCertificate,
  startHttp3Server,
  type MoqLogger,
  type RunningHttp3Server,
} from '@streamkit/moq';
import { MOQ_SERVICE_KEY, moqNodeDefinitions } from '@streamkit/moq/nodes';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { CONFIG, type Config } from '../config';
import { LOGGER } from '../common/logging';
import { NODE_SERVICES } from '../common/node-services';
import { OriginPolicy } from '../common/origin-policy';
import { NODE_REGISTRY } from '../engine/engine.module';

export const MOQ_PATH_PREFIX = '/moq';

@Injectable()
export class MoqService implements OnModuleInit, OnApplicationShutdown {
  readonly moq: MoqServer;
  private readonly log: MoqLogger;
  private detachWebSocket?: () => void;
  private http3?: RunningHttp3Server;
  private fingerprintList: string[] = [];
  private http3Status: { enabled: boolean; reason?: string } = { enabled: false, reason: 'not started' };

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(NODE_REGISTRY) registry: NodeRegistry,
    @Inject(NODE_SERVICES) services: NodeServices,
    @Inject(LOGGER) logger: Logger,
    private readonly origins: OriginPolicy,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    const child = logger.child({ component: 'moq' });
    this.log = {
      debug: (msg, fields) => child.debug(fields ?? {}, msg),
      info: (msg, fields) => child.info(fields ?? {}, msg),
      warn: (msg, fields) => child.warn(fields ?? {}, msg),
    };
    this.moq = new MoqServer({ log: this.log });
    services[MOQ_SERVICE_KEY] = this.moq;
    for (const def of moqNodeDefinitions) if (!registry.has(def.kind)) registry.register(def);
  }

  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    const attached = attachMoqWebSocket(server, this.moq, {
      pathPrefix: MOQ_PATH_PREFIX,
      checkOrigin: (_origin, req) => this.origins.isUpgradeAllowed(req.headers),
    });
    this.detachWebSocket = () => attached.close();
    // @fastify/websocket (GraphQL subscriptions) routes every upgrade through Fastify too: unclaimed, `/moq`
    // would get a 404 written into the socket the relay just upgraded (and GraphQL's hook would destroy it).
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const claim = (req: FastifyRequest, reply: FastifyReply): void => {
      if (req.headers.upgrade !== undefined) {
        reply.hijack();
        return;
      }
      void reply
        .code(426)
        .header('upgrade', 'websocket')
        .type('text/plain; charset=utf-8')
        .send(
          `MoQ: connect with WebTransport or a WebSocket (subprotocol 'webtransport') to ${MOQ_PATH_PREFIX}`,
        );
    };
    fastify.get(MOQ_PATH_PREFIX, claim);
    fastify.get(`${MOQ_PATH_PREFIX}/*`, claim);
  }

  /** Called once the HTTP server listens: HTTP/3 binds UDP on the same host and port. */
  async onListening(host: string, port: number): Promise<void> {
    if (this.http3) return;
    const { tls, cert_path, key_path } = this.config.server;
    const pem =
      tls && cert_path && key_path
        ? { cert: readFileSync(cert_path, 'utf8'), key: readFileSync(key_path, 'utf8') }
        : generateSelfSignedCertificate();
    try {
      this.http3 = await startHttp3Server({
        host,
        port,
        cert: pem.cert,
        key: pem.key,
        pathPrefix: MOQ_PATH_PREFIX,
        onSession: (session, path) => void this.moq.acceptSession(session, path),
      });
      this.fingerprintList = [certificateFingerprint(pem.cert)];
      this.http3Status = { enabled: true };
      this.log.info('MoQ over HTTP/3 WebTransport enabled', { port });
    } catch (err) {
      this.http3Status = { enabled: false, reason: (err as Error).message.replace(/^HTTP\/3 is off: /, '') };
      this.log.warn(
        `MoQ HTTP/3 is off (${this.http3Status.reason}); MoQ is served over the WebSocket path ${MOQ_PATH_PREFIX}`,
      );
    }
  }

  get http3Enabled(): { enabled: boolean; reason?: string } {
    return this.http3Status;
  }

  fingerprints(): string[] {
    return this.fingerprintList;
  }

  onApplicationShutdown(): void {
    this.http3?.close();
    this.detachWebSocket?.();
    this.moq.close();
  }
}
