// Issue #23 (engine findings 1, 4 and 8) through the real server: oversized graphs are refused quickly by a
// named limit, large allowed sessions and hostile scripts do not stall /healthz (p99 under 100 ms, measured
// while the attack runs), and node ids that are Object.prototype names are ordinary ids.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startHealthzProbe } from '../testing/healthz-probe';
import { startTestServer, type TestServer } from '../testing/test-server';

const TONE = 'samples/audio/system/tone_440hz_48k_stereo_5s.wav';

async function json(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** POSTs `{yaml}` to /api/v1/sessions `times` times, one after the other, from a child process; the statuses. */
function attackFromChild(url: string, yaml: string, times: number): Promise<number[]> {
  const code = `
    const body = Buffer.from(JSON.stringify({ yaml: require('node:fs').readFileSync(0, 'utf8') }));
    (async () => {
      const out = [];
      for (let i = 0; i < ${times}; i++) {
        const res = await fetch(process.argv[1] + '/api/v1/sessions', {
          method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.text();
        out.push(res.status);
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code, url], { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (status) =>
      status === 0 ? resolve(JSON.parse(stdout) as number[]) : reject(new Error(`attacker exited ${status}`)),
    );
    child.stdin.end(yaml);
  });
}

describe('engine bounds through the real server', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const create = async (yaml: string) => {
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ yaml }),
    });
    return { status: res.status, body: await json(res) };
  };
  const destroy = (id: string) => fetch(`${server.url}/api/v1/sessions/${id}`, { method: 'DELETE' });
  const pipeline = async (id: string) =>
    (await json(await fetch(`${server.url}/api/v1/sessions/${id}/pipeline`))) as {
      nodes: Record<string, { state?: unknown; stats?: { received: number; sent: number; errored: number } }>;
    };

  it('36,000 sinks in a ~1 MB body: 400 naming the limit, quickly, while /healthz stays under 100 ms', async (t) => {
    let yaml = 'nodes:\n  a: {kind: core::file_reader, params: {path: x.wav}}\n';
    for (let i = 0; i < 36_000; i++) yaml += `  s${i}: {kind: core::sink}\n`;
    assert.ok(yaml.length > 900_000, `${yaml.length} bytes`);
    // Sent once untimed: the first large document also starts the YAML parser thread.
    const first = await create(yaml);
    assert.equal(first.status, 400);
    assert.match(String(first.body), /more than 10000 nodes .*\[engine\.limits\] max_yaml_nodes/);
    // The attacker is another process (its own sending and parsing must not count against the server).
    const probe = startHealthzProbe(server.url);
    const started = performance.now();
    const statuses = await attackFromChild(server.url, yaml, 30);
    const each = (performance.now() - started) / 30;
    const health = await probe.stop();
    assert.deepEqual(new Set(statuses), new Set([400]));
    assert.ok(each < 500, `${each} ms per refused request`);
    t.diagnostic(
      `/healthz p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms, ${health.count} probes`,
    );
    assert.ok(health.p99 < 100, `/healthz p99 ${health.p99} ms (max ${health.max}, ${health.count} probes)`);
  });

  it('5,000 and 10,000 chained nodes: 400 naming a limit, not a 500', async () => {
    for (const n of [5000, 10_000]) {
      let yaml = 'nodes:\n  n0: {kind: core::file_reader, params: {path: x.wav}}\n';
      for (let i = 1; i < n; i++) yaml += `  n${i}: {kind: core::passthrough, needs: n${i - 1}}\n`;
      const res = await create(yaml);
      assert.equal(res.status, 400, String(res.body));
      assert.match(String(res.body), /\[engine\.limits\] max_(yaml_nodes|nodes)/);
    }
  });

  it('a session of max_nodes nodes is created and destroyed without stalling /healthz', async (t) => {
    let yaml = `nodes:\n  src: {kind: core::file_reader, params: {path: ${TONE}}}\n`;
    for (let i = 0; i < 999; i++) yaml += `  s${i}: {kind: core::sink, needs: src}\n`;
    const cycle = async () => {
      const res = await create(yaml);
      assert.equal(res.status, 200, String(res.body));
      const id = (res.body as { session_id: string }).session_id;
      assert.equal(Object.keys((await pipeline(id)).nodes).length, 1000);
      assert.equal((await destroy(id)).status, 200);
    };
    // Once untimed: the first run also pays V8's compilation of every code path involved.
    await cycle();
    const probe = startHealthzProbe(server.url);
    for (let i = 0; i < 3; i++) await cycle();
    const health = await probe.stop();
    t.diagnostic(
      `/healthz p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms, ${health.count} probes`,
    );
    assert.ok(health.p99 < 100, `/healthz p99 ${health.p99} ms (max ${health.max}, ${health.count} probes)`);
  });

  /**
   * Runs `script` on the 5 s tone paced at twice real time (250 frames) and measures /healthz and the heap
   * while it runs. Loading the script is a one-off slice bounded by the load timeout: measuring starts once
   * the first frame went through it. Resolves with the script node's `stat` at the end.
   */
  async function runScript(params: Record<string, unknown>, stat: 'errored' | 'sent') {
    const yaml = [
      'nodes:',
      `  src: {kind: core::file_reader, params: {path: ${TONE}}}`,
      '  wav: {kind: containers::wav::demuxer, needs: src}',
      '  pace: {kind: core::pacer, params: {speed: 2}, needs: wav}',
      `  script: {kind: core::script, params: ${JSON.stringify(params)}, needs: pace}`,
      '  out: {kind: core::sink, needs: script}',
    ].join('\n');
    const res = await create(yaml);
    assert.equal(res.status, 200, String(res.body));
    const id = (res.body as { session_id: string }).session_id;
    const count = async () => (await pipeline(id)).nodes.script.stats?.[stat] ?? 0;
    const deadline = Date.now() + 30_000;
    while ((await count()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const heapBefore = process.memoryUsage().heapUsed;
    const probe = startHealthzProbe(server.url);
    let n = await count();
    while (n < 250 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      n = await count();
    }
    const health = await probe.stop();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    await destroy(id);
    return { n, health, grown };
  }

  it('a script returning 50 MB of Text per packet is refused per packet; the heap and /healthz stay fine', async (t) => {
    const script =
      "const big = 'x'.repeat(50 << 20); function process(p) { return { type: 'Text', data: big }; }";
    const { n, health, grown } = await runScript({ memory_limit_mb: 128, script }, 'errored');
    assert.equal(n, 250, 'every 20 ms frame of the 5 s file was refused');
    assert.ok(grown < 100 * 1048576, `host heap grew by ${grown} bytes`);
    t.diagnostic(
      `/healthz p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms, ${health.count} probes`,
    );
    assert.ok(health.p99 < 100, `/healthz p99 ${health.p99} ms (max ${health.max}, ${health.count} probes)`);
  });

  it('a script logging in a loop stays within its log budget and does not stall /healthz', async (t) => {
    const script =
      "const line = 'y'.repeat(2000); function process(p) { for (let i = 0; i < 50; i++) console.error('spam', i, line); return p; }";
    const { n, health } = await runScript({ script }, 'sent');
    assert.equal(n, 250, 'every frame went through the script');
    t.diagnostic(
      `/healthz p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms, ${health.count} probes`,
    );
    assert.ok(health.p99 < 100, `/healthz p99 ${health.p99} ms (max ${health.max}, ${health.count} probes)`);
  });

  it('params nested 400,000 levels deep are 400 naming the node and the limit, over GraphQL and the control WebSocket', async () => {
    const res = await create('mode: dynamic\nnodes:\n  g: { kind: audio::gain }\n');
    assert.equal(res.status, 200, String(res.body));
    const id = (res.body as { session_id: string }).session_id;
    const deep = '['.repeat(400_000) + ']'.repeat(400_000);
    const limit = /params nest deeper than 64 levels \(\[engine\.limits\]\.max_yaml_depth\)/;
    try {
      const gql = await fetch(`${server.url}/api/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"query":"mutation($p: JSON) { addNode(sessionId: \\"${id}\\", nodeId: \\"x\\", kind: \\"audio::gain\\", params: $p) { nodeId } }","variables":{"p":{"q":${deep}}}}`,
      });
      const body = (await gql.json()) as { errors: { message: string; extensions: { code: string } }[] };
      assert.match(body.errors[0].message, /^Node 'x': /);
      assert.match(body.errors[0].message, limit);
      assert.equal(body.errors[0].extensions.code, 'BAD_REQUEST');

      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/control`);
      await once(ws, 'open');
      const answer = once(ws, 'message');
      ws.send(
        `{"type":"request","correlation_id":"t","payload":{"action":"tunenode","session_id":"${id}","node_id":"g","message":{"UpdateParams":{"gain":${deep}}}}}`,
      );
      const reply = JSON.parse(String((await answer)[0])) as { payload: { action: string; message: string } };
      ws.close();
      assert.equal(reply.payload.action, 'error');
      assert.match(reply.payload.message, /^Node 'g': /);
      assert.match(reply.payload.message, limit);
      // A value inside the bound still reaches the engine (here: an unknown param, ignored with a warning).
      const ok = await fetch(`${server.url}/api/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `mutation($p: JSON) { addNode(sessionId: "${id}", nodeId: "y", kind: "audio::gain", params: $p) { nodeId } }`,
          variables: { p: { q: JSON.parse('['.repeat(60) + ']'.repeat(60)) as unknown } },
        }),
      });
      assert.deepEqual(await ok.json(), { data: { addNode: { nodeId: 'y' } } });
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await destroy(id);
    }
  });

  it('node ids toString, constructor, valueOf and __proto__ are ordinary ids over REST', async () => {
    const ids = ['toString', 'constructor', 'valueOf', '__proto__'];
    const yaml = `nodes:\n${ids.map((id) => `  ${id}: {kind: core::sink}`).join('\n')}\n`;
    const res = await create(yaml);
    assert.equal(res.status, 200, String(res.body));
    const id = (res.body as { session_id: string }).session_id;
    assert.deepEqual(Object.keys((await pipeline(id)).nodes), ids);
    await destroy(id);
  });
});
