// The one global exception filter: every HTTP error becomes a plain-text body with its status code. Stack
// traces are logged, never sent; Fastify's own errors (body too large, bad JSON) keep their status.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

const TEXT = 'text/plain; charset=utf-8';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Status and client-safe message for any thrown value. */
export function describeError(exception: unknown): { status: number; message: string } {
  if (exception instanceof HttpException) {
    const body = exception.getResponse();
    let message = exception.message;
    if (typeof body === 'string') message = body;
    else if (typeof body === 'object' && body !== null && 'message' in body) {
      const m = (body as { message: unknown }).message;
      message = Array.isArray(m) ? m.join('; ') : String(m);
    }
    return { status: exception.getStatus(), message };
  }
  const err = exception as FastifyLikeError | undefined;
  const status = typeof err?.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (err?.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return { status: 413, message: 'Request body is too large' };
    return { status, message: err?.message ?? 'Bad request' };
  }
  return { status: status >= 500 && status < 600 ? status : 500, message: 'Internal server error' };
}

@Catch()
export class PlainTextExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    // GraphQL and WebSocket contexts report errors their own way: hand the error back to them.
    if (host.getType() !== 'http') return exception;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const { status, message } = describeError(exception);
    if (status >= 500) {
      this.log.error(
        { err: exception, method: request.method, url: request.url },
        `Request failed: ${message}`,
      );
    }
    if (reply.sent || reply.raw.headersSent) {
      // The body was already streaming: the only honest signal left is an aborted connection.
      reply.raw.destroy(exception instanceof Error ? exception : undefined);
      return undefined;
    }
    // An upload refused as too large while it still arrives: close the connection instead of reading and
    // discarding the rest to keep it alive. (Other early refusals let Node drain the body, so the client,
    // still sending, reliably reads the answer.)
    if (status === 413 && !request.raw.complete) reply.header('connection', 'close');
    void reply.code(status).header('content-type', TEXT).send(message);
    return undefined;
  }
}
