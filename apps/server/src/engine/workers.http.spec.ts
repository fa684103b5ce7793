// The multi-core runtime against the real server (2 engine workers): placement across workers, a dying worker
// failing only its own sessions (REST and GraphQL say why) while the other worker's session loses no frame,
// /healthz staying fast while nodes run away, plugins uploaded over HTTP usable on every worker, and oneshot
// runs through a worker (byte-identical to in-process, stopped when the client goes away).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  createDefaultRegistry,
  runOneshot,
  type PipelineView,
  type WorkerSessionHost,
} from '@streamkit/pipeline';
import { exampleWasmGain } from '@streamkit/pipeline/testing/plugin-examples';
import { OneshotService } from '../oneshot/oneshot.service';
import { ENGINE_TEST_NODES } from '../testing/engine-test-nodes';
import { MUSIC, PACED_ONESHOT, REPO, SPEECH } from '../testing/fixtures';
import { startTestServer, type TestServer } from '../testing/test-server';
import { SESSION_HOST } from './engine.module';

const TONE = join(REPO, 'samples/audio/system/tone_440hz_48k_stereo_5s.wav');
const DOUBLE_VOLUME = readFileSync(join(REPO, 'samples/pipelines/oneshot/double_volume.yml'), 'utf8');

const TICKING = [
  'mode: dynamic',
  'nodes:',
  '  tick: { kind: test::ticker, params: { interval_ms: 20 } }',
  '  check: { kind: test::sequence_check, needs: tick }',
].join('\n');

const faulty = (how: string, afterMs: number) =>
  `${TICKING}\n  fault: { kind: test::fault, params: { how: ${how}, after_ms: ${afterMs} } }`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

describe('engine workers', () => {
  let server: TestServer;
  let host: WorkerSessionHost;

  before(async () => {
    server = await startTestServer({
      tempDirs: true,
      nodeModules: [ENGINE_TEST_NODES],
      config: {
        // The shipped watchdog (5 s): a worker filling its heap spends seconds collecting garbage before V8
        // gives up, longer on a busy machine, and must be reported as out of memory rather than as stuck.
        engine: { workers: 2, worker_watchdog_ms: 5000, worker_max_heap_mb: 192 },
        plugins: { allow_http_management: true },
        security: { allowed_file_paths: [`${REPO}/samples/**`] },
      },
    });
    host = server.app.get<WorkerSessionHost>(SESSION_HOST);
    assert.ok(await host.pool.whenReady(), 'both workers start');
  });
  after(() => server.close());

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, {
      ...init,
      headers: init.body === undefined ? init.headers : { 'content-type': 'application/json' },
    });
    const text = await res.text();
    assert.equal(res.status, 200, `${init.method ?? 'GET'} ${path}: ${text}`);
    return JSON.parse(text) as T;
  };
  const create = async (name: string, yaml: string) =>
    (
      await api<{ session_id: string }>('/api/v1/sessions', {
        method: 'POST',
        body: JSON.stringify({ name, yaml }),
      })
    ).session_id;
  const pipeline = (id: string) => api<PipelineView>(`/api/v1/sessions/${id}/pipeline`);
  const destroy = (id: string) => api(`/api/v1/sessions/${id}`, { method: 'DELETE' });
  /** Placement follows measured load: a test that wants one session per worker lets earlier load fade. */
  const idle = () =>
    until(
      () => (host.workers().every((w) => w.ready && w.measured && w.elu < 0.05) ? true : undefined),
      'idle workers',
    );
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) =>
    api<{ data: T }>('/api/v1/graphql', { method: 'POST', body: JSON.stringify({ query, variables }) });

  it('places sessions on different workers, and REST and GraphQL say which', async () => {
    await idle();
    const a = await create('place-a', TICKING);
    const b = await create('place-b', TICKING);
    try {
      const [pa, pb] = [await pipeline(a), await pipeline(b)];
      assert.notEqual(
        pa.worker,
        pb.worker,
        `two sessions on idle workers land on both: ${JSON.stringify(host.workers())}`,
      );
      assert.deepEqual([pa.worker, pb.worker].sort(), [0, 1]);
      assert.equal(pa.state, 'Running');
      const { data } = await gql<{ session: { pipeline: { worker: number; state: { status: string } } } }>(
        'query($id: String!) { session(idOrName: $id) { pipeline { worker state { status } } } }',
        { id: b },
      );
      assert.deepEqual(data.session.pipeline, { worker: pb.worker, state: { status: 'Running' } });
    } finally {
      await destroy(a);
      await destroy(b);
    }
  });

  it('a worker that dies fails only its own sessions, with the cause, and is replaced at once', async () => {
    await idle();
    const steady = await create('steady', TICKING);
    const steadyWorker = (await pipeline(steady)).worker;
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/api/v1/graphql`;
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    const causes: [string, RegExp][] = [
      ['exit', /process\.exit\(3\) was called at .*engine-test-nodes/],
      ['throw', /crashed: test::fault threw outside its run\(\)/],
      ['spin', /unresponsive for \d+ ms .* terminated by the watchdog/],
      ['oom', /exceeded its memory limit \(192 MiB heap/],
    ];
    try {
      for (const [how, expected] of causes) {
        const id = await create(`faulty-${how}`, faulty(how, 300));
        const placed = await pipeline(id);
        assert.notEqual(
          placed.worker,
          steadyWorker,
          `${how}: placed away from the busy worker ${JSON.stringify(host.workers())}`,
        );
        const slot = host.workers()[placed.worker!];
        const failedStates: string[] = [];
        const stop = client.subscribe<{
          nodeStates: { nodeId: string; state: { status: string; reason: string } };
        }>(
          { query: `subscription { nodeStates(sessionId: "${id}") { nodeId state { status reason } } }` },
          {
            next: ({ data }) => {
              if (data?.nodeStates.state.status === 'Failed') failedStates.push(data.nodeStates.state.reason);
            },
            error: () => undefined,
            complete: () => undefined,
          },
        );
        const failed = await until(async () => {
          const view = await pipeline(id);
          return typeof view.state === 'object' ? view : undefined;
        }, `${how}: the session to fail`);
        const failedAt = Date.now();
        const reason = (failed.state as { Failed: { reason: string } }).Failed.reason;
        assert.match(reason, expected);
        for (const [nodeId, node] of Object.entries(failed.nodes)) {
          assert.deepEqual(
            node.state,
            { Failed: { reason } },
            `${how}: node ${nodeId} failed with the cause`,
          );
        }
        await until(() => (failedStates.length === 3 ? true : undefined), `${how}: Failed over GraphQL`);
        assert.ok(failedStates.every((r) => r === reason));
        const { data } = await gql<{ session: { pipeline: { state: { status: string; reason: string } } } }>(
          'query($id: String!) { session(idOrName: $id) { pipeline { state { status reason } } } }',
          { id },
        );
        assert.deepEqual(data.session.pipeline.state, { status: 'Failed', reason });
        // Commands other than viewing and destroying answer with the cause.
        const tune = await fetch(`${server.url}/api/v1/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: `mutation { removeNode(sessionId: "${id}", nodeId: "fault") { nodeId } }`,
          }),
        });
        const tuned = (await tune.json()) as { errors: { message: string; extensions: { code: string } }[] };
        assert.equal(tuned.errors[0].extensions.code, 'CONFLICT');
        assert.ok(tuned.errors[0].message.includes(reason));

        const replaced = await until(() => {
          const now = host.workers()[slot.index];
          return now.threadId !== slot.threadId ? now : undefined;
        }, `${how}: a replacement worker`);
        assert.ok(Date.now() - failedAt < 1000, `${how}: replacement started within 1 s`);
        assert.equal(replaced.restarts, slot.restarts + 1);
        stop();
        await destroy(id);
      }
      // The steady session never stopped: every frame arrived, in order, none late enough to be missed.
      const view = await pipeline(steady);
      assert.equal(view.state, 'Running');
      assert.equal(view.nodes.check.stats?.errored, 0, 'no gap in the sequence');
      const sent = view.nodes.tick.stats?.sent ?? 0;
      const received = view.nodes.check.stats?.received ?? 0;
      assert.ok(sent > 100 && sent - received <= 2, `sent ${sent}, received ${received}`);
      // A new session lands on a replaced worker and runs.
      await until(() => (host.workers().every((w) => w.ready) ? true : undefined), 'replacements ready');
      const fresh = await create('fresh', TICKING);
      await until(
        async () => ((await pipeline(fresh)).nodes.check.stats?.received ?? 0) > 0 || undefined,
        'fresh data',
      );
      await destroy(fresh);
    } finally {
      await client.dispose();
      await destroy(steady);
    }
  });

  it('a runaway node or script does not delay /healthz beyond 50 ms', async () => {
    await idle();
    const burning = await create(
      'burning',
      [
        'mode: dynamic',
        'nodes:',
        '  tick: { kind: test::ticker, params: { interval_ms: 10 } }',
        '  burn: { kind: test::burn, params: { busy_ms: 200 }, needs: tick }',
      ].join('\n'),
    );
    const script = await create(
      'scripted',
      [
        'mode: dynamic',
        'nodes:',
        '  tick: { kind: test::ticker, params: { interval_ms: 10 } }',
        '  busy:',
        '    kind: core::script',
        '    params:',
        '      script: "function process(p) { const end = Date.now() + 90; while (Date.now() < end) {} return p; }"',
        // A heavy script, not a runaway one: its 90 ms slices stay well inside its deadline even when a busy
        // machine preempts them (the default, 100 ms of wall clock per slice, would stop it there).
        '      cpu_timeout_ms: 1000',
        '      timeout_ms: 1000',
        '    needs: tick',
        '  sink: { kind: core::sink, needs: busy }',
      ].join('\n'),
    );
    try {
      assert.notEqual((await pipeline(burning)).worker, (await pipeline(script)).worker);
      await until(
        async () => ((await pipeline(script)).nodes.busy.stats?.received ?? 0) > 3 || undefined,
        'the script to be busy',
      );
      const ms: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/healthz`);
        await res.text();
        ms.push(performance.now() - t0);
        await sleep(25);
      }
      ms.sort((a, b) => a - b);
      const p95 = ms[Math.floor(ms.length * 0.95)];
      assert.ok(
        p95 < 50,
        `/healthz p95 ${p95.toFixed(1)} ms (all: ${ms.map((x) => x.toFixed(1)).join(' ')})`,
      );
      assert.ok(
        host.workers().every((w) => w.elu > 0.5),
        'both workers are saturated meanwhile',
      );
    } finally {
      await destroy(burning);
      await destroy(script);
    }
  });

  it('a plugin uploaded over HTTP is usable at once in new sessions on every worker', async () => {
    await idle();
    const fd = new FormData();
    fd.append('plugin', new Blob([readFileSync(exampleWasmGain())]), 'gain.wasm');
    const up = await fetch(`${server.url}/api/v1/plugins`, { method: 'POST', body: fd });
    assert.equal(up.status, 201, await up.clone().text());
    const yaml = [
      'mode: dynamic',
      'nodes:',
      `  read: { kind: core::file_reader, params: { path: ${JSON.stringify(TONE)} } }`,
      '  demux: { kind: containers::wav::demuxer, needs: read }',
      '  gain: { kind: plugin::wasm::gain, params: { gain_db: -6 }, needs: demux }',
      '  sink: { kind: core::sink, needs: gain }',
    ].join('\n');
    const ids = [await create('plugin-a', yaml), await create('plugin-b', yaml)];
    try {
      const views = await Promise.all(
        ids.map((id) =>
          until(async () => {
            const v = await pipeline(id);
            return (v.nodes.sink.stats?.received ?? 0) > 0 ? v : undefined;
          }, 'audio through the plugin'),
        ),
      );
      assert.deepEqual(views.map((v) => v.worker).sort(), [0, 1], 'one session on each worker');
      for (const v of views) {
        assert.equal(typeof v.nodes.gain.state === 'object' && 'Failed' in v.nodes.gain.state, false);
      }
    } finally {
      for (const id of ids) await destroy(id);
    }
    const del = await fetch(`${server.url}/api/v1/plugins/${encodeURIComponent('plugin::wasm::gain')}`, {
      method: 'DELETE',
    });
    assert.equal(del.status, 200);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `gone-${i}`, yaml }),
      });
      assert.equal(res.status, 400, 'an unloaded kind is refused on every worker');
      assert.match(await res.text(), /unknown kind 'plugin::wasm::gain'/);
    }
  });

  /** POST /process with `media` through double_volume.yml: the status, content type and body. */
  async function processRemote(media: Buffer) {
    const fd = new FormData();
    fd.append('config', DOUBLE_VOLUME);
    fd.append('media', new Blob([media], { type: 'audio/ogg' }));
    const res = await fetch(`${server.url}/api/v1/process`, { method: 'POST', body: fd });
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: Buffer.from(await res.arrayBuffer()),
    };
  }

  async function processLocal(media: Buffer) {
    const local = await runOneshot(DOUBLE_VOLUME, {
      registry: createDefaultRegistry(),
      input: [media],
      inputContentType: 'audio/ogg',
    });
    const chunks: Buffer[] = [];
    for await (const c of local.output) chunks.push(Buffer.from(c));
    return { type: local.contentType, body: Buffer.concat(chunks) };
  }

  it('a oneshot run through a worker is byte-identical to the in-process run', async () => {
    const media = readFileSync(SPEECH);
    const remote = await processRemote(media);
    assert.equal(remote.status, 200);
    const local = await processLocal(media);
    assert.equal(remote.type, local.type);
    assert.ok(remote.body.length > 10_000);
    assert.ok(remote.body.equals(local.body), 'same bytes');
  });

  it('runs coding Opus on both workers at once are each byte-identical to the in-process run', async () => {
    // The Opus addon codes into buffers shared by every thread that loads the same file: without a copy per
    // worker, two workers encoding at once corrupted most packets of both runs.
    const media = readFileSync(MUSIC);
    const local = await processLocal(media);
    // Placement follows measured load: after the previous run, both workers must read idle for the runs to
    // spread over them.
    await idle();
    let both = false;
    const watch = setInterval(() => {
      if (host.workers().every((w) => w.graphs > 0)) both = true;
    }, 5);
    try {
      const runs = await Promise.all(Array.from({ length: 4 }, () => processRemote(media)));
      assert.ok(both, 'the runs overlapped on both workers');
      runs.forEach((r, i) => {
        assert.equal(r.status, 200);
        assert.ok(r.body.equals(local.body), `run ${i}: same bytes as in-process`);
      });
    } finally {
      clearInterval(watch);
    }
  });

  it("client disconnect stops the worker's pipeline within 1 s", async () => {
    const svc = server.app.get(OneshotService);

    const fd = new FormData();
    fd.append('config', PACED_ONESHOT);
    fd.append('media', new Blob([readFileSync(SPEECH)], { type: 'audio/ogg' }));
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/v1/process`, {
      method: 'POST',
      body: fd,
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    assert.ok(!(await reader.read()).done);
    assert.equal(svc.running, 1);
    assert.equal(
      host.workers().reduce((n, w) => n + w.graphs, 0),
      1,
      'the run is on a worker',
    );
    const t0 = Date.now();
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await until(
      () => (svc.running === 0 && host.workers().every((w) => w.graphs === 0) ? true : undefined),
      'the worker pipeline to stop',
      1000,
    );
    assert.ok(Date.now() - t0 < 1000);
  });
});
