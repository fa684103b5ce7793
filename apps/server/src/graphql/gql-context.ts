// The caller of a GraphQL operation and the error mapping. Over HTTP the caller is the one the permissions
// hook resolved; over WebSocket it is resolved from the upgrade headers, then the graphql-ws
// connection params (`{ "x-role": "..." }` or `{ headers: { ... } }`) for headers the upgrade lacked.
import { ArgumentsHost, Catch, HttpException, Injectable, type ExceptionFilter } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GraphQLError } from 'graphql';
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from '../permissions';
import { PermissionsService } from '../permissions/permissions.service';
import { describeError } from '../common/plain-text-exception.filter';

/** What mercurius hands resolvers as context: `req` over HTTP, `request` (the upgrade) over WebSocket. */
export interface GqlContext {
  req?: FastifyRequest;
  request?: FastifyRequest;
  reply?: { request?: FastifyRequest };
  /** The graphql-ws `connection_init` payload (WebSocket only). */
  _connectionInit?: unknown;
}

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
};

export function codeForStatus(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
}

/**
 * Headers carried by a graphql-ws `connection_init` payload (`{ headers: {...} }` or flat). Values that are not
 * strings are kept in a form the role check refuses (a list stays a list), never dropped: dropping one would
 * fall back to the default role.
 */
export function connectionHeaders(payload: unknown): IncomingHttpHeaders {
  if (typeof payload !== 'object' || payload === null) return {};
  const p = payload as Record<string, unknown>;
  const source =
    typeof p.headers === 'object' && p.headers !== null ? (p.headers as Record<string, unknown>) : p;
  const out: IncomingHttpHeaders = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    out[key.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

@Injectable()
export class GqlCallers {
  constructor(private readonly permissions: PermissionsService) {}

  callerOf(ctx: GqlContext): Caller {
    if (ctx.req?.caller) return ctx.req.caller;
    const upgrade = ctx.request ?? ctx.reply?.request;
    // Upgrade headers win: a proxy-set role header cannot be overridden by the client's params.
    const headers: IncomingHttpHeaders = { ...connectionHeaders(ctx._connectionInit), ...upgrade?.headers };
    return this.permissions.resolve(headers);
  }
}

/** Turns service errors (Nest HttpExceptions) into GraphQL errors with `extensions.code` and `status`. */
@Catch()
export class GraphqlErrorFilter implements ExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): GraphQLError {
    if (exception instanceof GraphQLError) return exception;
    const { status, message } = describeError(exception);
    const isHttp = exception instanceof HttpException;
    return new GraphQLError(message, {
      originalError: isHttp || !(exception instanceof Error) ? undefined : exception,
      extensions: { code: codeForStatus(status), status },
    });
  }
}
