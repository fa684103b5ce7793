// The one global exception filter: every HTTP error becomes a plain-text body with its status code. Stack
// traces are logged, never sent; Fastify's own errors (body too large, bad JSON) keep their status.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
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

/** How long an upload refused mid-body may go on arriving (read and discarded) before its connection is cut. */
export const LINGER_MS = 2000;

/**
 * An upload refused while it still arrives (413): the rest of the body is read and discarded for up to
 * LINGER_MS, then the connection is cut if it has not ended. Closing at once (`connection: close`) made the
 * kernel answer the bytes still in flight with a reset, which can reach the client before it reads the 413
 * (it saw EPIPE instead of the answer); lingering as web servers do lets a client that sends at any normal
 * speed read the refusal, and a client sending for ever holds the connection no longer than LINGER_MS.
 */
function lingerThenClose(req: IncomingMessage): void {
  req.unpipe();
  req.resume();
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  const done = (): void => {
    clearTimeout(timer);
    socket.off('close', done);
  };
  req.once('end', done);
  socket.once('close', done);
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
    if (status === 413 && !request.raw.complete) lingerThenClose(request.raw);
    void reply.code(status).header('content-type', TEXT).send(message);
    return undefined;
  }
}
