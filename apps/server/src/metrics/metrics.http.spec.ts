// /metrics and OTLP export on a real server: a oneshot run, a session's life and its nodes' packets show up
// under StreamKit's metric names; spans and metrics reach a local OTLP/HTTP receiver as JSON.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';

const REPO = join(__dirname, '../../../../..');
const SPEECH = join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg');
const DOUBLE_VOLUME = readFileSync(join(REPO, 'samples/pipelines/oneshot/double_volume.yml'), 'utf8');
const READ_TO_SINK = [
  'mode: dynamic',
  'nodes:',
  '  reader:',
  '    kind: core::file_reader',
  '    params:',
  `      path: ${SPEECH}`,
  '  sink:',
  '    kind: core::sink',
  '    needs: reader',
].join('\n');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

/** Collects OTLP/HTTP JSON posts by path. */
async function startReceiver(): Promise<{ server: Server; url: string; bodies: Map<string, unknown[]> }> {
  const bodies = new Map<string, unknown[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      assert.equal(req.headers['content-type'], 'application/json');
      assert.equal(req.headers['x-api-key'], 'secret');
      const list = bodies.get(req.url ?? '') ?? [];
      list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      bodies.set(req.url ?? '', list);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

/** The value of one sample line, e.g. `sessions_created_total 1`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;

describe('metrics and traces', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const req = (path: string, init: RequestInit = {}, role = 'admin') =>
    fetch(`${server.url}${path}`, { ...init, headers: { 'x-role': role, ...(init.headers ?? {}) } });

  before(async () => {
    receiver = await startReceiver();
    server = await startTestServer({
      config: {
        permissions: { role_header: 'x-role', roles: { viewer: { list_sessions: true } } },
        security: { allowed_file_paths: [`${REPO}/samples/**`] },
        telemetry: {
          enable: true,
          tracing_enable: true,
          otlp_endpoint: `${receiver.url}/v1/metrics`,
          otlp_traces_endpoint: `${receiver.url}/v1/traces`,
          otlp_headers: { 'x-api-key': 'secret' },
        },
      },
    });
  });
  after(async () => {
    await server.close();
    await new Promise((r) => receiver.server.close(r));
  });

  it('counts a oneshot run, a session and their nodes in /metrics', async () => {
    const fd = new FormData();
    fd.append('config', DOUBLE_VOLUME);
    fd.append('media', new Blob([readFileSync(SPEECH)], { type: 'audio/ogg' }));
    const run = await req('/api/v1/process', { method: 'POST', body: fd });
    assert.equal(run.status, 200);
    await run.arrayBuffer();

    const created = await req('/api/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ yaml: READ_TO_SINK }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(created.status, 200, await created.clone().text());
    const { session_id } = (await created.json()) as { session_id: string };

    const scrape = async () => {
      const r = await req('/metrics');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      return r.text();
    };
    // Session node counters arrive with the engine's periodic stats (at least once a second).
    let text = await scrape();
    for (let i = 0; i < 50 && !(sample(text, 'node_packets_received_total{kind="core::sink"}')! > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await scrape();
    }
    assert.equal(sample(text, 'sessions_active'), 1);
    assert.equal(sample(text, 'sessions_created_total'), 1);
    assert.ok(sample(text, 'node_packets_received_total{kind="core::sink"}')! > 0, 'session sink packets');
    assert.ok(
      sample(text, 'node_packets_sent_total{kind="core::file_reader"}')! > 0,
      'session reader packets',
    );

    assert.equal((await req(`/api/v1/sessions/${session_id}`, { method: 'DELETE' })).status, 200);
    text = await scrape();
    assert.equal(sample(text, 'sessions_active'), 0);
    assert.equal(sample(text, 'sessions_destroyed_total'), 1);
    assert.equal(sample(text, 'session_duration_count'), 1);

    assert.equal(sample(text, 'oneshot_pipeline_duration_count{status="success"}'), 1);
    assert.ok(sample(text, 'oneshot_pipeline_duration_sum{status="success"}')! > 0);
    const gainIn = sample(text, 'node_packets_received_total{kind="audio::gain"}')!;
    assert.ok(gainIn > 100, `a 16 s speech file is hundreds of 20 ms frames through the gain, got ${gainIn}`);
    assert.equal(sample(text, 'node_packets_sent_total{kind="audio::gain"}'), gainIn);
    assert.equal(
      sample(
        text,
        'http_server_requests_total{http_method="POST",http_route="/api/v1/process",http_status_code="200"}',
      ),
      1,
    );
    assert.equal(
      sample(
        text,
        'http_server_requests_total{http_method="DELETE",http_route="/api/v1/sessions/:id",http_status_code="200"}',
      ),
      1,
      'the route template, not the raw path',
    );
    assert.ok(!text.includes(session_id), 'no raw ids in labels');
    assert.ok(
      sample(
        text,
        'http_server_duration_count{http_method="POST",http_route="/api/v1/process",http_status_code="200"}',
      ) === 1,
    );
    assert.ok(sample(text, 'nodejs_eventloop_lag_seconds')! >= 0);
    assert.ok(sample(text, 'process_memory_usage_bytes')! > 10e6);
  });

  it('is admin only', async () => {
    const denied = await req('/metrics', {}, 'viewer');
    assert.equal(denied.status, 403);
  });

  it('exports spans and metrics as OTLP JSON (flushed at shutdown)', async () => {
    const traced = await req('/api/v1/config', {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    assert.equal(traced.status, 200);
    await traced.arrayBuffer();
    await server.close();

    type Traces = { resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[] };
    const spans = ((receiver.bodies.get('/v1/traces') ?? []) as Traces[]).flatMap((b) =>
      b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
    const config = spans.find(
      (s) => s.name === 'http_request' && attr(s, 'http.route')?.stringValue === '/api/v1/config',
    );
    assert.ok(config, `an http_request span for /api/v1/config among ${spans.length}`);
    assert.equal(config.traceId, TRACE_ID, 'continues the caller trace');
    assert.equal(config.parentSpanId, PARENT_ID);
    assert.match(config.spanId, /^[0-9a-f]{16}$/);
    assert.equal(config.kind, 2);
    assert.deepEqual(attr(config, 'http.status_code'), { intValue: '200' });
    assert.ok(BigInt(config.endTimeUnixNano) >= BigInt(config.startTimeUnixNano));
    const unixNowNs = BigInt(Date.now()) * 1_000_000n;
    assert.ok(unixNowNs - BigInt(config.endTimeUnixNano) < 600_000_000_000n, 'times are unix nanoseconds');
    const oneshot = spans.find((s) => s.name === 'oneshot_pipeline');
    assert.ok(oneshot, 'a span for the oneshot run');
    assert.deepEqual(attr(oneshot, 'status'), { stringValue: 'success' });

    type Metrics = {
      resourceMetrics: {
        scopeMetrics: { metrics: { name: string; sum?: { dataPoints: { asDouble: number }[] } }[] }[];
      }[];
    };
    const exports = (receiver.bodies.get('/v1/metrics') ?? []) as Metrics[];
    assert.ok(exports.length >= 1, 'metrics exported at shutdown');
    const last = exports[exports.length - 1].resourceMetrics[0].scopeMetrics[0].metrics;
    const created = last.find((m) => m.name === 'sessions_created_total');
    assert.equal(created?.sum?.dataPoints[0].asDouble, 1);
    assert.ok(last.some((m) => m.name === 'oneshot_pipeline_duration'));
  });
});

describe('metrics disabled', () => {
  it('answers 404 on /metrics and still serves the API', async () => {
    const server = await startTestServer({ config: { telemetry: { enable: false } } });
    try {
      const r = await fetch(`${server.url}/metrics`);
      assert.equal(r.status, 404);
      assert.match(await r.text(), /\[telemetry\]\.enable/);
      assert.equal((await fetch(`${server.url}/api/v1/config`)).status, 200);
    } finally {
      await server.close();
    }
  });
});
