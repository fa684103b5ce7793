// The server's metrics on a per-app prom-client registry (two servers in one process never clash), under
// StreamKit's Prometheus-translated names so its Grafana dashboard works; fed by session events, oneshot
// completions and the HTTP hooks, never from the per-packet path. Optional OTLP/HTTP JSON export.
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { NodeStats, SessionEvent } from '@streamkit/pipeline';
import { freemem, totalmem } from 'node:os';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LOGGER } from '../common/logging';
import { CONFIG, type Config } from '../config';
import { OneshotService, type OneshotFinished } from '../oneshot/oneshot.service';
import { SessionsService, type SessionRecord, type SessionsChange } from '../sessions/sessions.service';
import { encodeRegistry, postOtlp } from './otlp';
import { TracingService } from './tracing.service';

/** StreamKit's OTLP metrics export period and timeout. */
export const METRICS_EXPORT = { intervalMs: 5000, timeoutMs: 10_000, shutdownTimeoutMs: 3000 };

const COUNTERS = ['received', 'sent', 'discarded', 'errored'] as const;
type PacketCounter = (typeof COUNTERS)[number];

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const SESSION_BUCKETS = [1, 10, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600];

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics (event-loop lag as `nodejs_eventloop_lag_seconds`, heap, GC, process CPU and
 * memory) describe the process, not an app, and install observers that are never removed: one registry per
 * process, merged into each app's at scrape time, keeps servers started one after another from piling them up.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Per-node state of one session: kinds (from the pipeline) and the last cumulative counters seen. */
interface SessionNodes {
  kinds: Map<string, string>;
  last: Map<string, NodeStats>;
  lookup?: Promise<void>;
}

@Injectable()
export class MetricsService implements OnModuleInit, OnModuleDestroy {
  readonly registry = new Registry();
  readonly enabled: boolean;
  readonly httpRequests: Counter<'http_method' | 'http_route' | 'http_status_code'>;
  readonly httpDuration: Histogram<'http_method' | 'http_route' | 'http_status_code'>;
  readonly oneshotDuration: Histogram<'status'>;
  readonly sessionsCreated: Counter;
  readonly sessionsDestroyed: Counter;
  readonly sessionDuration: Histogram;
  readonly nodePackets: Record<PacketCounter, Counter<'kind'>>;
  private readonly nodes = new Map<string, SessionNodes>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly startedAt = Date.now();
  private exportTimer: NodeJS.Timeout | undefined;
  private exporting: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly sessions: SessionsService,
    private readonly oneshot: OneshotService,
    private readonly tracing: TracingService,
  ) {
    this.enabled = config.telemetry.enable;
    const registers = [this.registry];
    const sessionsRef = sessions;
    this.httpRequests = new Counter({
      name: 'http_server_requests_total',
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames: ['http_method', 'http_route', 'http_status_code'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_server_duration',
      help: 'HTTP request duration in seconds (until the response was sent).',
      labelNames: ['http_method', 'http_route', 'http_status_code'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.oneshotDuration = new Histogram({
      name: 'oneshot_pipeline_duration',
      help: 'Oneshot pipeline duration in seconds, by status (success, error, cancelled).',
      labelNames: ['status'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'sessions_active',
      help: 'Dynamic sessions currently running.',
      registers,
      collect() {
        this.set(sessionsRef.count());
      },
    });
    this.sessionsCreated = new Counter({
      name: 'sessions_created_total',
      help: 'Dynamic sessions created.',
      registers,
    });
    this.sessionsDestroyed = new Counter({
      name: 'sessions_destroyed_total',
      help: 'Dynamic sessions destroyed.',
      registers,
    });
    this.sessionDuration = new Histogram({
      name: 'session_duration',
      help: 'Lifetime of destroyed dynamic sessions in seconds.',
      buckets: SESSION_BUCKETS,
      registers,
    });
    const packets = (c: PacketCounter) =>
      new Counter({
        name: `node_packets_${c}_total`,
        help: `Packets ${c} by nodes (sessions and oneshot runs), by node kind.`,
        labelNames: ['kind'],
        registers,
      });
    this.nodePackets = {
      received: packets('received'),
      sent: packets('sent'),
      discarded: packets('discarded'),
      errored: packets('errored'),
    };
    new Gauge({
      name: 'process_memory_usage_bytes',
      help: 'Resident set size of the server process in bytes.',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: 'system_memory_usage_bytes',
      help: 'Memory in use on the machine in bytes.',
      registers,
      collect() {
        this.set(totalmem() - freemem());
      },
    });
    new Gauge({
      name: 'system_memory_total_bytes',
      help: 'Total memory of the machine in bytes.',
      registers,
      collect() {
        this.set(totalmem());
      },
    });
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.unsubscribe.push(
      this.sessions.onChange((c) => this.onSessionChange(c)),
      this.sessions.onEvent((e, r) => this.onSessionEvent(e, r)),
      this.oneshot.onFinished((r) => this.onOneshot(r)),
    );
    const endpoint = this.config.telemetry.otlp_endpoint;
    if (endpoint) {
      this.exportTimer = setInterval(
        () => this.exportOnce(endpoint, METRICS_EXPORT.timeoutMs),
        METRICS_EXPORT.intervalMs,
      );
      this.exportTimer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const u of this.unsubscribe.splice(0)) u();
    clearInterval(this.exportTimer);
    const endpoint = this.config.telemetry.otlp_endpoint;
    if (this.enabled && endpoint) await this.exportOnce(endpoint, METRICS_EXPORT.shutdownTimeoutMs);
    else await this.exporting;
  }

  /** Sends the current values once (also on shutdown, so short runs are not lost). */
  exportOnce(endpoint: string, timeoutMs: number): Promise<unknown> {
    const send = async () => {
      const body = await encodeRegistry(this.all(), this.startedAt);
      await postOtlp(endpoint, this.config.telemetry.otlp_headers, body, timeoutMs, this.log);
    };
    this.exporting = this.exporting.then(send);
    return this.exporting;
  }

  /** This app's metrics and the process-wide ones together. */
  all(): Registry {
    return Registry.merge([this.registry, processMetrics()]);
  }

  /** Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.all().metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Called from the HTTP hook once per response; `route` is the route template. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    const labels = { http_method: method, http_route: route, http_status_code: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  private onOneshot(run: OneshotFinished): void {
    this.oneshotDuration.observe({ status: run.status }, run.durationSecs);
    for (const n of run.nodes) this.addPackets(n.kind, n.stats, undefined);
    if (this.tracing.enabled) {
      this.tracing.record({
        traceId: this.tracing.context(undefined).traceId,
        spanId: this.tracing.newSpanId(),
        name: 'oneshot_pipeline',
        kind: 1,
        startMs: run.startedAt,
        endMs: run.startedAt + run.durationSecs * 1000,
        attributes: { status: run.status, 'pipeline.nodes': run.nodes.length },
        error: run.status === 'error',
      });
    }
  }

  private onSessionChange(change: SessionsChange): void {
    if (change.type === 'created') {
      this.sessionsCreated.inc();
      this.nodes.set(change.session.id, { kinds: new Map(), last: new Map() });
      return;
    }
    this.sessionsDestroyed.inc();
    this.nodes.delete(change.session.id);
    const lived = (Date.now() - Date.parse(change.session.created_at)) / 1000;
    if (Number.isFinite(lived)) this.sessionDuration.observe(Math.max(0, lived));
  }

  private onSessionEvent(event: SessionEvent, record: SessionRecord): void {
    const state = this.nodes.get(record.id);
    if (!state) return;
    if (event.type === 'node_added') state.kinds.set(event.node_id, event.kind);
    else if (event.type === 'node_removed') {
      state.kinds.delete(event.node_id);
      state.last.delete(event.node_id);
    } else if (event.type === 'node_stats') {
      const kind = state.kinds.get(event.node_id);
      // Nodes from the creating YAML had no node_added event we could see: learn kinds from the pipeline once.
      // Until then the counters are not consumed, so the next stats event carries the whole delta.
      if (kind === undefined) this.lookupKinds(state, record);
      else {
        this.addPackets(kind, event.stats, state.last.get(event.node_id));
        state.last.set(event.node_id, event.stats);
      }
    }
  }

  private lookupKinds(state: SessionNodes, record: SessionRecord): void {
    if (state.lookup) return;
    state.lookup = record.handle.execute({ type: 'get_pipeline' }).then(
      (r) => {
        state.lookup = undefined;
        if (!r.ok) return;
        for (const [id, n] of Object.entries(r.result.nodes)) {
          if (!state.kinds.has(id)) state.kinds.set(id, n.kind);
          // The view's counters are current: count them now in case a finished node sends no more stats.
          if (n.stats && !state.last.has(id)) {
            this.addPackets(n.kind, n.stats, undefined);
            state.last.set(id, n.stats);
          }
        }
      },
      (err: Error) =>
        this.log.debug({ session: record.id, error: err.message }, 'pipeline lookup for metrics failed'),
    );
  }

  private addPackets(kind: string, now: NodeStats, before: NodeStats | undefined): void {
    for (const c of COUNTERS) {
      // A counter that went backwards belongs to a new node under a reused id: count it from zero.
      const delta = before && now[c] >= before[c] ? now[c] - before[c] : now[c];
      if (delta > 0) this.nodePackets[c].inc({ kind }, delta);
    }
  }
}
