// GraphQL at /api/v1/graphql (code-first, mercurius): queries and mutations over HTTP or WebSocket,
// subscriptions over graphql-ws on the same path, GraphiQL at /graphiql when `server.graphiql` is on.
// The resolvers live beside their domains (sessions/, samples/, assets/, system/) and are registered here,
// where the callers, the event hub and the connection guard they share are provided.
import { Module } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLError, type ExecutionResult } from 'graphql';
import fastifyWebsocket, { type WebsocketPluginOptions as FastifyWebsocketOptions } from '@fastify/websocket';
import mercurius, { type MercuriusContext } from 'mercurius';
import { CONFIG, type Config } from '../config';
import { OriginPolicy, WS_ORIGIN_DENIED_MESSAGE } from '../common/origin-policy';
import { AssetsModule } from '../assets/assets.module';
import { AssetsResolver } from '../assets/assets.resolver';
import { SamplesModule } from '../samples/samples.module';
import { SamplesResolver } from '../samples/samples.resolver';
import { SessionEventsResolver } from '../sessions/session-events.resolver';
import { SessionsModule } from '../sessions/sessions.module';
import { SessionsResolver } from '../sessions/sessions.resolver';
import { SystemResolver } from '../system/system.resolver';
import { GqlCallers } from './gql-context';
import { installGraphqlGuards } from './graphql-guards';
import { JSONScalar } from './json.scalar';
import { SessionEventHub } from './session-event-hub';
import { SESSION_EVENT_TYPES } from './event-types';
import { GRAPHQL_PATH, GraphqlConnections, GraphqlSocket, wsServerMaxPayload } from './ws-connections';

export { GRAPHQL_PATH };

/** What our driver takes beyond mercurius' options: the WebSocket server, and setup once mercurius has loaded. */
type DriverConfig = MercuriusDriverConfig & {
  websocket: FastifyWebsocketOptions;
  /** Runs right after mercurius is registered (not loaded yet): hooks and guards go here. */
  install: (app: FastifyInstance) => void;
};

/**
 * Registers mercurius without awaiting it, so Fastify loads it at `ready()`. Awaiting (as the stock driver
 * does, during module init) makes Fastify build Nest's routes before Nest installs its error handler, and
 * transport errors (413, bad JSON) on every route would then answer with Fastify's JSON instead of the
 * server's plain text. We use no mercurius plugins or resolver request hooks, which the stock driver wires
 * after registering. The WebSocket server is registered first, with our socket class, so mercurius uses it.
 */
class MercuriusAtReadyDriver extends MercuriusDriver {
  override async start(options: MercuriusDriverConfig): Promise<void> {
    const {
      plugins: _plugins,
      hooks: _hooks,
      websocket,
      install,
      ...mercuriusOptions
    } = options as DriverConfig;
    const app = this.httpAdapterHost.httpAdapter.getInstance<FastifyInstance>();
    void app.register(fastifyWebsocket, websocket);
    void app.register(mercurius, mercuriusOptions);
    install(app);
  }
}

/** Errors graphql-js raises itself (syntax, validation, variable coercion) get a code too. */
function errorFormatter(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  context: MercuriusContext,
) {
  const formatted = mercurius.defaultErrorFormatter(execution, context);
  for (const error of formatted.response.errors ?? []) {
    const e = error as { extensions?: Record<string, unknown> };
    if (e.extensions?.code === undefined) e.extensions = { ...e.extensions, code: 'BAD_REQUEST' };
  }
  return formatted;
}

/** Options for the schema and the driver; also used to print the committed schema. */
export const SCHEMA_OPTIONS = {
  autoSchemaFile: true,
  sortSchema: true,
  buildSchemaOptions: { orphanedTypes: SESSION_EVENT_TYPES },
} as const;

/** The per-connection guard, shared by the driver's setup and the subscription resolvers. */
@Module({ providers: [GraphqlConnections], exports: [GraphqlConnections] })
class GraphqlConnectionsModule {}

@Module({
  imports: [
    GraphqlConnectionsModule,
    SessionsModule,
    SamplesModule,
    AssetsModule,
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusAtReadyDriver,
      imports: [GraphqlConnectionsModule],
      inject: [CONFIG, OriginPolicy, GraphqlConnections],
      useFactory: (config: Config, origins: OriginPolicy, connections: GraphqlConnections): DriverConfig => ({
        ...SCHEMA_OPTIONS,
        path: GRAPHQL_PATH,
        graphiql: config.server.graphiql,
        errorFormatter,
        graphql: { parseOptions: { maxTokens: connections.limits.maxTokens } },
        subscription: { fullWsTransport: true, keepAlive: 30_000 },
        websocket: {
          options: {
            maxPayload: wsServerMaxPayload(config),
            WebSocket: GraphqlSocket,
            // The Fastify onRequest hook already refuses a foreign Origin on upgrade; this holds if the
            // upgrade is ever handled outside Fastify's routing.
            verifyClient: (info, next) =>
              origins.isUpgradeAllowed(info.req.headers)
                ? next(true)
                : next(false, 403, WS_ORIGIN_DENIED_MESSAGE),
          },
        },
        install: (app) => installGraphqlGuards(app, connections, GRAPHQL_PATH),
      }),
    }),
  ],
  providers: [
    JSONScalar,
    GqlCallers,
    SessionEventHub,
    SystemResolver,
    SessionsResolver,
    SessionEventsResolver,
    SamplesResolver,
    AssetsResolver,
  ],
  exports: [SessionEventHub],
})
export class GraphqlModule {}
