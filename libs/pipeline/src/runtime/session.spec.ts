import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '../core/typebox';
import type { NodeState } from '../core/node';
import { EOS } from '../core/packets';
import { whenReadable } from '../core/helpers';
import { createDefaultRegistry } from '../registry/default';
import { testNodeDefinitions } from '../testing/kinds';
import { parsePipelineYaml, pipelineToYaml } from '../definition/yaml';
import type { PipelineSpec } from '../definition/types';
import { Session } from './session';
import { InProcessSessionHost } from './session-host';
import { SessionCommandError, type SessionEvent } from './session-types';

function registry() {
  const r = createDefaultRegistry();
  for (const d of testNodeDefinitions) r.register(d);
  return r;
}

const sessions: Session[] = [];
async function open(yaml?: string, extra: Partial<ConstructorParameters<typeof Session>[0]> = {}) {
  const events: SessionEvent[] = [];
  const s = await Session.create(
    { registry: registry(), statsIntervalMs: 50, onEvent: (e) => events.push(e), ...extra },
    yaml ? parsePipelineYaml(yaml) : undefined,
  );
  sessions.push(s);
  return { s, events };
}
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.destroy()));
});

const stateOf = (s: Session, id: string): NodeState | undefined => s.getPipeline().nodes[id]?.state;
async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const stopped = (st: NodeState | undefined) => typeof st === 'object' && 'Stopped' in st;

describe('dynamic session', () => {
  it('answers each command with a result and emits an event for every change', async () => {
    const { s, events } = await open();
    assert.deepEqual(await s.addNode('src', 'test::source', { count: 0, interval_ms: 2 }), {
      node_id: 'src',
      kind: 'test::source',
      params: { count: 0, interval_ms: 2 },
    });
    await s.addNode('sink', 'core::sink');
    assert.deepEqual(await s.connect({ from_node: 'src', from_pin: 'out', to_node: 'sink', to_pin: 'in' }), {
      from_node: 'src',
      from_pin: 'out',
      to_node: 'sink',
      to_pin: 'in',
    });
    await until(() => (s.getPipeline().nodes.sink.stats?.received ?? 0) > 2, 'packets at the sink');
    await s.disconnect({ from_node: 'src', from_pin: 'out', to_node: 'sink', to_pin: 'in' });
    await s.removeNode('sink');
    const types = events.map((e) => e.type);
    for (const t of [
      'node_added',
      'connection_added',
      'connection_removed',
      'node_removed',
      'node_state',
      'node_stats',
    ] as const) {
      assert.ok(types.includes(t), t);
    }
    assert.ok(events.some((e) => e.type === 'node_state' && e.node_id === 'src' && e.state === 'Running'));
    assert.deepEqual(Object.keys(s.getPipeline().nodes), ['src']);
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(events)));
  });

  it('returns typed errors instead of succeeding silently', async () => {
    const { s } = await open('nodes:\n  a: { kind: test::source }\n  b: { kind: core::sink, needs: a }\n');
    const dup = await s.execute({ type: 'add_node', node_id: 'a', kind: 'core::sink' });
    assert.equal(dup.ok, false);
    assert.equal(!dup.ok && dup.error.code, 'conflict');
    const missing = await s.execute({ type: 'remove_node', node_id: 'zz' });
    assert.equal(!missing.ok && missing.error.code, 'not_found');
    const badKind = await s.execute({ type: 'add_node', node_id: 'c', kind: 'audio::nope' });
    assert.equal(!badKind.ok && badKind.error.code, 'invalid');
    assert.equal(!badKind.ok && badKind.error.message, "Node 'c': unknown kind 'audio::nope'");
    const badPin = await s.execute({
      type: 'connect',
      from_node: 'a',
      from_pin: 'nope',
      to_node: 'b',
      to_pin: 'in',
    });
    assert.equal(!badPin.ok && badPin.error.problems[0].pin, 'nope');
    const again = await s.execute({
      type: 'connect',
      from_node: 'a',
      from_pin: 'out',
      to_node: 'b',
      to_pin: 'in',
    });
    assert.equal(!again.ok && again.error.code, 'conflict');
    const oneshotOnly = await s.execute({ type: 'add_node', node_id: 'h', kind: 'streamkit::http_input' });
    assert.match(!oneshotOnly.ok ? oneshotOnly.error.message : '', /oneshot-only/);
    await assert.rejects(
      s.removeNode('zz'),
      (e: unknown) => e instanceof SessionCommandError && e.code === 'not_found',
    );
  });

  it('applies a batch all or nothing', async () => {
    const { s, events } = await open(
      'nodes:\n  a: { kind: test::source, params: { count: 0, interval_ms: 5 } }\n',
    );
    const before = s.getSpec();
    const n = events.length;
    const res = await s.execute({
      type: 'apply_batch',
      operations: [
        { type: 'add_node', node_id: 'p', kind: 'core::passthrough' },
        { type: 'connect', from_node: 'a', from_pin: 'out', to_node: 'p', to_pin: 'in' },
        { type: 'add_node', node_id: 'g', kind: 'core::pacer', params: { speed: -1 } },
        { type: 'connect', from_node: 'p', from_pin: 'out', to_node: 'ghost', to_pin: 'in' },
      ],
    });
    assert.equal(res.ok, false);
    assert.equal(!res.ok && res.error.problems.length, 2);
    assert.deepEqual(s.getSpec(), before);
    assert.equal(events.slice(n).filter((e) => e.type !== 'node_stats' && e.type !== 'node_state').length, 0);
    const check = await s.execute({
      type: 'validate_batch',
      operations: [{ type: 'remove_node', node_id: 'a' }],
    });
    assert.deepEqual(check, { ok: true, result: { valid: true, problems: [], warnings: [] } });
    assert.ok(s.getPipeline().nodes.a, 'validate_batch changes nothing');
    const ok = await s.applyBatch([
      { type: 'add_node', node_id: 'p', kind: 'core::passthrough' },
      { type: 'add_node', node_id: 'k', kind: 'core::sink' },
      { type: 'connect', from_node: 'a', from_pin: 'out', to_node: 'p', to_pin: 'in' },
      { type: 'connect', from_node: 'p', from_pin: 'out', to_node: 'k', to_pin: 'in' },
    ]);
    assert.deepEqual(ok, { applied: 4, warnings: [] });
    await until(() => (s.getPipeline().nodes.k.stats?.received ?? 0) > 0, 'data through the batch');
  });

  it('merges tunes and rejects non-tunable or out-of-range params', async () => {
    const { s, events } = await open(
      'nodes:\n  a: { kind: test::source, params: { count: 0, interval_ms: 5 } }\n  k: { kind: test::slow_sink, params: { note: hi }, needs: a }\n',
    );
    const res = await s.tuneNode('k', { delay_ms: 3 });
    assert.deepEqual(res, { node_id: 'k', params: { delay_ms: 3, note: 'hi' }, changed: { delay_ms: 3 } });
    assert.deepEqual(s.getPipeline().nodes.k.params, { delay_ms: 3, note: 'hi' });
    assert.ok(
      events.some((e) => e.type === 'node_params_changed' && e.node_id === 'k' && e.changed.delay_ms === 3),
    );
    const notTunable = await s.execute({ type: 'tune_node', node_id: 'k', params: { note: 'x' } });
    assert.equal(!notTunable.ok && notTunable.error.code, 'invalid');
    assert.match(
      !notTunable.ok ? notTunable.error.message : '',
      /param 'note' cannot be changed while running \(tunable: delay_ms\)/,
    );
    const range = await s.execute({ type: 'tune_node', node_id: 'k', params: { delay_ms: -4 } });
    assert.equal(!range.ok && range.error.problems[0].path, '/delay_ms');
    assert.deepEqual(s.getPipeline().nodes.k.params, { delay_ms: 3, note: 'hi' });
  });

  it('propagates end-of-stream through a chain: every node ends Stopped', async () => {
    const { s } = await open(
      'nodes:\n  a: { kind: test::source, params: { count: 20 } }\n  p: { kind: core::passthrough, needs: a }\n  q: { kind: core::passthrough, needs: p }\n  k: { kind: core::sink, needs: q }\n',
    );
    await until(() => ['a', 'p', 'q', 'k'].every((id) => stopped(stateOf(s, id))), 'all stopped');
    assert.deepEqual(stateOf(s, 'a'), { Stopped: { reason: 'completed' } });
    assert.deepEqual(stateOf(s, 'k'), { Stopped: { reason: 'input_closed' } });
    assert.equal(s.getPipeline().nodes.k.stats?.received, 20);
  });

  it('keeps neighbours running when one node fails, and reports the reason', async () => {
    const { s } = await open(
      'nodes:\n  a: { kind: test::source, params: { count: 0, interval_ms: 2 } }\n  f: { kind: test::fail, params: { after: 3, reason: "codec exploded" }, needs: a }\n  k: { kind: core::sink, needs: f }\n  k2: { kind: core::sink, needs: a }\n',
    );
    await until(() => typeof stateOf(s, 'f') === 'object', 'failure');
    assert.deepEqual(stateOf(s, 'f'), { Failed: { reason: 'codec exploded' } });
    const sent = s.getPipeline().nodes.a.stats?.sent ?? 0;
    await until(() => (s.getPipeline().nodes.a.stats?.sent ?? 0) > sent + 5, 'source keeps producing');
    assert.equal(stateOf(s, 'a'), 'Running');
    assert.equal(stateOf(s, 'k'), 'Running');
    assert.equal(stateOf(s, 'k2'), 'Running');
  });

  it('starts a source added later, even next to a stopped node', async () => {
    const { s } = await open(
      'nodes:\n  old: { kind: test::source, params: { count: 1 } }\n  k: { kind: core::sink, needs: old }\n',
    );
    await until(() => stopped(stateOf(s, 'k')), 'first branch done');
    await s.applyBatch([
      { type: 'add_node', node_id: 'late', kind: 'test::source', params: { count: 0, interval_ms: 2 } },
      { type: 'add_node', node_id: 'k2', kind: 'core::sink' },
      { type: 'connect', from_node: 'late', from_pin: 'out', to_node: 'k2', to_pin: 'in' },
    ]);
    await until(() => (s.getPipeline().nodes.k2.stats?.received ?? 0) > 3, 'late source data');
    assert.equal(stateOf(s, 'late'), 'Running');
  });

  it('starts sources after a timeout when a node never leaves Initializing', async () => {
    const reg = registry();
    reg.register({
      kind: 'test::mute',
      categories: ['test'],
      description: 'never reports a state, never reads',
      params: Type.Object({}),
      pins: () => ({ inputs: [], outputs: [] }),
      create: (_p, ctx) => ({
        run: () => new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r())),
      }),
    });
    const { s } = await open(
      'nodes:\n  m: { kind: test::mute }\n  a: { kind: test::source, params: { count: 3 } }\n  k: { kind: core::sink, needs: a }\n',
      { registry: reg, startTimeoutMs: 100 },
    );
    assert.equal(stateOf(s, 'a'), 'Ready');
    await until(() => s.getPipeline().nodes.k.stats?.received === 3, 'source started after the timeout');
    assert.equal(stateOf(s, 'm'), 'Initializing');
  });

  it('counts every best-effort drop', async () => {
    const { s } = await open(
      'nodes:\n  a: { kind: test::source, params: { count: 500 } }\n  k: { kind: test::slow_sink, params: { delay_ms: 1 }, needs: { node: a, mode: best_effort } }\n',
      { channelCapacity: 4 },
    );
    await until(() => stopped(stateOf(s, 'k')), 'sink done', 5000);
    const nodes = s.getPipeline().nodes;
    const dropped = s.connectionDrops()['a.out -> k.in'] ?? nodes.a.stats?.discarded;
    assert.ok((nodes.a.stats?.discarded ?? 0) > 0);
    assert.equal((nodes.k.stats?.received ?? 0) + (nodes.a.stats?.discarded ?? 0), 500);
    assert.equal(nodes.a.stats?.sent, 500);
    assert.ok(dropped === undefined || dropped === nodes.a.stats?.discarded);
  });

  it('emits stats at the configured cadence, rate-limits and truncates telemetry', async () => {
    const reg = registry();
    reg.register({
      kind: 'test::chatty',
      categories: ['test'],
      description: 'emits telemetry',
      params: Type.Object({}),
      pins: () => ({ inputs: [], outputs: [] }),
      create: (_p, ctx) => ({
        async run() {
          if (!(await ctx.waitForStart())) return;
          ctx.setState('Running');
          ctx.telemetry('long.text', { text: 'x'.repeat(150), nested: { list: ['y'.repeat(101)] } });
          for (let i = 0; i < 150; i++) ctx.telemetry('flood', { i });
          await new Promise((r) => setTimeout(r, 200));
        },
      }),
    });
    const { events } = await open(
      'nodes:\n  c: { kind: test::chatty }\n  a: { kind: test::source, params: { count: 0, interval_ms: 5 } }\n  k: { kind: core::sink, needs: a }\n',
      { registry: reg },
    );
    await until(
      () => events.filter((e) => e.type === 'node_stats' && e.node_id === 'k').length >= 3,
      'stats ticks',
    );
    const tel = events.filter((e) => e.type === 'node_telemetry');
    const long = tel.find((e) => e.type === 'node_telemetry' && e.data.event_type === 'long.text');
    assert.ok(long && long.type === 'node_telemetry');
    assert.equal(long.data.text, `${'x'.repeat(100)}...[truncated]`);
    assert.deepEqual(long.data.nested, { list: [`${'y'.repeat(100)}...[truncated]`] });
    assert.equal(long.type_id, 'core::telemetry/event@1');
    assert.equal(tel.filter((e) => e.type === 'node_telemetry' && e.data.event_type === 'flood').length, 100);
  });

  it('creates dynamic-family input pins on connect and tells the running node', async () => {
    const reg = registry();
    const added: string[] = [];
    reg.register({
      kind: 'test::merge',
      categories: ['test'],
      description: 'forwards from every in_N',
      params: Type.Object({}),
      pins: () => ({
        inputs: [{ name: 'in', accepts_types: ['Any'], cardinality: { Dynamic: { prefix: 'in' } } }],
        outputs: [{ name: 'out', produces_type: 'Passthrough', cardinality: 'Broadcast' }],
      }),
      create: (_p, ctx) => {
        const out = ctx.output('out');
        const inputs = ctx.inputPins().map((pin) => ctx.input(pin));
        ctx.onInputAdded((pin) => {
          added.push(pin);
          inputs.push(ctx.input(pin));
        });
        return {
          async run() {
            ctx.setState('Running');
            while (!ctx.signal.aborted) {
              await Promise.race([whenReadable(inputs), new Promise((r) => setTimeout(r, 20))]);
              for (let n = inputs.length - 1; n >= 0; n--) {
                let p = inputs[n].tryRecv();
                for (; p !== undefined && p !== EOS; p = inputs[n].tryRecv()) out.send(p);
                if (p === EOS) inputs.splice(n, 1);
              }
            }
          },
        };
      },
    });
    const { s } = await open('nodes:\n  m: { kind: test::merge }\n  k: { kind: core::sink, needs: m }\n', {
      registry: reg,
    });
    await s.addNode('a', 'test::source', { count: 5 });
    await s.connect({ from_node: 'a', from_pin: 'out', to_node: 'm', to_pin: 'in_0' });
    await s.addNode('b', 'test::source', { count: 7 });
    await s.connect({ from_node: 'b', from_pin: 'out', to_node: 'm', to_pin: 'in_5' });
    await until(() => s.getPipeline().nodes.k.stats?.received === 12, '12 packets merged');
    assert.deepEqual(added, ['in_0', 'in_5']);
  });

  it('keeps working when the kind of a running node is unregistered', async () => {
    const reg = registry();
    const { s } = await open(
      'nodes:\n  a: { kind: test::source, params: { count: 0, interval_ms: 5 } }\n  k: { kind: test::slow_sink, needs: a }\n',
      { registry: reg },
    );
    reg.unregister('test::slow_sink');
    await s.addNode('p', 'core::passthrough');
    const res = await s.execute({ type: 'add_node', node_id: 'k2', kind: 'test::slow_sink' });
    assert.equal(!res.ok && res.error.message, "Node 'k2': unknown kind 'test::slow_sink'");
  });

  it('destroys cleanly and refuses later commands', async () => {
    const { s, events } = await open(
      'nodes:\n  a: { kind: test::source, params: { count: 0, interval_ms: 1 } }\n  k: { kind: core::sink, needs: a }\n',
    );
    const res = await s.execute({ type: 'destroy' });
    assert.deepEqual(res, { ok: true, result: { session_id: s.id } });
    assert.equal(events.at(-1)?.type, 'session_destroyed');
    const after = await s.execute({ type: 'get_pipeline' });
    assert.equal(!after.ok && after.error.code, 'not_found');
  });

  it('runs sessions behind the SessionHost seam', async () => {
    const host = new InProcessSessionHost({ registry: registry() });
    const h = await host.create({
      name: 'demo',
      spec: parsePipelineYaml(
        'nodes:\n  a: { kind: test::source, params: { count: 3 } }\n  k: { kind: core::sink, needs: a }\n',
      ),
    });
    assert.equal(host.get(h.id), h);
    const view = await h.execute({ type: 'get_pipeline' });
    assert.ok(view.ok && view.result.nodes.k.kind === 'core::sink');
    await assert.rejects(
      host.create({ spec: parsePipelineYaml('nodes:\n  a: { kind: nope }\n') }),
      /unknown kind 'nope'/,
    );
    assert.equal(await host.destroy(h.id), true);
    assert.equal(host.list().length, 0);
    await host.close();
  });

  // Issue #23 finding 4: graph bounds and large (allowed) sessions.
  describe('limits and large sessions', () => {
    const fanOut = (sinks: number): PipelineSpec => {
      const spec: PipelineSpec = {
        mode: 'dynamic',
        nodes: { src: { kind: 'test::source', params: { count: 0, interval_ms: 20 } } },
        connections: [],
      };
      for (let i = 0; i < sinks; i++) {
        spec.nodes[`s${i}`] = { kind: 'core::sink' };
        spec.connections.push({ from_node: 'src', from_pin: 'out', to_node: `s${i}`, to_pin: 'in' });
      }
      return spec;
    };

    it('a batch larger than a whole session is refused before any operation is looked at', async () => {
      const { s } = await open();
      const operations = Array.from({ length: 36_000 }, (_, i) => ({
        type: 'add_node' as const,
        node_id: `s${i}`,
        kind: 'core::sink',
      }));
      const t = performance.now();
      const res = await s.execute({ type: 'apply_batch', operations });
      assert.ok(performance.now() - t < 100, `${performance.now() - t} ms`);
      assert.equal(res.ok, false);
      assert.equal(
        !res.ok && res.error.message,
        'Batch has 36000 operations; at most 5000 fit in a session (the limit is 1000 ([engine.limits] max_nodes), ' +
          'the limit is 4000 ([engine.limits] max_connections))',
      );
    });

    it('nodes added one by one stop at max_nodes with the limit named', async () => {
      const { s } = await open(undefined, { limits: { maxNodes: 3 } });
      for (const id of ['a', 'b', 'c']) await s.addNode(id, 'core::sink');
      await assert.rejects(
        s.addNode('d', 'core::sink'),
        /Pipeline has 4 nodes; the limit is 3 \(\[engine\.limits\] max_nodes\)/,
      );
      assert.equal(Object.keys(s.getPipeline().nodes).length, 3);
    });

    it('creating and destroying a session of max_nodes nodes gives the event loop turns on the way', async () => {
      let turns = 0;
      const ticker = setInterval(() => turns++, 0);
      try {
        const s = await Session.create({ registry: registry() }, fanOut(999));
        const during = turns;
        assert.equal(Object.keys(s.getPipeline().nodes).length, 1000);
        assert.ok(during > 0, 'timers ran while the session was being built');
        await until(
          () => Object.values(s.getPipeline().nodes).every((n) => n.state === 'Running'),
          'running',
          5000,
        );
        const before = turns;
        await s.destroy();
        assert.ok(turns > before, 'timers ran while the session was being destroyed');
      } finally {
        clearInterval(ticker);
      }
    });

    it('a command destroyed midway through a large batch stops and leaves nothing running', async () => {
      const { s } = await open();
      const operations = Object.entries(fanOut(500).nodes).map(([id, n]) => ({
        type: 'add_node' as const,
        node_id: id,
        kind: n.kind,
        params: n.params,
      }));
      const pending = s.execute({ type: 'apply_batch', operations });
      await new Promise((r) => setImmediate(r));
      await s.destroy();
      const res = await pending;
      assert.equal(!res.ok && res.error.code, 'not_found');
      assert.match(!res.ok ? res.error.message : '', /was destroyed during the command/);
    });
  });

  // Issue #23 finding 8: node ids are plain own keys.
  it('accepts toString, constructor, valueOf and __proto__ as node ids, everywhere', async () => {
    const ids = ['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty'];
    const yaml = `nodes:\n  src: { kind: test::source, params: { count: 0, interval_ms: 5 } }\n${ids
      .map((id) => `  ${id}: { kind: core::sink, needs: src }`)
      .join('\n')}\n`;
    const spec = parsePipelineYaml(yaml);
    assert.deepEqual(Object.keys(spec.nodes), ['src', ...ids]);
    assert.deepEqual(Object.keys(parsePipelineYaml(pipelineToYaml(spec)).nodes), ['src', ...ids]);
    const { s } = await open(yaml);
    assert.deepEqual(Object.keys(s.getPipeline().nodes), ['src', ...ids]);
    assert.deepEqual(Object.keys(s.getSpec().nodes), ['src', ...ids]);
    assert.equal(s.getPipeline().connections.length, ids.length);
    await until(() => ids.every((id) => s.getPipeline().nodes[id]?.state === 'Running'), 'all running');
    await s.tuneNode('__proto__', {});
    await s.removeNode('__proto__');
    await s.removeNode('toString');
    assert.deepEqual(Object.keys(s.getPipeline().nodes), ['src', 'constructor', 'valueOf', 'hasOwnProperty']);
    // An empty session: adding these ids is not a conflict with Object.prototype.
    const { s: empty } = await open();
    for (const id of ids) await empty.addNode(id, 'core::sink');
    assert.deepEqual(Object.keys(empty.getPipeline().nodes), ids);
    await assert.rejects(empty.addNode('toString', 'core::sink'), /node 'toString' already exists/);
    await assert.rejects(empty.removeNode('isPrototypeOf'), /node 'isPrototypeOf' does not exist/);
    await assert.rejects(empty.tuneNode('propertyIsEnumerable', {}), /does not exist/);
  });
});
