// Spans for HTTP requests and oneshot runs, exported in batches as OTLP/HTTP JSON to
// `[telemetry].otlp_traces_endpoint` when `enable` and `tracing_enable` are both set.
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logging';
import { CONFIG, type Config } from '../config';
import { encodeSpans, postOtlp, type SpanRecord } from './otlp';

/** Batch exporter settings, close to OpenTelemetry's BatchSpanProcessor defaults. */
export const SPAN_BATCH = {
  maxQueue: 2048,
  maxBatch: 512,
  delayMs: 5000,
  timeoutMs: 10_000,
  shutdownTimeoutMs: 3000,
};

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

export interface TraceContext {
  traceId: string;
  parentSpanId?: string;
}

@Injectable()
export class TracingService implements OnModuleDestroy {
  readonly endpoint: string | undefined;
  private queue: SpanRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<unknown> = Promise.resolve();
  private dropped = 0;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    const t = config.telemetry;
    if (t.enable && t.tracing_enable && !t.otlp_traces_endpoint) {
      log.warn('telemetry.tracing_enable is set but telemetry.otlp_traces_endpoint is not: tracing disabled');
    }
    this.endpoint = t.enable && t.tracing_enable ? t.otlp_traces_endpoint : undefined;
  }

  get enabled(): boolean {
    return this.endpoint !== undefined;
  }

  /** Continues a W3C `traceparent` when the caller sent a valid one, else starts a new trace. */
  context(traceparent: string | string[] | undefined): TraceContext {
    const m = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
    if (m && !/^0+$/.test(m[1]) && !/^0+$/.test(m[2])) return { traceId: m[1], parentSpanId: m[2] };
    return { traceId: randomBytes(16).toString('hex') };
  }

  newSpanId(): string {
    return randomBytes(8).toString('hex');
  }

  record(span: SpanRecord): void {
    if (!this.enabled) return;
    if (this.queue.length >= SPAN_BATCH.maxQueue) {
      this.dropped++;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= SPAN_BATCH.maxBatch) this.flush(SPAN_BATCH.timeoutMs);
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(SPAN_BATCH.timeoutMs), SPAN_BATCH.delayMs);
      this.timer.unref();
    }
  }

  /** Sends what is queued (in batches of `maxBatch`); resolves when those exports settled. */
  flush(timeoutMs: number): Promise<unknown> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const endpoint = this.endpoint;
    if (!endpoint || this.queue.length === 0) return this.inflight;
    const batches: SpanRecord[][] = [];
    while (this.queue.length > 0) batches.push(this.queue.splice(0, SPAN_BATCH.maxBatch));
    if (this.dropped > 0) {
      this.log.warn({ dropped: this.dropped }, 'Span queue full: spans dropped');
      this.dropped = 0;
    }
    const headers = this.config.telemetry.otlp_headers;
    const sends = batches.map((b) => postOtlp(endpoint, headers, encodeSpans(b), timeoutMs, this.log));
    this.inflight = Promise.all([this.inflight, ...sends]);
    return this.inflight;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush(SPAN_BATCH.shutdownTimeoutMs);
  }
}
