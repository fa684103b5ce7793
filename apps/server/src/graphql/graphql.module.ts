// GraphQL at /api/v1/graphql (code-first, mercurius): queries and mutations over HTTP or WebSocket,
// subscriptions over graphql-ws on the same path, GraphiQL at /graphiql when `server.graphiql` is on.
import { Module } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLError, type ExecutionResult } from 'graphql';
import mercurius, { type MercuriusContext } from 'mercurius';
import { CONFIG, type Config } from '../config';
import { OriginPolicy, WS_ORIGIN_DENIED_MESSAGE } from '../common/origin-policy';
import { AssetsModule } from '../assets/assets.module';
import { SamplesModule } from '../samples/samples.module';
import { SessionsModule } from '../sessions/sessions.module';
import { GqlCallers } from './gql-context';
import { JSONScalar } from './json.scalar';
import { LibraryResolver } from './library.resolver';
import { SessionEventHub } from './session-event-hub';
import { SessionsResolver } from './sessions.resolver';
import { SubscriptionsResolver } from './subscriptions.resolver';
import { SystemResolver } from './system.resolver';
import { SESSION_EVENT_TYPES } from './types';

export const GRAPHQL_PATH = '/api/v1/graphql';

/**
 * Registers mercurius without awaiting it, so Fastify loads it at `ready()`. Awaiting (as the stock driver
 * does, during module init) makes Fastify build Nest's routes before Nest installs its error handler, and
 * transport errors (413, bad JSON) on every route would then answer with Fastify's JSON instead of the
 * server's plain text. We use no mercurius plugins, hooks or resolver request hooks, which the stock
 * driver wires after registering.
 */
class MercuriusAtReadyDriver extends MercuriusDriver {
  override async start(options: MercuriusDriverConfig): Promise<void> {
    const { plugins: _plugins, hooks: _hooks, ...mercuriusOptions } = options;
    void this.httpAdapterHost.httpAdapter
      .getInstance<FastifyInstance>()
      .register(mercurius, mercuriusOptions);
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

@Module({
  imports: [
    SessionsModule,
    SamplesModule,
    AssetsModule,
    GraphQLModule.forRootAsync<MercuriusDriverConfig>({
      driver: MercuriusAtReadyDriver,
      inject: [CONFIG, OriginPolicy],
      useFactory: (config: Config, origins: OriginPolicy): MercuriusDriverConfig => ({
        ...SCHEMA_OPTIONS,
        path: GRAPHQL_PATH,
        graphiql: config.server.graphiql,
        errorFormatter,
        subscription: {
          fullWsTransport: true,
          keepAlive: 30_000,
          // The Fastify onRequest hook already refuses a foreign Origin on upgrade; this holds if the
          // upgrade is ever handled outside Fastify's routing.
          verifyClient: (info, next) =>
            origins.isUpgradeAllowed(info.req.headers)
              ? next(true)
              : next(false, 403, WS_ORIGIN_DENIED_MESSAGE),
        },
      }),
    }),
  ],
  providers: [
    JSONScalar,
    GqlCallers,
    SessionEventHub,
    SystemResolver,
    SessionsResolver,
    SubscriptionsResolver,
    LibraryResolver,
  ],
  exports: [SessionEventHub],
})
export class GraphqlModule {}
