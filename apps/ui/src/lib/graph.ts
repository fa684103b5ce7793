// The Design view's pipeline model: nodes with canvas positions and edges between named pins. It is the
// engine's PipelineSpec plus canvas positions (`graphToSpec`); YAML goes through the engine (yaml-graph.ts).
import { nodeRecord, type PipelineSpec } from '@streamkit/pipeline/definition/types';
import type { PipelineMode } from '../api/types';

export type ConnectionMode = 'reliable' | 'best_effort';

export interface XY {
  x: number;
  y: number;
}

export interface GraphNode {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  position: XY;
}

export interface GraphEdge {
  id: string;
  source: string;
  sourcePin: string;
  target: string;
  targetPin: string;
  mode: ConnectionMode;
}

export interface PipelineGraph {
  name?: string;
  description?: string;
  mode: PipelineMode;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export const emptyGraph = (mode: PipelineMode): PipelineGraph => ({ mode, nodes: [], edges: [] });

export const edgeId = (e: Pick<GraphEdge, 'source' | 'sourcePin' | 'target' | 'targetPin'>): string =>
  `${e.source}.${e.sourcePin}->${e.target}.${e.targetPin}`;

/** A readable node id derived from its kind: `audio::opus::decoder` -> `opus_decoder`, `audio::gain` -> `gain`. */
export function baseIdForKind(kind: string): string {
  const parts = kind.split('::').filter(Boolean);
  const tail = parts.length > 2 ? parts.slice(-2) : parts.slice(-1);
  const id = tail.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
  return id || 'node';
}

export function uniqueNodeId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}_${n}`;
    if (!used.has(id)) return id;
  }
}

/** Index of a dynamic pin like `in_3` (or `-1` for the bare prefix), used to order `needs` lists. */
export function pinIndex(pin: string): number {
  const m = /_(\d+)$/.exec(pin);
  return m ? Number(m[1]) : -1;
}

/** Topological order (dependencies first); ties broken by canvas position, top to bottom then left to right. */
export function topoOrder(graph: PipelineGraph): GraphNode[] {
  const byPos = [...graph.nodes].sort(
    (a, b) => a.position.y - b.position.y || a.position.x - b.position.x || a.id.localeCompare(b.id),
  );
  const rank = new Map(byPos.map((n, i) => [n.id, i]));
  const indeg = new Map(graph.nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!indeg.has(e.source) || !indeg.has(e.target) || e.source === e.target) continue;
    indeg.set(e.target, (indeg.get(e.target) ?? 0) + 1);
    out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  }
  const ready = byPos.filter((n) => indeg.get(n.id) === 0);
  const result: GraphNode[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  while (ready.length > 0) {
    ready.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
    const n = ready.shift() as GraphNode;
    result.push(n);
    for (const t of out.get(n.id) ?? []) {
      const d = (indeg.get(t) ?? 0) - 1;
      indeg.set(t, d);
      if (d === 0) ready.push(byId.get(t) as GraphNode);
    }
  }
  // Nodes on a cycle (allowed through bidirectional nodes) keep their positional order at the end.
  for (const n of byPos) if (!result.includes(n)) result.push(n);
  return result;
}

/**
 * The engine's spec of a graph: nodes in `order` (default: the graph's), each node's connections by input
 * pin index (so positional `needs` land on the same pins), empty params left out.
 */
export function graphToSpec(graph: PipelineGraph, order: GraphNode[] = graph.nodes): PipelineSpec {
  const spec: PipelineSpec = { mode: graph.mode, nodes: nodeRecord(), connections: [] };
  if (graph.name) spec.name = graph.name;
  if (graph.description) spec.description = graph.description;
  for (const n of order) {
    spec.nodes[n.id] =
      Object.keys(n.params).length > 0 ? { kind: n.kind, params: n.params } : { kind: n.kind };
    const incoming = graph.edges
      .filter((e) => e.target === n.id)
      .sort((a, b) => pinIndex(a.targetPin) - pinIndex(b.targetPin));
    for (const e of incoming) {
      spec.connections.push({
        from_node: e.source,
        from_pin: e.sourcePin,
        to_node: e.target,
        to_pin: e.targetPin,
        ...(e.mode === 'best_effort' ? { mode: e.mode } : {}),
      });
    }
  }
  return spec;
}
