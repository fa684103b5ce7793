// Auto-layout of the Design canvas: a left-to-right layered layout (layered-layout.ts) over measured
// node sizes, edge routes around the boxes (edge-routing.ts), and a simple placement for nodes added
// through the YAML next to what they depend on.
import type { GraphNode, PipelineGraph, XY } from './graph';
import { pinIndex } from './graph';
import { routeEdge, type Box } from './edge-routing';
import { layeredLayout, LAYER_GAP, NODE_GAP, type Size } from './layered-layout';
import type { DefinitionLookup } from './pins';
import { describeParams } from './schema-form';
import { showsSlider } from './slider';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 64;
/** Vertical room per pin on a node's side (pins sit on the left and right edges). */
export const PIN_PITCH = 20;

/** Live sliders a node shows on the canvas: its tunable params with a small range. */
export const canvasSliders = (def: ReturnType<DefinitionLookup>) =>
  describeParams(def?.param_schema).filter((f) => f.tunable && showsSlider(f));

/** Estimated rendered height of a node: header, one row per canvas slider, room for its pins. */
export function nodeHeight(node: GraphNode, lookup?: DefinitionLookup): number {
  const def = lookup?.(node.kind);
  const pins = Math.max(def?.inputs.length ?? 1, def?.outputs.length ?? 1);
  return Math.max(NODE_HEIGHT + canvasSliders(def).length * 48, pinsMinHeight(pins));
}

export const pinsMinHeight = (pins: number) => (pins + 1) * PIN_PITCH;

export type NodeSizes = Map<string, Size>;

function sizesOf(graph: PipelineGraph, lookup?: DefinitionLookup, measured?: NodeSizes): NodeSizes {
  return new Map(
    graph.nodes.map((n) => [
      n.id,
      measured?.get(n.id) ?? { width: NODE_WIDTH, height: nodeHeight(n, lookup) },
    ]),
  );
}

/** Lays the whole graph out left to right; `measured` gives rendered sizes where known. */
export function autoLayout(
  graph: PipelineGraph,
  lookup?: DefinitionLookup,
  measured?: NodeSizes,
): PipelineGraph {
  const sizes = sizesOf(graph, lookup, measured);
  const pos = layeredLayout({ ids: graph.nodes.map((n) => n.id), edges: graph.edges, sizes });
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      const p = pos.get(n.id);
      return p ? { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } } : n;
    }),
  };
}

export function nodeBoxes(graph: PipelineGraph, sizes: NodeSizes): Map<string, Box> {
  return new Map(
    graph.nodes.map((n) => {
      const s = sizes.get(n.id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
      return [n.id, { x: n.position.x, y: n.position.y, width: s.width, height: s.height }];
    }),
  );
}

/**
 * Routes of every edge from the nodes' current positions, with pins spread along each side as the
 * canvas draws them (in pin order). What the canvas computes from the measured pins, for tests.
 */
export function edgeRoutes(
  graph: PipelineGraph,
  lookup?: DefinitionLookup,
  measured?: NodeSizes,
): Map<string, XY[]> {
  const boxes = nodeBoxes(graph, sizesOf(graph, lookup, measured));
  const pinsOn = (id: string, side: 'in' | 'out') => {
    const names = graph.edges
      .filter((e) => (side === 'in' ? e.target : e.source) === id)
      .map((e) => (side === 'in' ? e.targetPin : e.sourcePin));
    return [...new Set(names)].sort((a, b) => pinIndex(a) - pinIndex(b) || a.localeCompare(b));
  };
  const port = (id: string, pin: string, side: 'in' | 'out'): XY => {
    const b = boxes.get(id) as Box;
    const pins = pinsOn(id, side);
    const y = b.y + (b.height * (pins.indexOf(pin) + 1)) / (pins.length + 1);
    return { x: side === 'in' ? b.x : b.x + b.width, y: Math.round(y) };
  };
  const all = [...boxes.values()];
  return new Map(
    graph.edges
      .filter((e) => boxes.has(e.source) && boxes.has(e.target))
      .map((e) => [
        e.id,
        routeEdge(port(e.source, e.sourcePin, 'out'), port(e.target, e.targetPin, 'in'), all),
      ]),
  );
}

/** Positions `unplaced` nodes: a full layout when nothing was placed before, else right of a dependency. */
export function placeNodes(
  graph: PipelineGraph,
  unplaced: string[],
  lookup?: DefinitionLookup,
): PipelineGraph {
  if (unplaced.length === 0) return graph;
  const todo = new Set(unplaced);
  if (todo.size === graph.nodes.length) return autoLayout(graph, lookup);
  const placed = graph.nodes.filter((n) => !todo.has(n.id));
  const boxes = nodeBoxes({ ...graph, nodes: placed }, sizesOf({ ...graph, nodes: placed }, lookup));
  const taken = [...boxes.values()];
  const free = (p: XY, h: number) =>
    !taken.some(
      (b) => p.x < b.x + b.width && p.x + NODE_WIDTH > b.x && p.y < b.y + b.height && p.y + h > b.y,
    );
  const maxY = Math.max(0, ...taken.map((b) => b.y + b.height));
  let spare = 0;
  const nodes = graph.nodes.map((n) => {
    if (!todo.has(n.id)) return n;
    const h = nodeHeight(n, lookup);
    const dep = graph.edges.find((e) => e.target === n.id && boxes.has(e.source));
    let p: XY;
    if (dep) {
      const b = boxes.get(dep.source) as Box;
      p = { x: b.x + b.width + LAYER_GAP, y: b.y };
      while (!free(p, h)) p = { ...p, y: p.y + NODE_GAP + NODE_HEIGHT };
    } else p = { x: spare++ * (NODE_WIDTH + LAYER_GAP), y: maxY + NODE_GAP * 2 };
    const box = { ...p, width: NODE_WIDTH, height: h };
    boxes.set(n.id, box);
    taken.push(box);
    return { ...n, position: p };
  });
  return { ...graph, nodes };
}
