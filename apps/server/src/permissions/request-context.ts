// Finds the Fastify request behind a Nest execution context (HTTP handlers and GraphQL resolvers alike).
import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export function requestFromContext(ctx: ExecutionContext): FastifyRequest | undefined {
  if (ctx.getType() === 'http') return ctx.switchToHttp().getRequest<FastifyRequest>();
  // GraphQL (mercurius) passes `{ reply }` (and sometimes `req`) as the third resolver argument.
  const gql = ctx.getArgs()[2] as { req?: FastifyRequest; reply?: { request?: FastifyRequest } } | undefined;
  return gql?.req ?? gql?.reply?.request;
}
