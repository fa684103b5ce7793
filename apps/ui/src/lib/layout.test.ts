import { describe, expect, it } from 'vitest';
import { lookup } from '../testing/fixtures';
import { parsePipelineYaml } from './yaml-graph';
import { autoLayout, nodeHeight, placeNodes } from './layout';
import type { PipelineGraph } from './graph';

const chain = parsePipelineYaml(
  'mode: oneshot\nsteps:\n  - kind: core::file_reader\n  - kind: containers::ogg::demuxer\n  - kind: audio::opus::decoder\n  - kind: audio::gain\n  - kind: audio::opus::encoder\n',
).graph as PipelineGraph;

describe('layout', () => {
  it('stacks a chain top-down in one column without overlaps, leaving room for sliders', () => {
    const g = autoLayout(chain, lookup);
    const xs = new Set(g.nodes.map((n) => n.position.x));
    expect(xs.size).toBe(1);
    for (let i = 1; i < g.nodes.length; i++) {
      const prev = g.nodes[i - 1];
      expect(g.nodes[i].position.y).toBeGreaterThanOrEqual(prev.position.y + nodeHeight(prev, lookup));
    }
    expect(nodeHeight(g.nodes[3], lookup)).toBeGreaterThan(nodeHeight(g.nodes[2], lookup));
  });

  it('places a node added in the YAML below its dependency and keeps the others still', () => {
    const placed = autoLayout(chain, lookup);
    const extra: PipelineGraph = {
      ...placed,
      nodes: [...placed.nodes, { id: 'sink', kind: 'core::sink', params: {}, position: { x: 0, y: 0 } }],
      edges: [
        ...placed.edges,
        { id: 'x', source: 'step_4', sourcePin: 'out', target: 'sink', targetPin: 'in', mode: 'reliable' },
      ],
    };
    const g = placeNodes(extra, ['sink'], lookup);
    expect(g.nodes.slice(0, 5)).toEqual(placed.nodes);
    const enc = g.nodes[4].position;
    expect(g.nodes[5].position.x).toBe(enc.x);
    expect(g.nodes[5].position.y).toBeGreaterThan(enc.y);
  });
});
