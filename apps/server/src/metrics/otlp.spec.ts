// OTLP JSON encoding: unix-nanosecond strings, cumulative Prometheus buckets turned into per-bucket counts,
// counters as monotonic sums, and spans with hex ids and error status.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { encodeRegistry, encodeSpans, unixNanos } from './otlp';

describe('OTLP JSON encoding', () => {
  it('writes times as unix nanoseconds without float rounding', () => {
    assert.equal(unixNanos(1_700_000_000_123), '1700000000123000000');
    assert.equal(unixNanos(1_700_000_000_123.5), '1700000000123500000');
  });

  it('encodes counters as monotonic sums and histograms with per-bucket counts', async () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'runs_total',
      help: 'runs',
      labelNames: ['status'],
      registers: [registry],
    });
    const h = new Histogram({
      name: 'run_duration',
      help: 'd',
      buckets: [1, 5],
      labelNames: ['status'],
      registers: [registry],
    });
    c.inc({ status: 'success' }, 3);
    for (const v of [0.5, 0.7, 2, 9]) h.observe({ status: 'success' }, v);
    const body = (await encodeRegistry(registry, 1000)) as {
      resourceMetrics: {
        resource: { attributes: { key: string }[] };
        scopeMetrics: { metrics: Record<string, never>[] }[];
      }[];
    };
    const rm = body.resourceMetrics[0];
    assert.ok(rm.resource.attributes.some((a) => a.key === 'service.name'));
    const [counter, hist] = rm.scopeMetrics[0].metrics as unknown as [
      {
        name: string;
        sum: {
          isMonotonic: boolean;
          aggregationTemporality: number;
          dataPoints: { asDouble: number; attributes: unknown[]; startTimeUnixNano: string }[];
        };
      },
      {
        name: string;
        histogram: {
          dataPoints: {
            count: string;
            sum: number;
            bucketCounts: string[];
            explicitBounds: number[];
            attributes: unknown[];
          }[];
        };
      },
    ];
    assert.equal(counter.name, 'runs_total');
    assert.equal(counter.sum.isMonotonic, true);
    assert.equal(counter.sum.aggregationTemporality, 2);
    assert.equal(counter.sum.dataPoints[0].asDouble, 3);
    assert.equal(counter.sum.dataPoints[0].startTimeUnixNano, '1000000000');
    assert.deepEqual(counter.sum.dataPoints[0].attributes, [
      { key: 'status', value: { stringValue: 'success' } },
    ]);
    assert.equal(hist.name, 'run_duration');
    const p = hist.histogram.dataPoints[0];
    assert.deepEqual(p.explicitBounds, [1, 5]);
    assert.deepEqual(p.bucketCounts, ['2', '1', '1']);
    assert.equal(p.count, '4');
    assert.equal(p.sum, 12.2);
    assert.deepEqual(
      p.attributes,
      [{ key: 'status', value: { stringValue: 'success' } }],
      'no `le` attribute',
    );
  });

  it('encodes spans with ids, kind, attributes and error status', () => {
    const body = encodeSpans([
      {
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        name: 'http_request',
        kind: 2,
        startMs: 1000,
        endMs: 1001.5,
        attributes: { 'http.route': '/x', 'http.status_code': 500, ratio: 0.5, ok: false },
        error: true,
      },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const span = body.resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(span.endTimeUnixNano, '1001500000');
    assert.deepEqual(span.status, { code: 2 });
    assert.equal('parentSpanId' in span, false);
    assert.deepEqual(span.attributes, [
      { key: 'http.route', value: { stringValue: '/x' } },
      { key: 'http.status_code', value: { intValue: '500' } },
      { key: 'ratio', value: { doubleValue: 0.5 } },
      { key: 'ok', value: { boolValue: false } },
    ]);
  });
});
