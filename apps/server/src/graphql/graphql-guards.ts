// Installs the GraphQL bounds on the Fastify app that hosts mercurius: cost checks before graphql-js validates
// (HTTP, WebSocket queries and subscriptions, which mercurius never validates), the WebSocket connection guard,
// and the cap on an HTTP result's size.
import type { FastifyInstance } from 'fastify';
import { validate } from 'graphql';
import { ErrorWithProps } from 'mercurius';
import { checkDocumentCost, checkSourceShape } from './query-cost';
import { GraphqlConnections, RESPONSE_TOO_LARGE, responseTooLargeMessage } from './ws-connections';

export function installGraphqlGuards(
  app: FastifyInstance,
  connections: GraphqlConnections,
  path: string,
): void {
  const limits = connections.limits;

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.routeOptions.url !== path || typeof payload !== 'string') return payload;
    const max = limits.maxResponseBytes;
    if (payload.length * 3 <= max) return payload;
    const bytes = Buffer.byteLength(payload);
    if (bytes <= max) return payload;
    reply.code(400).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({
      data: null,
      errors: [{ message: responseTooLargeMessage(bytes, max), extensions: { code: RESPONSE_TOO_LARGE } }],
    });
  });

  // `app.graphql` and `app.websocketServer` exist once mercurius (registered just before) has loaded.
  void app.register(async () => {
    app.websocketServer.on('connection', connections.onConnection);
    app.graphql.addHook('preParsing', async (_schema, source) => checkSourceShape(source, limits));
    app.graphql.addHook('preValidation', async (_schema, document) => checkDocumentCost(document, limits));
    app.graphql.addHook('preSubscriptionExecution', async (schema, document) => {
      checkDocumentCost(document, limits);
      // mercurius executes subscriptions without validating them: do it here, once the cost is known small.
      const errors = validate(schema, document);
      if (errors.length > 0) {
        throw new ErrorWithProps(errors.map((e) => e.message).join('; '), { code: 'BAD_REQUEST' }, 400);
      }
    });
  });
}
