import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '../core/typebox';
import type { AnyNodeDefinition } from '../core/node';
import { inputPin, outputPin } from '../core/helpers';
import { rawAudio, type PinSet } from '../core/pin-types';
import { NodeRegistry } from '../registry/registry';
import { passthroughNode, httpInputNode, httpOutputNode } from '../nodes/core';
import { compilePipeline } from './compile';
import { parsePipelineYaml } from './yaml';
import type { PipelineSpec, ValidationProblem } from './types';

function kind(
  k: string,
  pins: PinSet | ((p: Record<string, unknown>) => PinSet),
  extra: Partial<AnyNodeDefinition> = {},
): AnyNodeDefinition {
  return {
    kind: k,
    categories: ['test'],
    description: k,
    params: Type.Object({ gain: Type.Number({ default: 1, minimum: 0, maximum: 4 }) }),
    pins: typeof pins === 'function' ? pins : () => pins,
    create: () => ({ run: async () => {} }),
    ...extra,
  };
}

const registry = new NodeRegistry([
  passthroughNode,
  httpInputNode,
  httpOutputNode,
  kind('t::mic', { inputs: [], outputs: [outputPin('out', rawAudio(48000, 2))] }),
  kind('t::mic16', { inputs: [], outputs: [outputPin('out', rawAudio(16000, 1))] }),
  kind('t::gain', { inputs: [inputPin('in', [rawAudio()])], outputs: [outputPin('out', rawAudio())] }),
  kind('t::opus_in', { inputs: [inputPin('in', ['OpusAudio'])], outputs: [outputPin('out', 'OpusAudio')] }),
  kind('t::enc48', {
    inputs: [inputPin('in', [rawAudio(48000, 1)])],
    outputs: [outputPin('out', 'OpusAudio')],
  }),
  kind('t::bytes', { inputs: [], outputs: [outputPin('out', 'Binary')] }),
  kind('t::single', { inputs: [inputPin('in', ['Any'])], outputs: [outputPin('out', 'Text', 'One')] }),
  kind(
    't::peer',
    { inputs: [inputPin('in', ['OpusAudio'])], outputs: [outputPin('out', 'OpusAudio')] },
    { bidirectional: true },
  ),
  kind('t::mixer', (p) => ({
    inputs:
      typeof p.gain === 'number' && p.gain > 1
        ? Array.from({ length: p.gain }, (_, i) => inputPin(`in_${i}`, [rawAudio()]))
        : [inputPin('in', [rawAudio()], { Dynamic: { prefix: 'in' } })],
    outputs: [outputPin('out', rawAudio())],
  })),
]);

function problemsOf(yaml: string, mode?: 'oneshot' | 'dynamic'): ValidationProblem[] {
  return compilePipeline(parsePipelineYaml(yaml), registry, { mode }).problems;
}

describe('compilePipeline', () => {
  it('compiles a valid graph with defaults applied and passthrough types resolved', () => {
    const { pipeline, problems } = compilePipeline(
      parsePipelineYaml(
        'nodes:\n  m: { kind: t::mic }\n  p: { kind: core::passthrough, needs: m }\n  g: { kind: t::gain, needs: p }\n',
      ),
      registry,
    );
    assert.deepEqual(problems, []);
    assert.equal(pipeline?.nodes.get('m')?.params.gain, 1);
    assert.deepEqual(pipeline?.nodes.get('p')?.outputTypes.out, rawAudio(48000, 2));
  });

  it('reports every problem at once, each located', () => {
    const problems = problemsOf(`
nodes:
  a: { kind: t::nope }
  b: { kind: t::gain, params: { gain: 9, extra: true } }
  c: { kind: t::mic, needs: ghost }
  d: { kind: t::gain, needs: { node: c, pin: side } }
`);
    const msgs = problems.map((p) => p.message);
    assert.ok(msgs.includes("Node 'a': unknown kind 't::nope'"), msgs.join('\n'));
    assert.ok(
      problems.some(
        (p) =>
          p.nodeId === 'b' && p.path === '/gain' && /param 'gain' must be <= 4 \(got 9\)/.test(p.message),
      ),
    );
    assert.ok(!problems.some((p) => p.path === '/extra'), 'unknown params are warnings');
    assert.ok(
      problems.some(
        (p) => p.nodeId === 'c' && /source node 'ghost' does not exist \(referenced by 'c'\)/.test(p.message),
      ),
    );
    assert.ok(
      problems.some(
        (p) =>
          p.nodeId === 'c' &&
          p.pin === 'side' &&
          /node 'c' \(t::mic\) has no output pin 'side' \(outputs: out\)/.test(p.message),
      ),
    );
    assert.ok(
      problems.some(
        (p) => p.nodeId === 'c' && p.pin === 'in' && /has no input pin 'in' \(inputs: none\)/.test(p.message),
      ),
    );
    assert.equal(problems.length, 5);
  });

  it('returns unknown params as warnings naming node and param; strict registries refuse them', () => {
    const yaml = `
mode: dynamic
nodes:
  a: { kind: t::mic, params: { backoff_cap: 4 } }
  b: { kind: t::gain, params: { gain: 2, max_retries: 5 }, needs: a }
`;
    const res = compilePipeline(parsePipelineYaml(yaml), registry);
    assert.deepEqual(res.problems, []);
    assert.deepEqual(
      res.warnings.map((w) => [w.nodeId, w.path, w.message]),
      [
        [
          'a',
          '/backoff_cap',
          "Node 'a' (t::mic): unknown param 'backoff_cap' ignored (not a parameter of t::mic)",
        ],
        [
          'b',
          '/max_retries',
          "Node 'b' (t::gain): unknown param 'max_retries' ignored (not a parameter of t::gain)",
        ],
      ],
    );
    assert.deepEqual(res.pipeline?.nodes.get('b')?.params, { gain: 2 });
    const strict = new NodeRegistry(registry.definitions(), { strictParams: true });
    const refused = compilePipeline(parsePipelineYaml(yaml), strict);
    assert.equal(refused.pipeline, undefined);
    assert.deepEqual(
      refused.problems.map((p) => p.message),
      ["Node 'a' (t::mic): unknown param 'backoff_cap'", "Node 'b' (t::gain): unknown param 'max_retries'"],
    );
  });

  it('names both pins and both types on a type mismatch', () => {
    const problems = problemsOf(
      'nodes:\n  a: { kind: t::mic16 }\n  b: { kind: t::enc48, needs: a }\n  c: { kind: t::bytes }\n  d: { kind: t::opus_in, needs: c }\n',
    );
    assert.equal(problems.length, 2);
    assert.equal(problems[0].nodeId, 'b');
    assert.equal(problems[0].pin, 'in');
    assert.equal(
      problems[0].message,
      "Connection a.out -> b.in: incompatible types: 'a.out' produces RawAudio(16000Hz, 1ch, F32) but 'b.in' accepts RawAudio(48000Hz, 1ch, F32)",
    );
    assert.match(problems[1].message, /'c.out' produces Binary but 'd.in' accepts OpusAudio/);
  });

  it('checks types through resolved passthrough chains and reports unresolvable ones in oneshot', () => {
    const bad = problemsOf(
      'nodes:\n  a: { kind: t::bytes }\n  p: { kind: core::passthrough, needs: a }\n  q: { kind: core::passthrough, needs: p }\n  g: { kind: t::gain, needs: q }\n',
    );
    assert.match(bad[0].message, /'q.out' produces Binary but 'g.in' accepts RawAudio/);
    const open = problemsOf(
      'nodes:\n  p: { kind: core::passthrough }\n  g: { kind: t::gain, needs: p }\n',
      'oneshot',
    );
    assert.match(open[0].message, /type of 'p.out' \(Passthrough\) cannot be inferred/);
    assert.deepEqual(
      problemsOf('nodes:\n  p: { kind: core::passthrough }\n  g: { kind: t::gain, needs: p }\n', 'dynamic'),
      [],
    );
  });

  it('enforces input and output cardinality', () => {
    const problems = problemsOf(`
nodes:
  a: { kind: t::mic }
  b: { kind: t::mic }
  g: { kind: t::gain, needs: [{ node: a, to_pin: in }, { node: b, to_pin: in }] }
  s: { kind: t::single, needs: a }
  x: { kind: core::passthrough, needs: s }
  y: { kind: core::passthrough, needs: s }
`);
    assert.equal(problems.length, 2);
    assert.equal(
      problems[0].message,
      "Input pin 'g.in' (cardinality One) cannot accept 2 connections (from a.out, b.out)",
    );
    assert.equal(
      problems[1].message,
      "Output pin 's.out' (cardinality One) cannot feed 2 connections (to x.in, y.in)",
    );
  });

  it('allows fan-out from Broadcast outputs and dynamic pin families', () => {
    assert.deepEqual(
      problemsOf(
        'nodes:\n  a: { kind: t::mic }\n  x: { kind: t::gain, needs: a }\n  y: { kind: t::gain, needs: a }\n  m: { kind: t::mixer, needs: [x, y] }\n',
        'oneshot',
      ),
      [],
    );
    assert.deepEqual(
      problemsOf(
        'nodes:\n  a: { kind: t::mic }\n  m: { kind: t::mixer, needs: { node: a, to_pin: in_7 } }\n',
      ),
      [],
    );
  });

  it('rejects cycles unless they pass through a bidirectional node', () => {
    const problems = problemsOf(
      'nodes:\n  a: { kind: t::gain, needs: c }\n  b: { kind: t::gain, needs: a }\n  c: { kind: t::gain, needs: b }\n  s: { kind: t::gain, needs: s }\n',
    );
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        'Cycle a -> b -> c -> a: a cycle must pass through a bidirectional node (e.g. transport::moq::peer)',
        'Cycle s -> s: a cycle must pass through a bidirectional node (e.g. transport::moq::peer)',
      ],
    );
    assert.deepEqual(
      problemsOf(
        'nodes:\n  peer: { kind: t::peer, needs: enc }\n  x: { kind: t::opus_in, needs: peer }\n  enc: { kind: t::opus_in, needs: x }\n',
      ),
      [],
    );
  });

  it('rejects oneshot-only kinds in dynamic mode, and duplicate connections', () => {
    const p = problemsOf(
      'nodes:\n  i: { kind: streamkit::http_input }\n  o: { kind: streamkit::http_output, needs: i }\n',
      'dynamic',
    );
    assert.equal(p.length, 2);
    assert.match(p[0].message, /Node 'i': kind 'streamkit::http_input' is oneshot-only/);
    const spec = parsePipelineYaml('nodes:\n  a: { kind: t::mic }\n  g: { kind: t::gain, needs: a }\n');
    spec.connections.push({ ...spec.connections[0] });
    assert.match(
      compilePipeline(spec, registry).problems[0].message,
      /Connection a.out -> g.in is listed twice/,
    );
  });

  // Issue #23 finding 4: graph size and depth are bounded, and the graph algorithms are iterative.
  describe('limits and large graphs', () => {
    const chain = (n: number, last = n - 1): PipelineSpec => {
      const spec: PipelineSpec = { mode: 'dynamic', nodes: {}, connections: [] };
      spec.nodes.n0 = { kind: 't::mic' };
      for (let i = 1; i < n; i++) {
        spec.nodes[`n${i}`] = { kind: 'core::passthrough' };
        spec.connections.push({ from_node: `n${i - 1}`, from_pin: 'out', to_node: `n${i}`, to_pin: 'in' });
      }
      if (last < n - 1)
        spec.connections.push({ from_node: `n${n - 1}`, from_pin: 'out', to_node: `n${last}`, to_pin: 'in' });
      return spec;
    };
    const big = { maxNodes: 20_000, maxConnections: 20_000, maxGraphDepth: 20_000 };

    it('a chain of 10,000 nodes compiles (no recursion to overflow) and resolves every passthrough type', () => {
      const t = performance.now();
      const res = compilePipeline(chain(10_000), registry, { mode: 'oneshot', limits: big });
      assert.deepEqual(res.problems, []);
      assert.deepEqual(res.pipeline?.nodes.get('n9999')?.outputTypes.out, rawAudio(48000, 2));
      assert.ok(performance.now() - t < 3000, `${performance.now() - t} ms`);
    });

    it('a cycle through 10,000 nodes is found and reported once', () => {
      const spec = chain(10_000, 1);
      const problems = compilePipeline(spec, registry, { limits: big }).problems.filter((p) =>
        p.message.startsWith('Cycle'),
      );
      assert.equal(problems.length, 1);
      assert.match(
        problems[0].message,
        /^Cycle n1 -> n2 -> .* -> n9999 -> n1: a cycle must pass through a bidirectional node/,
      );
    });

    it('more nodes, connections or depth than the limits is one clear problem naming the limit', () => {
      const over = compilePipeline(chain(1001), registry).problems;
      assert.deepEqual(over, [
        { message: 'Pipeline has 1001 nodes; the limit is 1000 ([engine.limits] max_nodes)' },
      ]);
      const deep = compilePipeline(chain(300), registry).problems;
      assert.equal(deep.length, 1);
      assert.equal(deep[0].nodeId, 'n0');
      assert.match(
        deep[0].message,
        /Pipeline is 300 nodes deep \(the longest chain starts at 'n0'\); the limit is 256 \(\[engine\.limits\] max_graph_depth\)/,
      );
      const fan = chain(2);
      for (let i = 0; i < 50; i++) fan.connections.push({ ...fan.connections[0], to_pin: `x${i}` });
      assert.match(
        compilePipeline(fan, registry, { limits: { maxConnections: 10 } }).problems[0].message,
        /Pipeline has 51 connections; the limit is 10 \(\[engine\.limits\] max_connections\)/,
      );
    });

    it('36,000 sinks are refused by max_nodes at once, without checking any of them', () => {
      const spec: PipelineSpec = { mode: 'dynamic', nodes: { src: { kind: 't::mic' } }, connections: [] };
      for (let i = 0; i < 36_000; i++) {
        spec.nodes[`s${i}`] = { kind: 'core::passthrough' };
        spec.connections.push({ from_node: 'src', from_pin: 'out', to_node: `s${i}`, to_pin: 'in' });
      }
      const t = performance.now();
      const { problems } = compilePipeline(spec, registry);
      assert.match(problems[0].message, /36001 nodes; the limit is 1000 \(\[engine\.limits\] max_nodes\)/);
      assert.ok(performance.now() - t < 50, `${performance.now() - t} ms`);
    });
  });
});
