// Duplicating part of the canvas: the chosen nodes with their params, fresh unique ids, a small offset,
// and the connections among them (connections to nodes outside the selection are not copied).
import { type PipelineGraph, type XY } from './graph';
import { insertFragment } from './graph-ops';
import type { DefinitionLookup } from './pins';

export const DUPLICATE_OFFSET: XY = { x: 40, y: 40 };

export function duplicateNodes(
  graph: PipelineGraph,
  ids: string[],
  lookup: DefinitionLookup,
  offset: XY = DUPLICATE_OFFSET,
): { graph: PipelineGraph; ids: string[] } {
  const chosen = new Set(ids);
  const nodes = graph.nodes
    .filter((n) => chosen.has(n.id))
    .map((n) => ({ ...n, params: structuredClone(n.params) }));
  if (nodes.length === 0) return { graph, ids: [] };
  const edges = graph.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target));
  const at = {
    x: Math.min(...nodes.map((n) => n.position.x)) + offset.x,
    y: Math.min(...nodes.map((n) => n.position.y)) + offset.y,
  };
  return insertFragment(graph, { ...graph, nodes, edges }, at, lookup);
}

/** Removes every connection into or out of a node. */
export function disconnectAll(graph: PipelineGraph, id: string): string[] {
  return graph.edges.filter((e) => e.source === id || e.target === id).map((e) => e.id);
}
