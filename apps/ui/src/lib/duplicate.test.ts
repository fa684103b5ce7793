import { describe, expect, it } from 'vitest';
import { lookup } from '../testing/fixtures';
import type { PipelineGraph } from './graph';
import { duplicateNodes } from './duplicate';
import { parsePipelineYaml } from './yaml-graph';

const g = parsePipelineYaml(
  'mode: oneshot\nnodes:\n  src: { kind: core::file_reader, params: { path: a.ogg } }\n  gain: { kind: audio::gain, params: { gain: 2 }, needs: src }\n  out: { kind: core::sink, needs: gain }\n',
).graph as PipelineGraph;

describe('duplicateNodes', () => {
  it('copies the chosen nodes with their params, new ids, offset positions, and the edges among them', () => {
    const r = duplicateNodes(g, ['src', 'gain'], lookup);
    expect(r.ids).toEqual(['src_2', 'gain_2']);
    const copy = r.graph.nodes.find((n) => n.id === 'gain_2');
    expect(copy?.params).toEqual({ gain: 2 });
    expect(copy?.params).not.toBe(g.nodes.find((n) => n.id === 'gain')?.params);
    const orig = g.nodes.find((n) => n.id === 'gain')?.position ?? { x: 0, y: 0 };
    expect(copy?.position).toEqual({ x: orig.x + 40, y: orig.y + 40 });
    const copied = r.graph.edges.filter((e) => r.ids.includes(e.source) || r.ids.includes(e.target));
    expect(copied.map((e) => `${e.source}->${e.target}`)).toEqual(['src_2->gain_2']);
    expect(r.graph.edges).toHaveLength(g.edges.length + 1);
  });

  it('does nothing for an empty selection', () => {
    expect(duplicateNodes(g, [], lookup)).toEqual({ graph: g, ids: [] });
  });
});
