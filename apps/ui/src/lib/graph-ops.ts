// Pure edits of the editor graph; each returns a new graph. Dynamic pins are renumbered after edge
// changes so the canvas always matches what the YAML will compile to.
import type { NodeDefinition } from '../api/types';
import {
  baseIdForKind,
  edgeId,
  uniqueNodeId,
  type ConnectionMode,
  type GraphEdge,
  type PipelineGraph,
  type XY,
} from './graph';
import { normalizeDynamicPins, type DefinitionLookup } from './pins';
import { initialParams, setAt } from './schema-form';

export function addNode(
  graph: PipelineGraph,
  kind: string,
  def: NodeDefinition | undefined,
  position: XY,
  params?: Record<string, unknown>,
): { graph: PipelineGraph; id: string } {
  const id = uniqueNodeId(
    baseIdForKind(kind),
    graph.nodes.map((n) => n.id),
  );
  const node = { id, kind, params: params ?? initialParams(def?.param_schema), position };
  return { graph: { ...graph, nodes: [...graph.nodes, node] }, id };
}

export function removeElements(
  graph: PipelineGraph,
  nodeIds: string[],
  edgeIds: string[],
  lookup: DefinitionLookup,
): PipelineGraph {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  return normalizeDynamicPins(
    {
      ...graph,
      nodes: graph.nodes.filter((n) => !nodes.has(n.id)),
      edges: graph.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
    },
    lookup,
  );
}

export function connect(
  graph: PipelineGraph,
  c: Omit<GraphEdge, 'id' | 'mode'> & { mode?: ConnectionMode },
  lookup: DefinitionLookup,
): PipelineGraph {
  const e = { ...c, mode: c.mode ?? 'reliable' };
  return normalizeDynamicPins({ ...graph, edges: [...graph.edges, { ...e, id: edgeId(e) }] }, lookup);
}

export function setEdgeMode(graph: PipelineGraph, id: string, mode: ConnectionMode): PipelineGraph {
  return { ...graph, edges: graph.edges.map((e) => (e.id === id ? { ...e, mode } : e)) };
}

export function setParam(
  graph: PipelineGraph,
  nodeId: string,
  path: string[],
  value: unknown,
): PipelineGraph {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.id === nodeId ? { ...n, params: setAt(n.params, path, value) } : n)),
  };
}

export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Renames a node and every edge touching it; returns an error message instead when the id is unusable. */
export function renameNode(graph: PipelineGraph, from: string, to: string): PipelineGraph | string {
  if (from === to) return graph;
  if (!NODE_ID_PATTERN.test(to)) return 'Use letters, digits, _ or -, starting with a letter or _';
  if (graph.nodes.some((n) => n.id === to)) return `A node named '${to}' already exists`;
  const rn = (id: string) => (id === from ? to : id);
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.id === from ? { ...n, id: to } : n)),
    edges: graph.edges.map((e) => {
      const moved = { ...e, source: rn(e.source), target: rn(e.target) };
      return { ...moved, id: edgeId(moved) };
    }),
  };
}

/** Adds a fragment's nodes and edges, renaming ids that clash and offsetting it to `at`. */
export function insertFragment(
  graph: PipelineGraph,
  fragment: PipelineGraph,
  at: XY,
  lookup: DefinitionLookup,
): { graph: PipelineGraph; ids: string[] } {
  const taken = graph.nodes.map((n) => n.id);
  const rename = new Map<string, string>();
  for (const n of fragment.nodes) {
    const id = uniqueNodeId(n.id, [...taken, ...rename.values()]);
    rename.set(n.id, id);
  }
  const minX = Math.min(...fragment.nodes.map((n) => n.position.x));
  const minY = Math.min(...fragment.nodes.map((n) => n.position.y));
  const nodes = fragment.nodes.map((n) => ({
    ...n,
    id: rename.get(n.id) as string,
    position: { x: n.position.x - minX + at.x, y: n.position.y - minY + at.y },
  }));
  const edges = fragment.edges.map((e) => {
    const moved = { ...e, source: rename.get(e.source) as string, target: rename.get(e.target) as string };
    return { ...moved, id: edgeId(moved) };
  });
  return {
    graph: normalizeDynamicPins(
      { ...graph, nodes: [...graph.nodes, ...nodes], edges: [...graph.edges, ...edges] },
      lookup,
    ),
    ids: nodes.map((n) => n.id),
  };
}
