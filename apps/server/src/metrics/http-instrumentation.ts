// One Fastify onResponse hook, added while the app initialises (before it listens), that counts and
// times every HTTP request under its route template and records an `http_request` span when tracing.
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MetricsService } from './metrics.service';
import { TracingService } from './tracing.service';

/** The `http_route` label of requests that matched no route (bounded, unlike raw paths). */
export const UNMATCHED_ROUTE = 'unmatched';
/** Methods outside this set are labelled `_OTHER` (OpenTelemetry's convention) so clients cannot mint series. */
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'CONNECT',
  'TRACE',
]);

@Injectable()
export class HttpInstrumentation implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
    private readonly tracing: TracingService,
  ) {}

  onModuleInit(): void {
    if (!this.metrics.enabled && !this.tracing.enabled) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      this.observe(request, reply);
    });
  }

  private observe(request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const method = KNOWN_METHODS.has(request.method) ? request.method : '_OTHER';
    const status = reply.statusCode;
    const elapsedMs = reply.elapsedTime;
    if (this.metrics.enabled) this.metrics.observeHttp(method, route, status, elapsedMs / 1000);
    if (!this.tracing.enabled) return;
    const ctx = this.tracing.context(request.headers.traceparent);
    const endMs = Date.now();
    this.tracing.record({
      traceId: ctx.traceId,
      parentSpanId: ctx.parentSpanId,
      spanId: this.tracing.newSpanId(),
      name: 'http_request',
      kind: 2,
      startMs: endMs - elapsedMs,
      endMs,
      attributes: {
        'http.method': method,
        'http.route': route,
        'http.status_code': status,
      },
      error: status >= 500,
    });
  }
}
