// Auto-layout: a top-down layered layout (dagre) for whole graphs, and a simple placement for nodes
// added through the YAML next to what they depend on.
import dagre from '@dagrejs/dagre';
import type { GraphNode, PipelineGraph, XY } from './graph';
import type { DefinitionLookup } from './pins';
import { describeParams } from './schema-form';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 64;

/** Rendered height of a node: its header plus one row per live-tunable slider it shows. */
export function nodeHeight(node: GraphNode, lookup?: DefinitionLookup): number {
  const def = lookup?.(node.kind);
  const sliders = describeParams(def?.param_schema).filter((f) => f.kind === 'range' && f.tunable).length;
  return NODE_HEIGHT + sliders * 48;
}

export function autoLayout(graph: PipelineGraph, lookup?: DefinitionLookup): PipelineGraph {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 48, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const heights = new Map(graph.nodes.map((n) => [n.id, nodeHeight(n, lookup)]));
  for (const n of graph.nodes) g.setNode(n.id, { width: NODE_WIDTH, height: heights.get(n.id) as number });
  for (const e of graph.edges) if (e.source !== e.target) g.setEdge(e.source, e.target);
  dagre.layout(g);
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const p = g.node(n.id) as { x: number; y: number } | undefined;
      return p
        ? { ...n, position: { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2) } }
        : n;
    }),
  };
}

/** Positions `unplaced` nodes: a full layout when nothing was placed before, else below a dependency. */
export function placeNodes(
  graph: PipelineGraph,
  unplaced: string[],
  lookup?: DefinitionLookup,
): PipelineGraph {
  if (unplaced.length === 0) return graph;
  const todo = new Set(unplaced);
  if (todo.size === graph.nodes.length) return autoLayout(graph, lookup);
  const pos = new Map<string, XY>(graph.nodes.filter((n) => !todo.has(n.id)).map((n) => [n.id, n.position]));
  const maxY = Math.max(0, ...[...pos.values()].map((p) => p.y));
  let spare = 0;
  const nodes = graph.nodes.map((n) => {
    if (!todo.has(n.id)) return n;
    const dep = graph.edges.find((e) => e.target === n.id && pos.has(e.source));
    const p = dep
      ? { x: (pos.get(dep.source) as XY).x, y: (pos.get(dep.source) as XY).y + NODE_HEIGHT + 60 }
      : { x: spare++ * (NODE_WIDTH + 40), y: maxY + NODE_HEIGHT + 80 };
    pos.set(n.id, p);
    return { ...n, position: p };
  });
  return { ...graph, nodes };
}
