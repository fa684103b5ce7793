// GraphQL at /api/v1/graphql (code-first, mercurius): queries and mutations over HTTP or WebSocket,
// subscriptions over graphql-ws on the same path, GraphiQL at /graphiql when `server.graphiql` is on.
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
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
      driver: MercuriusDriver,
      inject: [CONFIG, OriginPolicy],
      useFactory: (config: Config, origins: OriginPolicy): MercuriusDriverConfig => ({
        ...SCHEMA_OPTIONS,
        path: GRAPHQL_PATH,
        graphiql: config.server.graphiql,
        errorFormatter,
        // Keep the server's one error path for transport errors (body too large, bad JSON): mercurius's
        // handler would otherwise answer them for every route, as JSON.
        errorHandler: false,
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
export class GraphqlModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // An upgrade refused over HTTP (foreign Origin: the onRequest hook answers 403 before @fastify/websocket
    // sees it) leaves the half-open socket with the HTTP server, and then server close never completes.
    fastify.addHook('onResponse', async (request, reply) => {
      if (request.headers.upgrade !== undefined && reply.statusCode >= 400) request.raw.socket?.destroy();
    });
  }
}
