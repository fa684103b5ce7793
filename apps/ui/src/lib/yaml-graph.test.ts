import { tryParsePipelineYaml } from '@streamkit/pipeline/definition/yaml';
import { describe, expect, it } from 'vitest';
import { lookup } from '../testing/fixtures';
import { emptyGraph, type PipelineGraph } from './graph';
import { connect } from './graph-ops';
import { graphToYaml, nodeKeyRanges, parsePipelineYaml } from './yaml-graph';

const DOUBLE_VOLUME = `
name: Volume Boost
description: Doubles the volume of an Ogg/Opus upload
mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: audio::opus::decoder
  - kind: audio::gain
    params: { gain: 2.0 }
  - kind: audio::opus::encoder
  - kind: containers::ogg::muxer
    params: { channels: 2 }
  - kind: streamkit::http_output
`;

describe('parsePipelineYaml', () => {
  it('compiles the steps form into a chain step_0 -> step_n wired out -> in', () => {
    const r = parsePipelineYaml(DOUBLE_VOLUME);
    expect(r.problems).toEqual([]);
    const g = r.graph as PipelineGraph;
    expect(g.mode).toBe('oneshot');
    expect(g.name).toBe('Volume Boost');
    expect(g.nodes.map((n) => n.id)).toEqual([
      'step_0',
      'step_1',
      'step_2',
      'step_3',
      'step_4',
      'step_5',
      'step_6',
    ]);
    expect(g.nodes[3]).toMatchObject({ kind: 'audio::gain', params: { gain: 2 } });
    expect(g.edges).toHaveLength(6);
    expect(g.edges[0]).toMatchObject({
      source: 'step_0',
      sourcePin: 'out',
      target: 'step_1',
      targetPin: 'in',
      mode: 'reliable',
    });
    expect(r.unplaced).toHaveLength(7);
  });

  it('reads every needs form: string, object with mode, and lists (in_0, in_1 by position)', () => {
    const r = parsePipelineYaml(`
mode: dynamic
nodes:
  a: { kind: core::file_reader, params: { path: x.ogg } }
  b: { kind: core::file_reader, params: { path: y.ogg } }
  mix:
    kind: audio::mixer
    needs: [a, { node: b, mode: best_effort }]
  tap:
    kind: core::sink
    needs: { node: mix, mode: best_effort }
  out:
    kind: core::sink
    needs: [mix]
`);
    expect(r.problems).toEqual([]);
    const edges = r.graph?.edges ?? [];
    expect(edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ source: 'a', target: 'mix', targetPin: 'in_0', mode: 'reliable' }),
        expect.objectContaining({ source: 'b', target: 'mix', targetPin: 'in_1', mode: 'best_effort' }),
        expect.objectContaining({ source: 'mix', target: 'tap', targetPin: 'in', mode: 'best_effort' }),
        expect.objectContaining({ source: 'mix', target: 'out', targetPin: 'in', mode: 'reliable' }),
      ]),
    );
  });

  it('reports syntax errors with their line and keeps no graph', () => {
    const r = parsePipelineYaml('mode: oneshot\nnodes:\n  a: { kind: x\n');
    expect(r.graph).toBeNull();
    expect(r.problems[0].message).toMatch(/YAML syntax/);
    expect(r.problems[0].line).toBeGreaterThanOrEqual(3);
  });

  it("reports the engine's structural problems where they are written", () => {
    const missing = parsePipelineYaml('nodes:\n  a: { kind: core::sink, needs: ghost }\n');
    expect(missing.problems[0]).toMatchObject({ nodeId: 'a', line: 2, severity: 'error' });
    expect(missing.problems[0].message).toBe(
      "Connection ghost.out -> a.in: source node 'ghost' does not exist (referenced by 'a')",
    );
    // The dangling need is reported and left off the canvas; the rest of the graph applies.
    expect(missing.graph?.nodes.map((n) => n.id)).toEqual(['a']);
    expect(missing.graph?.edges).toEqual([]);
    const badMode = parsePipelineYaml('nodes: {}\nmode: sometimes\n');
    expect(badMode.graph).toBeNull();
    expect(badMode.problems[0]).toMatchObject({ line: 2, from: 16 });
    expect(badMode.problems[0].message).toContain("'oneshot' or 'dynamic'");
    const noKind = parsePipelineYaml('nodes:\n  a: { params: {} }\n');
    expect(noKind.problems[0]).toMatchObject({ nodeId: 'a', line: 2, message: "Node 'a' needs a 'kind'" });
    const badNeed = parsePipelineYaml(
      'nodes:\n  a: { kind: core::sink }\n  b:\n    kind: core::sink\n    needs: { node: a, mode: fast }\n',
    );
    expect(badNeed.problems[0]).toMatchObject({ nodeId: 'b', line: 5 });
    expect(badNeed.problems[0].message).toContain("connection mode must be 'reliable' or 'best_effort'");
    expect(parsePipelineYaml('name: x\n').problems[0].message).toContain('`steps` (a list) or `nodes`');
  });

  it('keeps params as written: no num_inputs added to a mixer with several inputs', () => {
    const r = parsePipelineYaml(
      'nodes:\n  a: { kind: audio::gain }\n  b: { kind: audio::gain }\n  mix: { kind: audio::mixer, needs: [a, b] }\n',
    );
    expect(r.graph?.nodes.find((n) => n.id === 'mix')?.params).toEqual({});
    expect(graphToYaml(r.graph as PipelineGraph)).not.toContain('num_inputs');
  });

  it('reads canvas positions from ui.position, in both forms', () => {
    const nodes = parsePipelineYaml('nodes:\n  a: { kind: core::sink, ui: { position: { x: 3, y: 4 } } }\n');
    expect(nodes.graph?.nodes[0].position).toEqual({ x: 3, y: 4 });
    expect(nodes.unplaced).toEqual([]);
    const steps = parsePipelineYaml('steps:\n  - kind: core::sink\n    ui: { position: { x: 1, y: 2 } }\n');
    expect(steps.graph?.nodes[0].position).toEqual({ x: 1, y: 2 });
  });

  it('takes oneshot when mode is absent and a kind is oneshot-only (schema facts), and keeps positions of surviving ids', () => {
    const prev: PipelineGraph = {
      ...emptyGraph('dynamic'),
      nodes: [{ id: 'in', kind: 'streamkit::http_input', params: {}, position: { x: 5, y: 7 } }],
    };
    const oneshotOnly = (kind: string) => lookup(kind)?.oneshot_only === true;
    const r = parsePipelineYaml(
      'nodes:\n  in: { kind: streamkit::http_input }\n  out: { kind: streamkit::http_output, needs: in }\n',
      prev,
      oneshotOnly,
    );
    expect(r.graph?.mode).toBe('oneshot');
    expect(parsePipelineYaml('nodes:\n  g: { kind: audio::gain }\n', prev, oneshotOnly).graph?.mode).toBe(
      'dynamic',
    );
    expect(r.graph?.nodes[0].position).toEqual({ x: 5, y: 7 });
    expect(r.unplaced).toEqual(['out']);
  });

  it('treats an empty document as an empty pipeline', () => {
    expect(parsePipelineYaml('')).toMatchObject({ graph: { nodes: [], edges: [] }, problems: [] });
  });
});

describe('graphToYaml', () => {
  it('writes the nodes form in dependency order with compact needs, and round-trips', () => {
    const parsed = parsePipelineYaml(DOUBLE_VOLUME).graph as PipelineGraph;
    const text = graphToYaml(parsed);
    expect(text).toContain('mode: oneshot');
    expect(text).toContain('name: Volume Boost');
    expect(text).toMatch(/step_3:\n\s+kind: audio::gain\n\s+params:\n\s+gain: 2\n\s+needs: step_2/);
    const again = parsePipelineYaml(text).graph as PipelineGraph;
    expect(again.nodes.map((n) => [n.id, n.kind, n.params])).toEqual(
      parsed.nodes.map((n) => [n.id, n.kind, n.params]),
    );
    expect(again.edges.map((e) => e.id).sort()).toEqual(parsed.edges.map((e) => e.id).sort());
  });

  it('orders a list of needs by dynamic pin index and keeps best_effort as {node, mode}', () => {
    let g: PipelineGraph = {
      mode: 'dynamic',
      nodes: [
        { id: 'mix', kind: 'audio::mixer', params: {}, position: { x: 0, y: 0 } },
        { id: 'a', kind: 'audio::opus::decoder', params: {}, position: { x: 0, y: 100 } },
        { id: 'b', kind: 'audio::opus::decoder', params: {}, position: { x: 0, y: 200 } },
      ],
      edges: [],
    };
    g = connect(g, { source: 'b', sourcePin: 'out', target: 'mix', targetPin: 'in_0' }, lookup);
    g = connect(
      g,
      { source: 'a', sourcePin: 'out', target: 'mix', targetPin: 'in_1', mode: 'best_effort' },
      lookup,
    );
    const text = graphToYaml(g);
    expect(text).toContain('needs: [ b, { node: a, mode: best_effort } ]');
    // Dependencies come before the mixer even though it sits higher on the canvas.
    expect(text.indexOf('  mix:')).toBeGreaterThan(text.indexOf('  b:'));
    const back = parsePipelineYaml(text).graph as PipelineGraph;
    expect(back.edges.map((e) => [e.source, e.targetPin, e.mode])).toEqual([
      ['b', 'in_0', 'reliable'],
      ['a', 'in_1', 'best_effort'],
    ]);
  });

  it('serialises an empty canvas to a parseable empty pipeline', () => {
    const text = graphToYaml(emptyGraph('oneshot'));
    expect(text).toBe('mode: oneshot\nnodes: {}\n');
    expect(parsePipelineYaml(text).graph?.nodes).toEqual([]);
  });

  it('locates node keys for diagnostics', () => {
    const ranges = nodeKeyRanges('mode: oneshot\nnodes:\n  src:\n    kind: a\n  dst:\n    kind: b\n');
    expect(ranges.get('src')?.line).toBe(3);
    expect(ranges.get('dst')?.line).toBe(5);
  });
});

describe('nodeBlock', () => {
  it('spans a node from its key to the end of its block', async () => {
    const { nodeBlock } = await import('../views/design/yaml-pane');
    const text = 'mode: oneshot\nnodes:\n  a:\n    kind: x\n  b:\n    kind: y\n    needs: a\n';
    const a = nodeBlock(text, 'a');
    expect(text.slice(a?.from, a?.to)).toBe('a:\n    kind: x');
    const b = nodeBlock(text, 'b');
    expect(text.slice(b?.from, b?.to)).toBe('b:\n    kind: y\n    needs: a');
    expect(nodeBlock(text, 'zzz')).toBeNull();
  });
});

const samples = import.meta.glob<string>('../../../../samples/pipelines/{oneshot,dynamic}/*.{yml,yaml}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

/** What the engine runs for a YAML text: mode, nodes and every connection. */
function engineWiring(text: string) {
  const { spec, problems } = tryParsePipelineYaml(text);
  expect(problems).toEqual([]);
  return {
    mode: spec?.mode,
    nodes: Object.entries(spec?.nodes ?? {})
      .map(([id, n]) => `${id}=${n.kind}:${JSON.stringify(n.params ?? {})}`)
      .sort(),
    connections: (spec?.connections ?? [])
      .map((c) => `${c.from_node}.${c.from_pin}->${c.to_node}.${c.to_pin}:${c.mode ?? 'reliable'}`)
      .sort(),
  };
}

describe('the editor writes back what it read', () => {
  it('has shipped samples to check', () => {
    expect(Object.keys(samples).length).toBeGreaterThan(0);
  });
  for (const [path, text] of Object.entries(samples)) {
    it(`${path.replace(/^.*pipelines\//, '')}: the engine runs the same pipeline from the editor's YAML`, () => {
      const graph = parsePipelineYaml(text).graph as PipelineGraph;
      expect(engineWiring(graphToYaml(graph))).toEqual(engineWiring(text));
    });
  }
});
