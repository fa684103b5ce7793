// Fastify hooks every request passes through, registered before any route: base-path-aware origin guard
// (runs before body parsing), CORS, role resolution (a bad role header is 403 on every route), security
// headers and one log line per request.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { RoleHeaderError, type PermissionsService } from '../permissions/permissions.service';
import { ORIGIN_DENIED_MESSAGE, WS_ORIGIN_DENIED_MESSAGE, type OriginPolicy } from './origin-policy';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CORS_METHODS = 'GET, POST, PUT, DELETE, OPTIONS, PATCH';
const SECURITY_HEADERS: [string, string][] = [
  ['x-frame-options', 'SAMEORIGIN'],
  ['referrer-policy', 'no-referrer'],
  ['x-content-type-options', 'nosniff'],
];

export interface HttpHookDeps {
  origins: OriginPolicy;
  permissions: PermissionsService;
  log: Logger;
}

const isApiPath = (url: string): boolean =>
  url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

function deny(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send(message);
}

/** A refused WebSocket upgrade's socket must not linger half-open (server close would wait on it forever). */
function denyUpgrade(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  reply.raw.once('finish', () => request.raw.socket?.destroy());
  return deny(reply.header('connection', 'close'), message);
}

export function registerHttpHooks(app: FastifyInstance, deps: HttpHookDeps): void {
  const { origins, permissions, log } = deps;
  const permissive = origins.patterns.includes('*');
  const corsEnabled = origins.patterns.length > 0;

  app.decorateRequest('caller', undefined);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    // `request.url` has the base path stripped already (rewriteUrl), so `/s/x/api/...` is guarded too.
    if (origin !== undefined) {
      const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
      if (upgrade && !origins.isAllowed(origin)) {
        log.warn({ origin, url: request.url }, 'WebSocket upgrade rejected: origin not allowed');
        return denyUpgrade(request, reply, WS_ORIGIN_DENIED_MESSAGE);
      }
      if (MUTATING.has(request.method) && isApiPath(request.url) && !origins.isAllowed(origin)) {
        log.warn(
          { origin, method: request.method, url: request.url },
          'Request rejected: origin not allowed',
        );
        return deny(reply, ORIGIN_DENIED_MESSAGE);
      }
      const answered = corsEnabled ? applyCors(request, reply, origin) : undefined;
      if (answered) return answered;
    }
    try {
      request.caller = permissions.resolve(request.headers);
    } catch (err) {
      if (!(err instanceof RoleHeaderError)) throw err;
      // Every route, WebSocket upgrades included: a request with a bad role header gets nothing.
      if (request.headers.upgrade !== undefined) return denyUpgrade(request, reply, err.message);
      return deny(reply, err.message);
    }
    return undefined;
  });

  function applyCors(request: FastifyRequest, reply: FastifyReply, origin: string): FastifyReply | undefined {
    const allowed = permissive || origins.isAllowed(origin);
    if (allowed) {
      reply.header('access-control-allow-origin', permissive ? '*' : origin);
      if (!permissive) reply.header('vary', 'Origin');
      reply.header('access-control-expose-headers', '*');
    }
    const preflight =
      request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!preflight) return undefined;
    if (allowed) {
      reply.header('access-control-allow-methods', permissive ? '*' : CORS_METHODS);
      reply.header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '*');
      reply.header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  }

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of SECURITY_HEADERS) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    const ms = Math.round(reply.elapsedTime * 10) / 10;
    const fields = {
      method: request.method,
      path: request.url,
      status,
      duration_ms: ms,
      role: request.caller?.role,
    };
    const line = `${request.method} ${request.url} ${status} ${ms}ms`;
    if (status >= 500) log.warn(fields, line);
    else log.info(fields, line);
  });
}
