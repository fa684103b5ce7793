// Load test of a real server (ephemeral port, default config) with `skit loadtest`'s runner: a oneshot
// scenario (Ogg demux + Opus decode/gain/encode, 4 concurrent clients) and a dynamic one (sessions of 8
// chained gains on a paced file, a tune every 50 ms), next to ffmpeg doing the same oneshot transcode
// sequentially in this run (its per-file latency and files per second on one process at a time).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LoadTestRunner } from '../apps/server/src/loadtest/runner';
import { validateScenario, type Scenario } from '../apps/server/src/loadtest/scenario';
import type { OperationSummary } from '../apps/server/src/loadtest/metrics';
import { startTestServer } from '../apps/server/src/testing/test-server';

const root = join(__dirname, '..', '..');
const INPUT = 'samples/audio/system/speech_en_48k_stereo.opus.ogg';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const FFMPEG_RUNS = 10;

function scenario(url: string, kind: 'oneshot' | 'dynamic'): Scenario {
  return validateScenario(
    {
      serverUrl: url,
      durationSecs: SECONDS,
      scenario: kind,
      rampSecs: 0,
      maxErrorPct: 0,
      oneshot: {
        enabled: kind === 'oneshot',
        concurrency: 4,
        pipeline: 'samples/loadtest/pipelines/oneshot_opus_transcode_fast.yml',
        inputFile: INPUT,
      },
      dynamic: {
        enabled: kind === 'dynamic',
        sessionCount: 10,
        tuneIntervalMs: 50,
        pipelines: ['samples/loadtest/pipelines/dynamic_many_gains.yml'],
      },
      populate: { loadPlugins: false, pluginsNative: [], pluginsWasm: [] },
      output: { format: 'text', realTimeUpdates: false, updateIntervalMs: 1000 },
    },
    root,
  );
}

function row(name: string, s: OperationSummary | undefined): string {
  if (!s) return `${name.padEnd(16)} (none)`;
  return (
    `${name.padEnd(16)} ok ${String(s.success_count).padStart(5)}  failed ${String(s.error_count).padStart(3)}  ` +
    `${s.throughput_success_per_sec.toFixed(2).padStart(7)}/s  p50 ${s.p50_ms}ms  p95 ${s.p95_ms}ms  p99 ${s.p99_ms}ms`
  );
}

async function main(): Promise<void> {
  process.chdir(root);
  const times: number[] = [];
  for (let i = 0; i < FFMPEG_RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(
      'ffmpeg',
      ['-v', 'error', '-i', INPUT, '-af', 'volume=1.0', '-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg', '-'],
      {
        maxBuffer: 1 << 28,
      },
    );
    if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const ffP50 = times[Math.ceil(0.5 * times.length) - 1];
  const ffRate = 1000 / (times.reduce((a, b) => a + b, 0) / times.length);

  const server = await startTestServer();
  try {
    const oneshot = (await new LoadTestRunner(scenario(server.url, 'oneshot')).run()).report();
    const dynamic = (
      await new LoadTestRunner(scenario(server.url, 'dynamic'), { cleanup: true }).run()
    ).report();
    const o = oneshot.by_operation.OneShot;
    const t = dynamic.by_operation.NodeTune;
    const c = dynamic.by_operation.SessionCreate;
    console.log(`loadtest: ${SECONDS} s per scenario against ${server.url} (default config)`);
    console.log(`oneshot: ${INPUT} (16.4 s of audio), demux + decode + gain + encode, 4 clients`);
    console.log(row('  OneShot', o));
    console.log(`dynamic: 10 sessions of 8 chained gains on a paced file, a tune every 50 ms`);
    console.log(row('  SessionCreate', c));
    console.log(row('  NodeTune', t));
    console.log(row('  SessionDestroy', dynamic.by_operation.SessionDestroy));
    console.log(
      `reference: ffmpeg, same transcode, sequential: p50 ${ffP50.toFixed(0)}ms, ${ffRate.toFixed(2)} files/s`,
    );
    const errors = (o?.error_count ?? 0) + (t?.error_count ?? 0) + (c?.error_count ?? 0);
    console.log(
      `BENCH loadtest oneshot_per_s=${(o?.throughput_success_per_sec ?? 0).toFixed(2)} oneshot_p50_ms=${o?.p50_ms} ` +
        `oneshot_p99_ms=${o?.p99_ms} ffmpeg_seq_per_s=${ffRate.toFixed(2)} ffmpeg_p50_ms=${ffP50.toFixed(0)} ` +
        `sessions=${c?.success_count ?? 0} tune_per_s=${(t?.throughput_success_per_sec ?? 0).toFixed(1)} ` +
        `tune_p50_ms=${t?.p50_ms} tune_p99_ms=${t?.p99_ms} errors=${errors}`,
    );
  } finally {
    await server.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
