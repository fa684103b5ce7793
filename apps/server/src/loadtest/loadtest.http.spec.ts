// `skit loadtest` as a child process against the real server: a shipped oneshot scenario prints the
// percentiles and exits 0; a dynamic scenario creates, tunes and cleans up sessions; a scenario whose
// operations fail beyond its max_error_pct exits 1; usage and scenario errors are named.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';
import { percentile } from './metrics';
import { rewritePipeline } from './runner';

const REPO = join(__dirname, '..', '..', '..', '..', '..');
const SKIT = join(REPO, 'bin', 'skit.js');

function skit(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SKIT, ...args], { cwd: REPO, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

describe('skit loadtest against a real server', () => {
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'skit-lt-'));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a shipped oneshot scenario: throughput and p50/p95/p99 in the report, exit 0', async () => {
    const r = await skit([
      'loadtest',
      'samples/loadtest/oneshot-opus-transcode-fast.toml',
      '--server',
      server.url,
      '--duration',
      '3',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Load Test Complete/);
    assert.match(r.stdout, /Operation: OneShot/);
    assert.match(r.stdout, /p50: \d+ms {2}p95: \d+ms {2}p99: \d+ms/);
    assert.match(r.stdout, /Throughput: \d+\.\d\d ops\/sec/);
    assert.match(r.stdout, /Failed: 0\n/);
    // Not a TTY: the live line is throttled, one line at a time, on stderr.
    assert.match(r.stderr, /^\[ {3}0s\] Ops: /m);
  });

  it('runs a dynamic scenario as JSON: sessions created, gains tuned, all destroyed with --cleanup', async () => {
    const scenario = readFileSync(join(REPO, 'samples/loadtest/dynamic-tune-heavy.toml'), 'utf8')
      .replace('format = "text"', 'format = "json"')
      .replace('session_count = 20', 'session_count = 3')
      .replace('ramp_secs = 5', 'ramp_secs = 0');
    const file = join(dir, 'dynamic.toml');
    writeFileSync(file, scenario);
    const r = await skit(['lt', file, '--server', server.url, '-d', '3', '--cleanup']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as {
      by_operation: Record<string, { count: number; success_count: number; p99_ms: number | null }>;
    };
    assert.equal(report.by_operation.SessionCreate.success_count, 3);
    assert.ok(report.by_operation.NodeTune.success_count > 5, JSON.stringify(report));
    assert.equal(report.by_operation.SessionDestroy.success_count, 3);
    assert.equal(typeof report.by_operation.NodeTune.p99_ms, 'number');
    const left = (await (await fetch(`${server.url}/api/v1/sessions`)).json()) as unknown[];
    assert.deepEqual(left, []);
  });

  it('exits 1 when failed operations exceed max_error_pct (a pipeline the server refuses)', async () => {
    const pipeline = join(dir, 'bad.yml');
    writeFileSync(pipeline, 'mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: core::nope\n');
    const scenario = readFileSync(join(REPO, 'samples/loadtest/oneshot-http-passthrough.toml'), 'utf8')
      .replace('samples/loadtest/pipelines/oneshot_http_passthrough.yml', pipeline)
      .replace('concurrency = 8', 'concurrency = 2')
      .replace('format = "text"', 'format = "csv"');
    const file = join(dir, 'bad.toml');
    writeFileSync(file, scenario);
    const r = await skit(['loadtest', '--config', file, '--server', server.url, '--duration', '1']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /^operation,count,success_count,success_rate,error_count,/m);
    assert.match(r.stdout, /^OneShot,\d+,0,0\.0000,/m);
    assert.match(
      r.stderr,
      /FAILED: 100\.00% of operations failed, above the scenario's max_error_pct \(1%\)/,
    );
    assert.match(r.stderr, /Err: \d+x Server returned error 400/);
  });

  it('names scenario and usage errors (exit 1 and 2)', async () => {
    const missing = await skit(['loadtest', join(dir, 'nope.toml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Failed to load config from .*nope\.toml/);
    const file = join(dir, 'scheme.toml');
    writeFileSync(
      file,
      readFileSync(join(REPO, 'samples/loadtest/oneshot-http-passthrough.toml'), 'utf8').replace(
        'http://127.0.0.1:4545',
        'ftp://x',
      ),
    );
    const scheme = await skit(['loadtest', file]);
    assert.equal(scheme.code, 1);
    assert.match(scheme.stderr, /server\.url must be http\(s\), got: ftp:\/\/x/);
    const both = await skit(['loadtest', file, '--config', 'other.toml']);
    assert.equal(both.code, 2);
    const zero = await skit(['loadtest', file, '--sessions', '0']);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--sessions must be > 0/);
  });
});

describe('load-test helpers', () => {
  it('percentile is the sorted sample at ceil(p/100 n) - 1', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(s, 50), 50);
    assert.equal(percentile(s, 95), 95);
    assert.equal(percentile(s, 99), 99);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 50), null);
  });

  it('rewrites MoQ broadcasts per session and per run, as StreamKit does', () => {
    const self = rewritePipeline(
      readFileSync(join(REPO, 'samples/loadtest/pipelines/moq_selfcontained.yml'), 'utf8'),
      'run1',
      'sess1',
    );
    assert.match(self.yaml, /broadcast: lt\/input-sess1\n/);
    assert.match(self.yaml, /broadcast: lt\/output-run1-sess1\n/);
    assert.deepEqual(self.gains, ['gain']);
    const fan = rewritePipeline(
      readFileSync(join(REPO, 'samples/loadtest/pipelines/moq_subscriber_transcode.yml'), 'utf8'),
      'run1',
      'sess2',
    );
    assert.match(fan.yaml, /broadcast: lt\/input-run1\n/);
    const b = rewritePipeline(
      readFileSync(join(REPO, 'samples/loadtest/pipelines/moq_broadcaster.yml'), 'utf8'),
      'run1',
      'x',
      true,
    );
    assert.match(b.yaml, /broadcast: lt\/input-run1\n/);
  });
});
