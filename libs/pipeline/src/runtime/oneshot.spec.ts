import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDefaultRegistry } from '../registry/default';
import { testNodeDefinitions } from '../testing/kinds';
import { runOneshotGraph } from '../testing';
import { OneshotError, runOneshot } from './oneshot';
import type { NodeState } from '../core/node';

function registry() {
  const r = createDefaultRegistry();
  for (const d of testNodeDefinitions) r.register(d);
  return r;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const chain = (middle: string[]) =>
  `mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n${middle.map((m) => `  - ${m}\n`).join('')}  - kind: streamkit::http_output\n`;

async function* chunks(n: number, delayMs = 0): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    yield bytes(`${i};`);
  }
}

describe('oneshot runner', () => {
  it('streams input to output and ends every node Stopped', async () => {
    const r = await runOneshotGraph(
      registry(),
      chain(['kind: core::passthrough', 'kind: core::passthrough']),
      {
        input: chunks(50),
        inputContentType: 'audio/ogg',
      },
    );
    assert.equal(Buffer.from(r.output).toString(), Array.from({ length: 50 }, (_, i) => `${i};`).join(''));
    assert.equal(r.contentType, 'audio/ogg');
    assert.deepEqual(r.states, {
      step_0: { Stopped: { reason: 'completed' } },
      step_1: { Stopped: { reason: 'input_closed' } },
      step_2: { Stopped: { reason: 'input_closed' } },
      step_3: { Stopped: { reason: 'input_closed' } },
    });
    assert.equal(r.stats.step_1.received, 50);
    assert.equal(r.stats.step_1.sent, 50);
  });

  it('takes the content type from http_output params first', async () => {
    const yaml =
      'mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: core::json_serialize\n  - kind: streamkit::http_output\n    params: { content_type: text/x-test }\n';
    assert.equal((await runOneshotGraph(registry(), yaml, { input: bytes('x') })).contentType, 'text/x-test');
    const noParam = yaml.replace('    params: { content_type: text/x-test }\n', '');
    assert.equal(
      (await runOneshotGraph(registry(), noParam, { input: bytes('x'), inputContentType: 'audio/ogg' }))
        .contentType,
      'application/json',
    );
  });

  it('rejects an invalid pipeline with every problem before running', async () => {
    await assert.rejects(
      runOneshot('mode: oneshot\nnodes:\n  a: { kind: core::passthrough }\n', {
        registry: registry(),
        input: bytes('x'),
      }),
      (e: unknown) => {
        assert.ok(e instanceof OneshotError);
        assert.equal(e.code, 'invalid');
        const msgs = e.problems.map((p) => p.message);
        assert.ok(msgs.some((m) => /needs a streamkit::http_output/.test(m)));
        assert.ok(msgs.some((m) => /no streamkit::http_input node to receive it/.test(m)));
        return true;
      },
    );
  });

  it('names every oneshot wiring problem', async () => {
    const yaml = `mode: oneshot
nodes:
  i1: { kind: streamkit::http_input }
  i2: { kind: streamkit::http_input }
  o1: { kind: streamkit::http_output, needs: i1 }
  o2: { kind: streamkit::http_output }
`;
    const messages = async (y: string, input?: Uint8Array) => {
      try {
        await runOneshot(y, { registry: registry(), input });
        return [];
      } catch (e) {
        return (e as OneshotError).problems.map((p) => p.message);
      }
    };
    const all = await messages(yaml, bytes('x'));
    assert.ok(
      all.includes('A oneshot pipeline takes at most one streamkit::http_input (found i1, i2)'),
      all.join('\n'),
    );
    assert.ok(all.includes('A oneshot pipeline takes exactly one streamkit::http_output (found o1, o2)'));
    const single = await messages(
      'mode: oneshot\nnodes:\n  i: { kind: streamkit::http_input }\n  o: { kind: streamkit::http_output }\n',
    );
    assert.ok(single.includes("Node 'o' (streamkit::http_output) is not connected: give it 'needs'"));
    assert.ok(single.includes("Node 'i' (streamkit::http_input) needs uploaded media, but none was sent"));
  });

  it('returns a failure before the first byte as an error', async () => {
    await assert.rejects(
      runOneshot(chain(['kind: test::fail\n    params: { reason: "decoder exploded" }']), {
        registry: registry(),
        input: chunks(3),
      }),
      (e: unknown) =>
        e instanceof OneshotError &&
        e.code === 'failed' &&
        e.nodeId === 'step_1' &&
        e.message === "Node 'step_1' (test::fail) failed: decoder exploded",
    );
  });

  it('ends the stream with an error when a node fails after output started', async () => {
    const run = await runOneshot(chain(['kind: test::fail\n    params: { after: 3, reason: late }']), {
      registry: registry(),
      input: chunks(10),
    });
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const c of run.output) got.push(Buffer.from(c).toString());
    }, /Node 'step_1' \(test::fail\) failed: late/);
    assert.deepEqual(got, ['0;', '1;', '2;']);
    await assert.rejects(run.done, /late/);
  });

  it('stops the whole graph when the consumer stops reading', async () => {
    const states: Record<string, NodeState> = {};
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (let i = 0; ; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield bytes(`${i}`);
      }
    }
    const run = await runOneshot(chain(['kind: core::passthrough']), {
      registry: registry(),
      input: endless(),
      onState: (id, s) => (states[id] = s),
    });
    let n = 0;
    for await (const _ of run.output) if (++n === 3) break;
    await run.done;
    for (const id of ['step_0', 'step_1', 'step_2'])
      assert.deepEqual(states[id], { Stopped: { reason: 'shutdown' } }, id);
  });

  it('allows fan-out: one output feeding several consumers', async () => {
    const yaml = `mode: oneshot
nodes:
  in: { kind: streamkit::http_input }
  p: { kind: core::passthrough, needs: in }
  side: { kind: core::sink, needs: p }
  out: { kind: streamkit::http_output, needs: p }
`;
    const r = await runOneshotGraph(registry(), yaml, { input: chunks(20) });
    assert.equal(Buffer.from(r.output).toString().split(';').length - 1, 20);
    const reported: Record<string, number> = {};
    const run = await runOneshot(yaml, {
      registry: registry(),
      input: chunks(20),
      onStats: (id, st) => (reported[id] = st.received),
    });
    for await (const _ of run.output);
    await run.done;
    assert.deepEqual(reported, { in: 0, p: 20, side: 20, out: 20 });
    assert.equal(r.stats.side.received, 20);
    assert.equal(r.stats.side.discarded, 20);
  });

  it('throttles a fast producer to a slow consumer with bounded queues', async () => {
    const reg = registry();
    const run = await runOneshot(
      'mode: oneshot\nnodes:\n  src: { kind: test::source, params: { count: 0 } }\n  slow: { kind: test::slow_sink, params: { delay_ms: 2 }, needs: src }\n',
      { registry: reg, allowNoOutput: true, channelCapacity: 8 },
    );
    await new Promise((r) => setTimeout(r, 150));
    const stats = run.stats();
    run.cancel();
    await run.done;
    assert.ok(stats.slow.received > 5, `consumer made progress (${stats.slow.received})`);
    assert.ok(
      stats.src.sent - stats.slow.received <= 8,
      `in flight ${stats.src.sent - stats.slow.received} <= capacity`,
    );
  });
});
