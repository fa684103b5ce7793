// The server's MoQ relay: `transport::moq::*` nodes in the registry, the relay in the engine's services (the
// peer node publishes and consumes through it in-process), the WebSocket path on the HTTP port, and HTTP/3
// WebTransport on UDP at the same port once the server listens. Every connection is checked on the upgrade
// (origin) and every path it touches against the role of its caller (the session owning the path).
import { Inject, Injectable, NotFoundException, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NodeRegistry, NodeServices } from '@streamkit/pipeline';
import {
  MoqGateway,
  type MoqAccess,
  type MoqConnectRequest,
  type MoqLogger,
  type MoqServer,
} from '@streamkit/moq';
import { MOQ_SERVICE_KEY, moqNodeDefinitions } from '@streamkit/moq/nodes';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { Logger } from 'pino';
import { CONFIG, type Config } from '../config';
import { LOGGER } from '../common/logging';
import { NODE_SERVICES } from '../common/node-services';
import { OriginPolicy } from '../common/origin-policy';
import { NODE_REGISTRY } from '../engine/engine.module';
import { PermissionsService } from '../permissions/permissions.service';
import { SessionsService } from '../sessions/sessions.service';

export const MOQ_PATH_PREFIX = '/moq';

@Injectable()
export class MoqService implements OnModuleInit, OnApplicationShutdown {
  readonly gateway: MoqGateway;
  readonly moq: MoqServer;
  private readonly log: MoqLogger;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(NODE_REGISTRY) registry: NodeRegistry,
    @Inject(NODE_SERVICES) services: NodeServices,
    @Inject(LOGGER) logger: Logger,
    private readonly origins: OriginPolicy,
    private readonly adapterHost: HttpAdapterHost,
    private readonly permissions: PermissionsService,
    private readonly sessions: SessionsService,
  ) {
    const child = logger.child({ component: 'moq' });
    this.log = {
      debug: (msg, fields) => child.debug(fields ?? {}, msg),
      info: (msg, fields) => child.info(fields ?? {}, msg),
      warn: (msg, fields) => child.warn(fields ?? {}, msg),
    };
    const { tls, cert_path, key_path } = config.server;
    const limits = config.moq;
    this.gateway = new MoqGateway({
      log: this.log,
      pathPrefix: MOQ_PATH_PREFIX,
      checkOrigin: (origin) => origin === undefined || this.origins.isAllowed(origin),
      http3: limits.http3,
      tls:
        tls && cert_path && key_path
          ? { cert: readFileSync(cert_path, 'utf8'), key: readFileSync(key_path, 'utf8') }
          : undefined,
      maxSessions: limits.max_sessions,
      handshakeTimeoutMs: limits.handshake_timeout_ms,
      maxPendingHandshakes: limits.max_pending_handshakes,
      maxMessageBytes: limits.max_message_bytes,
      maxStreamsPerConnection: limits.max_streams_per_connection,
      authorize: (request) => this.authorize(request),
      quicLimits: {
        maxConnections: limits.max_http3_connections,
        idleTimeoutMs: limits.idle_timeout_ms,
        maxStreamsBidi: limits.max_streams_per_connection,
        maxStreamsUni: limits.max_streams_per_connection,
      },
    });
    this.moq = this.gateway.moq;
    services[MOQ_SERVICE_KEY] = this.moq;
    for (const def of moqNodeDefinitions) if (!registry.has(def.kind)) registry.register(def);
  }

  /**
   * The caller's role comes from the request as for any API call (the trusted role header, else the default
   * role); it may reach the paths of sessions it could see over REST (its own, or all with
   * access_all_sessions). Paths no session owns are an open relay scope.
   */
  private authorize(request: MoqConnectRequest): MoqAccess {
    const caller = this.permissions.resolve(request.headers as IncomingHttpHeaders);
    return {
      allowed: true,
      principal: {
        label: caller.role,
        canAccessOwner: (sessionId) => {
          try {
            this.sessions.find(caller, sessionId);
            return true;
          } catch (err) {
            // A route registered while its session is being created has no record yet: recheckAccess runs
            // again once it does.
            return err instanceof NotFoundException;
          }
        },
      },
    };
  }

  onModuleInit(): void {
    this.unsubscribe = this.sessions.onChange((change) => {
      if (change.type === 'created') this.moq.recheckAccess();
    });
    this.gateway.attachWebSocket(this.adapterHost.httpAdapter.getHttpServer() as Server);
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
    await this.gateway.startHttp3(host, port);
  }

  get http3Enabled(): { enabled: boolean; reason?: string } {
    return this.gateway.http3;
  }

  fingerprints(): string[] {
    return this.gateway.fingerprints();
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
    this.gateway.close();
  }
}
