// Fuzz: random, truncated and mutated HTTP/3 traffic against the running server over real QUIC connections
// (issue #18): control streams with odd SETTINGS and frames, HEADERS with broken QPACK, QPACK and unknown
// unidirectional streams, capsules on WebTransport CONNECT streams, WebTransport streams with moq-lite noise,
// datagrams; the cases are in `http3-fuzzer.ts`, which runs in a worker. The server must keep serving:
// /healthz answers throughout (no stall), no connection is closed with INTERNAL_ERROR, and afterwards
// a well-formed WebTransport session carries a MoQ round trip. `npm test` sends at least 10,000 frames with the
// fixed seed; `npm run fuzz` runs for FUZZ_SECONDS with a fresh one.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import * as Moq from '@moq/lite';
import { connectWebTransport } from '@streamkit/moq';
import { installMoqClientEnv } from '@streamkit/moq/testing/client-env';
import { fuzzTimeoutMs } from '@streamkit/pipeline/testing/fuzz';
import { startHealthzProbe } from '../testing/healthz-probe';
import { startTestServer, type TestServer } from '../testing/test-server';
import type { H3FuzzInput, H3FuzzReport } from './http3-fuzzer';
import { MoqService } from './moq.service';
import { until } from '../testing/moq';

installMoqClientEnv();

/** Frames the CI run must send (issue #18). */
const CI_FRAMES = 10_000;
/** Cases (of 2 connections each) in CI: enough for CI_FRAMES with the fixed seed (asserted). */
const CI_RUNS = 180;

function runFuzzer(input: Omit<H3FuzzInput, 'role'>): Promise<H3FuzzReport> {
  const worker = new Worker(join(__dirname, 'http3-fuzzer.js'), {
    workerData: { role: 'h3-fuzzer', ...input },
  });
  return new Promise<H3FuzzReport>((resolve, reject) => {
    worker.once('message', (report: H3FuzzReport) => {
      resolve(report);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the fuzzer worker exited with ${code}`)));
  });
}

// ---------------------------------------------------------------- the suite

describe('HTTP/3 fuzz against the running server', () => {
  let server: TestServer;
  let fingerprint: string;
  before(async () => {
    server = await startTestServer();
    const moq = server.app.get(MoqService);
    assert.equal(moq.http3Enabled.enabled, true, moq.http3Enabled.reason);
    fingerprint = moq.fingerprints()[0];
  });
  after(() => server.close());

  it(
    `keeps serving through ${CI_FRAMES} random or truncated HTTP/3, QPACK, capsule and WebTransport frames`,
    { timeout: fuzzTimeoutMs() + 240_000 },
    async () => {
      const probe = startHealthzProbe(server.url, 20);
      const fuzzing = runFuzzer({ port: server.port, fingerprint, runs: CI_RUNS });
      await fuzzing.catch(() => undefined);
      const health = await probe.stop();
      const report = await fuzzing;
      process.stderr.write(
        `http3 fuzz: ${report.frames} frames on ${report.connections} connections; closes ${JSON.stringify(report.closes)}; ` +
          `/healthz p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms over ${health.count} probes\n`,
      );
      assert.equal(report.error, undefined, report.error);
      assert.ok(report.frames >= CI_FRAMES, `only ${report.frames} frames sent`);
      // Every probe answered 200 (the probe throws otherwise). The fuzzer shares the two cores with the server
      // (a real attacker would not; fuzz suites run alone in `npm test`): p99 measured 40-57 ms on 2 cores.
      assert.ok(health.p99 < 100, `/healthz p99 ${health.p99.toFixed(1)} ms`);
      assert.ok(health.max < 1000, `/healthz stalled for ${health.max.toFixed(0)} ms`);

      // Still serving: a well-formed WebTransport session carries a MoQ round trip.
      const moq = server.app.get(MoqService);
      await until(
        () => (moq.gateway.http3Stats().connections === 0 ? true : undefined),
        'fuzz connections to go',
        10_000,
      );
      const pubSession = await connectWebTransport(`https://127.0.0.1:${server.port}/moq/after-fuzz`, {
        certificateHashes: [fingerprint],
      });
      const subSession = await connectWebTransport(`https://127.0.0.1:${server.port}/moq/after-fuzz`, {
        certificateHashes: [fingerprint],
      });
      const connectOver = (transport: unknown) =>
        Moq.Connection.connect(new URL(`https://127.0.0.1:${server.port}/moq/after-fuzz`), {
          transport,
        } as unknown as Parameters<typeof Moq.Connection.connect>[1]);
      const pub = await connectOver(pubSession);
      const sub = await connectOver(subSession);
      try {
        const broadcast = new Moq.Broadcast();
        pub.publish(Moq.Path.from('probe'), broadcast);
        void (async () => {
          for (let req = await broadcast.requested(); req; req = await broadcast.requested()) {
            const group = req.track.appendGroup();
            group.writeFrame(new TextEncoder().encode('still serving'));
            group.close();
          }
        })();
        const track = sub.consume(Moq.Path.from('probe')).subscribe('t', 0);
        const frame = await track.readFrame();
        assert.equal(new TextDecoder().decode(frame), 'still serving');
      } finally {
        sub.close();
        pub.close();
      }
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    },
  );
});
