import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePipelineYaml, pipelineToYaml, tryParsePipelineYaml } from './yaml';
import { PipelineValidationError } from './types';

describe('pipeline YAML', () => {
  it('compiles the steps form into a linear chain with generated ids', () => {
    const spec = parsePipelineYaml(`
name: louder
description: a chain
mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: audio::gain
    params: { gain: 1.8 }
  - kind: streamkit::http_output
`);
    assert.equal(spec.name, 'louder');
    assert.equal(spec.description, 'a chain');
    assert.equal(spec.mode, 'oneshot');
    assert.deepEqual(Object.keys(spec.nodes), ['step_0', 'step_1', 'step_2']);
    assert.deepEqual(spec.nodes.step_1, { kind: 'audio::gain', params: { gain: 1.8 } });
    assert.deepEqual(spec.connections, [
      { from_node: 'step_0', from_pin: 'out', to_node: 'step_1', to_pin: 'in' },
      { from_node: 'step_1', from_pin: 'out', to_node: 'step_2', to_pin: 'in' },
    ]);
  });

  it('defaults mode to dynamic and treats empty params as none', () => {
    const spec = parsePipelineYaml('nodes:\n  a:\n    kind: core::passthrough\n    params:\n');
    assert.equal(spec.mode, 'dynamic');
    assert.deepEqual(spec.nodes.a, { kind: 'core::passthrough' });
  });

  it('accepts needs as a string, an object with mode, and a mixed list', () => {
    const spec = parsePipelineYaml(`
nodes:
  a: { kind: k }
  b: { kind: k, needs: a }
  c: { kind: k, needs: { node: b, mode: best_effort } }
  d: { kind: k, needs: [a, { node: c, mode: best_effort }] }
  e: { kind: k, needs: [a] }
`);
    assert.deepEqual(spec.connections, [
      { from_node: 'a', from_pin: 'out', to_node: 'b', to_pin: 'in' },
      { from_node: 'b', from_pin: 'out', to_node: 'c', to_pin: 'in', mode: 'best_effort' },
      { from_node: 'a', from_pin: 'out', to_node: 'd', to_pin: 'in_0' },
      { from_node: 'c', from_pin: 'out', to_node: 'd', to_pin: 'in_1', mode: 'best_effort' },
      { from_node: 'a', from_pin: 'out', to_node: 'e', to_pin: 'in' },
    ]);
  });

  it('wires named pins from a needs object (extension)', () => {
    const spec = parsePipelineYaml(`
nodes:
  demux: { kind: k }
  x: { kind: k, needs: { node: demux, pin: audio_1, to_pin: side, mode: reliable } }
`);
    assert.deepEqual(spec.connections, [
      { from_node: 'demux', from_pin: 'audio_1', to_node: 'x', to_pin: 'side' },
    ]);
  });

  it('injects num_inputs into a multi-input mixer whatever the mode', () => {
    for (const mode of ['', 'mode: oneshot\n', 'mode: dynamic\n']) {
      const spec = parsePipelineYaml(`${mode}nodes:
  a: { kind: k }
  b: { kind: k }
  mix: { kind: audio::mixer, needs: [a, b] }
  mix2: { kind: audio::mixer, params: { num_inputs: 5 }, needs: [a, b] }
`);
      assert.deepEqual(spec.nodes.mix.params, { num_inputs: 2 });
      assert.deepEqual(spec.nodes.mix2.params, { num_inputs: 5 });
    }
  });

  it('prefers steps when both steps and nodes are present', () => {
    const spec = parsePipelineYaml('steps:\n  - kind: a\nnodes:\n  x: { kind: b }\n');
    assert.deepEqual(Object.keys(spec.nodes), ['step_0']);
  });

  it('reports every structural problem with its path', () => {
    const { spec, problems } = tryParsePipelineYaml(`
mode: fast
nodes:
  a: { params: {} }
  b: { kind: k, params: 3, needs: [{ mode: best_effort }, { node: a, mode: sometimes }] }
`);
    assert.equal(spec, undefined);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    assert.match(byPath['/mode'], /mode must be 'oneshot' or 'dynamic'/);
    assert.match(byPath['/nodes/a/kind'], /Node 'a' needs a 'kind'/);
    assert.match(byPath['/nodes/b/params'], /params must be a mapping/);
    assert.match(byPath['/nodes/b/needs/0/node'], /missing 'node'/);
    assert.match(byPath['/nodes/b/needs/1/mode'], /'reliable' or 'best_effort'/);
  });

  it('rejects invalid YAML and documents without steps or nodes', () => {
    assert.throws(
      () => parsePipelineYaml('nodes: [unclosed'),
      (e: unknown) => e instanceof PipelineValidationError && /Invalid YAML/.test(e.message),
    );
    assert.throws(() => parsePipelineYaml('name: x'), /needs `steps`/);
    assert.throws(() => parsePipelineYaml('- a'), /must be a mapping/);
  });

  it('serializes a spec to YAML that parses back to the same graph', () => {
    const original = parsePipelineYaml(`
name: round
description: trip
mode: dynamic
nodes:
  a: { kind: k, params: { x: 1 } }
  b: { kind: k, needs: a }
  c: { kind: k, needs: { node: b, mode: best_effort } }
  d: { kind: k, needs: [a, { node: c, pin: aux }] }
  e: { kind: k, needs: { node: a, to_pin: side } }
  mix: { kind: audio::mixer, needs: [a, b, c] }
`);
    const yaml = pipelineToYaml(original);
    const again = parsePipelineYaml(yaml);
    assert.deepEqual(again, original);
    assert.match(yaml, /needs: a\n/);
  });

  // Issue #23, findings 4 and 5: hostile YAML on the pipeline paths (sessions, oneshot).
  it('refuses an alias bomb, deep nesting and duplicate node ids with the limit named, without crashing', () => {
    let bomb = 'nodes:\n  a0: &a0 {kind: core::sink, params: {x: [1, 1, 1, 1, 1, 1, 1, 1, 1]}}\n';
    for (let i = 1; i < 9; i++)
      bomb += `  a${i}: &a${i} {kind: core::sink, params: {x: [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]}}\n`;
    const deep = `nodes:\n  a: {kind: core::sink, params: {x: ${'['.repeat(5000)}${']'.repeat(5000)}}}\n`;
    for (const [text, limit] of [
      [bomb, /max_yaml_nodes/],
      [deep, /nests deeper than 64 levels.*max_yaml_depth/],
      ['nodes:\n  a: {kind: core::sink}\n  a: {kind: core::sink}\n', /'a' appears twice/],
    ] as const) {
      const t = performance.now();
      const { spec, problems } = tryParsePipelineYaml(text);
      assert.equal(spec, undefined);
      assert.match(problems[0].message, /^Invalid YAML: /);
      assert.match(problems[0].message, limit);
      assert.ok(performance.now() - t < 1000, `${problems[0].message}: ${performance.now() - t} ms`);
    }
  });
});
