// OTLP/HTTP JSON encoding and export for metrics (from a prom-client registry) and spans. The JSON form of
// OTLP is small enough to write by hand, which spares the OpenTelemetry SDK's dozens of packages.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { VERSION } from '../version';

export type AttrValue = string | number | boolean;

export interface OtlpAttribute {
  key: string;
  value: { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
}

export function attributes(attrs: Record<string, AttrValue>): OtlpAttribute[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v },
  }));
}

/** StreamKit's resource attributes (`service.name=skit`). */
export const RESOURCE = { attributes: attributes({ 'service.name': 'skit', 'service.version': VERSION }) };

/** Epoch milliseconds (fractional allowed) as OTLP's unix-nanosecond string. */
export function unixNanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server. */
  kind: 1 | 2;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttrValue>;
  error: boolean;
}

export function encodeSpans(spans: SpanRecord[]): object {
  return {
    resourceSpans: [
      {
        resource: RESOURCE,
        scopeSpans: [
          {
            scope: { name: 'skit_server', version: VERSION },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: unixNanos(s.startMs),
              endTimeUnixNano: unixNanos(s.endMs),
              attributes: attributes(s.attributes),
              // STATUS_CODE_ERROR = 2; unset (0) otherwise, as the spec asks for successful spans.
              status: s.error ? { code: 2 } : {},
            })),
          },
        ],
      },
    ],
  };
}

type JsonMetric = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];
type JsonValue = JsonMetric['values'][number] & { metricName?: string };
type Labels = JsonValue['labels'];

function labelAttrs(labels: Labels | undefined, skip?: string): OtlpAttribute[] {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (k !== skip && v !== undefined) out[k] = String(v);
  return attributes(out);
}

function histogramPoints(values: JsonValue[], start: string, now: string) {
  const series = new Map<
    string,
    { labels: Labels; bounds: number[]; cumulative: number[]; sum: number; count: number }
  >();
  const seriesOf = (labels: Labels) => {
    const key = JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le'));
    let s = series.get(key);
    if (!s) series.set(key, (s = { labels, bounds: [], cumulative: [], sum: 0, count: 0 }));
    return s;
  };
  for (const v of values) {
    const s = seriesOf(v.labels);
    if (v.metricName?.endsWith('_bucket')) {
      if (v.labels.le !== '+Inf') s.bounds.push(Number(v.labels.le));
      s.cumulative.push(v.value);
    } else if (v.metricName?.endsWith('_sum')) s.sum = v.value;
    else if (v.metricName?.endsWith('_count')) s.count = v.value;
  }
  return [...series.values()].map((s) => ({
    attributes: labelAttrs(s.labels, 'le'),
    startTimeUnixNano: start,
    timeUnixNano: now,
    count: String(s.count),
    sum: s.sum,
    // Prometheus buckets are cumulative; OTLP wants the count inside each bucket.
    bucketCounts: s.cumulative.map((c, i) => String(c - (i > 0 ? s.cumulative[i - 1] : 0))),
    explicitBounds: s.bounds,
  }));
}

/** Every metric of a registry as one OTLP `ExportMetricsServiceRequest` (cumulative temporality). */
export async function encodeRegistry(registry: Registry, startMs: number): Promise<object> {
  const start = unixNanos(startMs);
  const now = unixNanos(Date.now());
  const metrics: object[] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    const points = (values: JsonValue[]) =>
      values.map((v) => ({
        attributes: labelAttrs(v.labels),
        startTimeUnixNano: start,
        timeUnixNano: now,
        asDouble: v.value,
      }));
    const base = { name: m.name, description: m.help };
    // prom-client's typings say a numeric enum, but the JSON carries the Prometheus type names.
    const type = String(m.type);
    if (type === 'counter') {
      metrics.push({
        ...base,
        sum: { dataPoints: points(m.values), aggregationTemporality: 2, isMonotonic: true },
      });
    } else if (type === 'gauge') {
      metrics.push({ ...base, gauge: { dataPoints: points(m.values) } });
    } else if (type === 'histogram') {
      metrics.push({
        ...base,
        histogram: { dataPoints: histogramPoints(m.values, start, now), aggregationTemporality: 2 },
      });
    }
  }
  return {
    resourceMetrics: [
      { resource: RESOURCE, scopeMetrics: [{ scope: { name: 'skit_server', version: VERSION }, metrics }] },
    ],
  };
}

/** POSTs one OTLP JSON request; failures are logged (telemetry never takes the server down). */
export async function postOtlp(
  url: string,
  headers: Record<string, string>,
  body: object,
  timeoutMs: number,
  log: Logger,
): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    if (!res.ok) log.warn({ url, status: res.status }, 'OTLP export rejected');
    return res.ok;
  } catch (err) {
    log.warn({ url, error: (err as Error).message }, 'OTLP export failed');
    return false;
  }
}
