// Client-side pipeline checks, the same rules the engine applies: connection legality while dragging
// (`checkConnection`) and whole-graph problems shown on nodes and in the YAML (`validateGraph`).
import { canConnect, formatPinType, pinMatches, type PinType } from '@streamkit/pipeline/core/pin-types';
import type { GraphEdge, PipelineGraph } from './graph';
import { inputPins, isDynamic, resolvedOutputType, type DefinitionLookup } from './pins';
import { checkParams } from './schema-form';

export interface Issue {
  severity: 'error' | 'warning';
  message: string;
  nodeId?: string;
  edgeId?: string;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

export interface ConnectionRequest {
  source: string;
  sourcePin: string;
  target: string;
  targetPin: string;
}

const ONESHOT_ONLY = new Set(['streamkit::http_input', 'streamkit::http_output']);

const typesText = (ts: PinType[]) => ts.map(formatPinType).join(' | ');

/** Path from `from` to `to` following edges downstream, or null. */
function pathBetween(graph: PipelineGraph, from: string, to: string): string[] | null {
  const prev = new Map<string, string>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const cur = queue.shift() as string;
    if (cur === to) {
      const path = [to];
      let p = to;
      while (prev.has(p)) path.unshift((p = prev.get(p) as string));
      return path;
    }
    for (const e of graph.edges) {
      if (e.source === cur && !seen.has(e.target)) {
        seen.add(e.target);
        prev.set(e.target, cur);
        queue.push(e.target);
      }
    }
  }
  return null;
}

function typeProblem(
  graph: PipelineGraph,
  lookup: DefinitionLookup,
  c: ConnectionRequest,
  accepts: PinType[],
): string | null {
  const produced = resolvedOutputType(graph, lookup, c.source, c.sourcePin);
  // Unresolved Passthrough is decided at run time, as the engine does.
  if (!produced || produced === 'Passthrough') return null;
  if (accepts.some((a) => a === 'Passthrough' || canConnect(produced, a))) return null;
  return (
    `Incompatible packet types: ${c.source}.${c.sourcePin} produces ${formatPinType(produced)}, ` +
    `but ${c.target}.${c.targetPin} accepts ${typesText(accepts)}`
  );
}

/** Can this new connection be added to the graph? Gives the reason when not. */
export function checkConnection(
  graph: PipelineGraph,
  lookup: DefinitionLookup,
  c: ConnectionRequest,
): ConnectionCheck {
  const src = graph.nodes.find((n) => n.id === c.source);
  const dst = graph.nodes.find((n) => n.id === c.target);
  if (!src || !dst) return { ok: false, reason: 'Both ends must be nodes on the canvas' };
  const srcDef = lookup(src.kind);
  const dstDef = lookup(dst.kind);
  if (!srcDef?.outputs.some((o) => pinMatches(o, c.sourcePin))) {
    return {
      ok: false,
      reason: `Connections go from an output pin to an input pin ('${c.source}.${c.sourcePin}' is not an output)`,
    };
  }
  const pin = inputPins(dst, dstDef, graph.edges).find((p) => p.name === c.targetPin);
  if (!pin) return { ok: false, reason: `'${c.target}.${c.targetPin}' is not an input pin` };
  if (c.source === c.target && !srcDef.bidirectional) {
    return { ok: false, reason: `A node cannot feed itself ('${c.source}' is not bidirectional)` };
  }
  const existing = graph.edges.filter((e) => e.target === c.target && e.targetPin === c.targetPin);
  if (existing.some((e) => e.source === c.source && e.sourcePin === c.sourcePin)) {
    return { ok: false, reason: 'These pins are already connected' };
  }
  if (!pin.ghost && !isDynamic(pin.cardinality) && existing.length > 0) {
    return {
      ok: false,
      reason: `Input '${c.target}.${c.targetPin}' already has a connection (from '${existing[0].source}'); one input pin takes one connection`,
    };
  }
  if (graph.mode === 'oneshot') {
    const fan = graph.edges.find((e) => e.source === c.source && e.sourcePin === c.sourcePin);
    if (fan) {
      return {
        ok: false,
        reason: `Oneshot pipelines cannot fan out: '${c.source}.${c.sourcePin}' already feeds '${fan.target}'`,
      };
    }
  }
  if (c.source !== c.target) {
    const back = pathBetween(graph, c.target, c.source);
    if (back && !back.some((id) => lookup(graph.nodes.find((n) => n.id === id)?.kind ?? '')?.bidirectional)) {
      return { ok: false, reason: `This would create a cycle: ${[...back, c.target].join(' → ')}` };
    }
  }
  const t = typeProblem(graph, lookup, c, pin.accepts);
  return t ? { ok: false, reason: t } : { ok: true };
}

function edgeProblems(graph: PipelineGraph, lookup: DefinitionLookup, e: GraphEdge): string | null {
  const src = graph.nodes.find((n) => n.id === e.source);
  const dst = graph.nodes.find((n) => n.id === e.target);
  const srcDef = src && lookup(src.kind);
  const dstDef = dst && lookup(dst.kind);
  if (!srcDef || !dstDef) return null;
  if (!srcDef.outputs.some((o) => pinMatches(o, e.sourcePin))) {
    return `'${e.source}' has no output pin '${e.sourcePin}' (needed by '${e.target}')`;
  }
  const spec = dstDef.inputs.find((i) => pinMatches(i, e.targetPin));
  if (!spec) {
    const names = dstDef.inputs.map((i) => i.name).join(', ') || 'none';
    return `'${e.target}' has no input pin '${e.targetPin}' (its inputs: ${names})`;
  }
  return typeProblem(graph, lookup, e, spec.accepts_types);
}

/** Every problem in the graph at once, each tied to its node or edge. */
export function validateGraph(graph: PipelineGraph, lookup: DefinitionLookup): Issue[] {
  const issues: Issue[] = [];
  for (const n of graph.nodes) {
    const def = lookup(n.kind);
    if (!def) {
      issues.push({ severity: 'error', nodeId: n.id, message: `Node '${n.id}': unknown kind '${n.kind}'` });
      continue;
    }
    if (graph.mode === 'dynamic' && ONESHOT_ONLY.has(n.kind)) {
      issues.push({
        severity: 'error',
        nodeId: n.id,
        message: `Node '${n.id}': '${n.kind}' is oneshot-only and cannot run in a dynamic session`,
      });
    }
    for (const p of checkParams(def.param_schema, n.params)) {
      issues.push({ severity: 'error', nodeId: n.id, message: `Node '${n.id}': params.${p}` });
    }
    const known = def.param_schema.properties;
    if (known) {
      for (const k of Object.keys(n.params)) {
        if (!(k in known)) {
          issues.push({
            severity: 'warning',
            nodeId: n.id,
            // The engine's wording: the server ignores the key with this warning ([engine].strict_params off).
            message: `Node '${n.id}': unknown param '${k}' ignored (not a parameter of ${n.kind})`,
          });
        }
      }
    }
    for (const spec of def.inputs) {
      if (isDynamic(spec.cardinality)) continue;
      const count = graph.edges.filter((e) => e.target === n.id && e.targetPin === spec.name).length;
      if (count === 0) {
        issues.push({
          severity: 'warning',
          nodeId: n.id,
          message: `Node '${n.id}': input '${spec.name}' is not connected`,
        });
      } else if (count > 1 && (graph.mode === 'oneshot' || spec.cardinality === 'One')) {
        issues.push({
          severity: 'error',
          nodeId: n.id,
          message: `Node '${n.id}': input '${spec.name}' has ${count} connections but takes one`,
        });
      }
    }
  }
  for (const e of graph.edges) {
    const p = edgeProblems(graph, lookup, e);
    if (p) issues.push({ severity: 'error', nodeId: e.target, edgeId: e.id, message: p });
  }
  if (graph.mode === 'oneshot') {
    const fan = new Map<string, number>();
    for (const e of graph.edges)
      fan.set(`${e.source}.${e.sourcePin}`, (fan.get(`${e.source}.${e.sourcePin}`) ?? 0) + 1);
    for (const [pin, count] of fan) {
      if (count > 1) {
        issues.push({
          severity: 'error',
          nodeId: pin.split('.')[0],
          message: `Output '${pin}' has ${count} connections; oneshot pipelines cannot fan out`,
        });
      }
    }
  }
  for (const e of graph.edges) {
    if (e.source === e.target) continue;
    const back = pathBetween(graph, e.target, e.source);
    if (back && !back.some((id) => lookup(graph.nodes.find((n) => n.id === id)?.kind ?? '')?.bidirectional)) {
      issues.push({
        severity: 'error',
        nodeId: e.target,
        message: `Cycle: ${[...back, e.target].join(' → ')}`,
      });
      break;
    }
  }
  return issues;
}

/** Which nodes a server error message names (`node 'x'`, `'x.pin'`, `Node 'x'`), to badge them on the canvas. */
export function nodesNamedIn(message: string, nodeIds: string[]): string[] {
  const ids = new Set(nodeIds);
  const found = new Set<string>();
  for (const m of message.matchAll(/['"`]([^'"`\s]+)['"`]/g)) {
    const token = m[1];
    if (ids.has(token)) found.add(token);
    else {
      const head = token.split('.')[0];
      if (ids.has(head)) found.add(head);
    }
  }
  return [...found];
}
