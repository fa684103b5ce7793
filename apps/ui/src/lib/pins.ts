// Concrete pins of a node on the canvas: definition pins, dynamic-family pins materialised from the
// node's connections (plus one free "ghost" pin to connect to), and output types as the engine resolves them.
import { pinMatches, type PinCardinality, type PinType } from '@streamkit/pipeline/core/pin-types';
import { findOutputPin } from '@streamkit/pipeline/definition/compile';
import type { NodeDefinition } from '../api/types';
import { pinIndex, type GraphEdge, type GraphNode, type PipelineGraph } from './graph';
import { compiledNodes, type DefinitionLookup } from './validate';

export type { DefinitionLookup } from './validate';

export interface InputPinView {
  name: string;
  accepts: PinType[];
  cardinality: PinCardinality;
  /** A not-yet-connected slot of a dynamic family: connecting to it creates the pin. */
  ghost: boolean;
}

export interface OutputPinView {
  name: string;
  produces: PinType;
  cardinality: PinCardinality;
}

export const isDynamic = (c: PinCardinality): c is { Dynamic: { prefix: string } } =>
  typeof c === 'object' && 'Dynamic' in c;

export function inputPins(
  node: GraphNode,
  def: NodeDefinition | undefined,
  edges: GraphEdge[],
): InputPinView[] {
  if (!def) {
    // Unknown kind: show whatever the graph connects so edges stay visible.
    const names = [...new Set(edges.filter((e) => e.target === node.id).map((e) => e.targetPin))];
    return names.map((name) => ({ name, accepts: ['Any'], cardinality: 'One', ghost: false }));
  }
  const pins: InputPinView[] = [];
  for (const spec of def.inputs) {
    if (!isDynamic(spec.cardinality)) {
      pins.push({
        name: spec.name,
        accepts: spec.accepts_types,
        cardinality: spec.cardinality,
        ghost: false,
      });
      continue;
    }
    const prefix = spec.cardinality.Dynamic.prefix;
    const used = edges
      .filter((e) => e.target === node.id && pinMatches(spec, e.targetPin))
      .map((e) => e.targetPin)
      .sort((a, b) => pinIndex(a) - pinIndex(b));
    for (const name of new Set(used))
      pins.push({ name, accepts: spec.accepts_types, cardinality: 'One', ghost: false });
    pins.push({
      name: `${prefix}_${used.length}`,
      accepts: spec.accepts_types,
      cardinality: spec.cardinality,
      ghost: true,
    });
  }
  return pins;
}

/** Output pin type as the engine's compiler resolves it (`Passthrough` takes the type of what feeds it). */
export function resolvedOutputType(
  graph: PipelineGraph,
  lookup: DefinitionLookup,
  nodeId: string,
  pin: string,
): PinType | undefined {
  const node = compiledNodes(graph, lookup).get(nodeId);
  if (!node) return undefined;
  const name = findOutputPin(node.pins, pin)?.name;
  return name === undefined ? undefined : node.outputTypes[name];
}

export function outputPins(
  graph: PipelineGraph,
  node: GraphNode,
  def: NodeDefinition | undefined,
  lookup: DefinitionLookup,
): OutputPinView[] {
  if (!def) {
    const names = [...new Set(graph.edges.filter((e) => e.source === node.id).map((e) => e.sourcePin))];
    return names.map((name) => ({ name, produces: 'Any', cardinality: 'Broadcast' }));
  }
  return def.outputs.map((o) => ({
    name: o.name,
    produces: resolvedOutputType(graph, lookup, node.id, o.name) ?? o.produces_type,
    cardinality: o.cardinality,
  }));
}

/**
 * Renames dynamic-family input pins the way the YAML compiler will: one connection lands on `in`,
 * several on `in_0..in_n` in their current order. Keeps the canvas and the YAML identical.
 */
export function normalizeDynamicPins(graph: PipelineGraph, lookup: DefinitionLookup): PipelineGraph {
  let changed = false;
  const edges = [...graph.edges];
  for (const node of graph.nodes) {
    const def = lookup(node.kind);
    const family = def?.inputs.find((s) => isDynamic(s.cardinality));
    if (!family || !isDynamic(family.cardinality)) continue;
    const prefix = family.cardinality.Dynamic.prefix;
    const idx = edges
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.target === node.id && pinMatches(family, e.targetPin))
      .sort((a, b) => pinIndex(a.e.targetPin) - pinIndex(b.e.targetPin));
    idx.forEach(({ e, i }, k) => {
      const name = idx.length === 1 ? prefix : `${prefix}_${k}`;
      if (e.targetPin !== name) {
        changed = true;
        const moved = { ...e, targetPin: name };
        edges[i] = { ...moved, id: `${moved.source}.${moved.sourcePin}->${moved.target}.${name}` };
      }
    });
  }
  return changed ? { ...graph, edges } : graph;
}
