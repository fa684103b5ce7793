import { describe, expect, it } from 'vitest';
import mixingYaml from '../../../../samples/pipelines/dynamic/moq_mixing.yml?raw';
import { lookup } from '../testing/fixtures';
import { pathIsClear, routeEdge, segmentHitsBox, type Box } from './edge-routing';
import type { PipelineGraph } from './graph';
import { feedbackOrder, packColumn } from './layered-layout';
import { autoLayout, edgeRoutes, nodeBoxes, nodeHeight, NODE_WIDTH, placeNodes } from './layout';
import { parsePipelineYaml } from './yaml-graph';

const chain = parsePipelineYaml(
  'mode: oneshot\nsteps:\n  - kind: core::file_reader\n  - kind: containers::ogg::demuxer\n  - kind: audio::opus::decoder\n  - kind: audio::gain\n  - kind: audio::opus::encoder\n',
).graph as PipelineGraph;

const mixing = parsePipelineYaml(mixingYaml).graph as PipelineGraph;

const sizesOf = (g: PipelineGraph) =>
  new Map(g.nodes.map((n) => [n.id, { width: NODE_WIDTH, height: nodeHeight(n, lookup) }]));

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('layered layout', () => {
  it('lays a chain out left to right on one row (centres aligned), each node right of the one before', () => {
    const g = autoLayout(chain, lookup);
    const centre = (i: number) => g.nodes[i].position.y + nodeHeight(g.nodes[i], lookup) / 2;
    for (let i = 1; i < g.nodes.length; i++) {
      expect(g.nodes[i].position.x).toBeGreaterThan(g.nodes[i - 1].position.x + NODE_WIDTH);
      expect(Math.abs(centre(i) - centre(0))).toBeLessThanOrEqual(1);
    }
    expect(nodeHeight(g.nodes[3], lookup)).toBeGreaterThan(nodeHeight(g.nodes[2], lookup));
  });

  it('spreads the MoQ mixing sample over several layers and rows, without overlaps', () => {
    expect(mixing.nodes).toHaveLength(10);
    const g = autoLayout(mixing, lookup);
    const boxes = [...nodeBoxes(g, sizesOf(g)).entries()];
    const columns = new Set(g.nodes.map((n) => n.position.x));
    expect(columns.size).toBeGreaterThanOrEqual(5);
    expect(new Set(g.nodes.map((n) => n.position.y)).size).toBeGreaterThan(1);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        expect(overlaps(boxes[i][1], boxes[j][1]), `${boxes[i][0]} overlaps ${boxes[j][0]}`).toBe(false);
    const x = (id: string) => g.nodes.find((n) => n.id === id)?.position.x ?? NaN;
    // Data flows rightwards: each forward edge's target sits in a later layer.
    for (const [a, b] of [
      ['music_reader', 'music_demuxer'],
      ['music_gain', 'mixer'],
      ['mic_gain', 'mixer'],
      ['mixer', 'encoder'],
      ['peer', 'mic_decoder'],
    ])
      expect(x(b)).toBeGreaterThan(x(a));
  });

  it('routes every edge of the mixing sample around the node boxes, the loop back to the peer too', () => {
    const g = autoLayout(mixing, lookup);
    const boxes = nodeBoxes(g, sizesOf(g));
    const routes = edgeRoutes(g, lookup);
    expect(routes.size).toBe(g.edges.length);
    for (const [id, ps] of routes) {
      for (let i = 1; i < ps.length; i++)
        for (const [nodeId, b] of boxes)
          expect(segmentHitsBox(ps[i - 1], ps[i], b), `${id} crosses ${nodeId}`).toBe(false);
      // Orthogonal: every segment is horizontal or vertical.
      for (let i = 1; i < ps.length; i++)
        expect(ps[i].x === ps[i - 1].x || ps[i].y === ps[i - 1].y).toBe(true);
    }
    const back = g.edges.find((e) => e.source === 'encoder' && e.target === 'peer');
    const loop = routes.get(back?.id ?? '') ?? [];
    expect(loop.length).toBeGreaterThan(4);
  });

  it('breaks cycles by putting sources first and the fewest edges backwards', () => {
    const order = feedbackOrder(
      ['a', 'b', 'c', 'd'],
      [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'b'],
        ['c', 'd'],
      ],
    );
    expect(order[0]).toBe('a');
    expect(order.at(-1)).toBe('d');
  });

  it('packs a column as close to the wished tops as the gaps allow, in order', () => {
    expect(packColumn([0, 0], [10, 10], 5)).toEqual([-7.5, 7.5]);
    expect(packColumn([0, 100], [10, 10], 5)).toEqual([0, 100]);
  });
});

describe('edge routes', () => {
  const box = { x: 100, y: 0, width: 100, height: 100 };
  it('goes straight across a clear gap and around a box in the way', () => {
    expect(routeEdge({ x: 0, y: 50 }, { x: 300, y: 50 }, [])).toEqual([
      { x: 0, y: 50 },
      { x: 300, y: 50 },
    ]);
    const around = routeEdge({ x: 0, y: 50 }, { x: 300, y: 50 }, [box]);
    expect(pathIsClear(around, [box])).toBe(true);
  });

  it('loops a backward edge around its own nodes', () => {
    const src = { x: 300, y: 0, width: 100, height: 60 };
    const dst = { x: 0, y: 0, width: 100, height: 60 };
    const ps = routeEdge({ x: 400, y: 30 }, { x: 0, y: 30 }, [src, dst, box]);
    expect(pathIsClear(ps, [src, dst, box])).toBe(true);
  });
});

describe('placeNodes', () => {
  it('places a node added in the YAML right of its dependency and keeps the others still', () => {
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
    expect(g.nodes[5].position.x).toBeGreaterThan(enc.x + NODE_WIDTH);
    expect(g.nodes[5].position.y).toBe(enc.y);
  });
});
