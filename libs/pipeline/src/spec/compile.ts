// Compiles a PipelineSpec against a catalog of node kinds: params (schema + defaults), pins, pin types
// (Passthrough resolved), cardinality, cycles and references. Reports every problem at once.
// Browser-safe (imported by the web UI): no `node:` imports.
import type { ExecutionMode } from '../core/node';
import {
  canConnect,
  formatPinType,
  pinMatches,
  type InputPinSpec,
  type OutputPinSpec,
  type PinSet,
  type PinType,
} from '../core/pin-types';
import {
  connectionLabel,
  sameConnection,
  type ConnectionSpec,
  type KindCatalog,
  type KindInfo,
  type PipelineSpec,
  type ValidationProblem,
} from './types';

export interface CompiledNode {
  id: string;
  kind: string;
  info: KindInfo;
  /** Params after schema validation with defaults applied. */
  params: Record<string, unknown>;
  pins: PinSet;
  /** Output pin types with `Passthrough` replaced by the upstream type where it could be inferred. */
  outputTypes: Record<string, PinType>;
}

export interface CompiledPipeline {
  spec: PipelineSpec;
  mode: ExecutionMode;
  nodes: Map<string, CompiledNode>;
  connections: ConnectionSpec[];
}

export interface CompileOptions {
  /** Overrides `spec.mode` (the oneshot runner compiles in oneshot mode whatever the YAML says). */
  mode?: ExecutionMode;
  /** Passed to kinds' extra checks (file path and URL allow-lists). */
  services?: Record<string, unknown>;
  /** Nodes whose params were already validated (a live session's unchanged nodes): not checked again. */
  trustedNodes?: ReadonlySet<string>;
}

/** Find an input pin by exact name, then by dynamic family (`in_3` in the `in` family). */
export function findInputPin(pins: PinSet, name: string): InputPinSpec | undefined {
  return pins.inputs.find((p) => p.name === name) ?? pins.inputs.find((p) => pinMatches(p, name));
}

export function findOutputPin(pins: PinSet, name: string): OutputPinSpec | undefined {
  return pins.outputs.find((p) => p.name === name) ?? pins.outputs.find((p) => pinMatches(p, name));
}

function pinNames(list: { name: string }[]): string {
  return list.length === 0 ? 'none' : list.map((p) => p.name).join(', ');
}

function isDynamicFamily(p: { cardinality: InputPinSpec['cardinality'] }): boolean {
  return typeof p.cardinality === 'object' && 'Dynamic' in p.cardinality;
}

const MAX_PASSTHROUGH_PASSES = 100;

function resolvePassthrough(nodes: Map<string, CompiledNode>, connections: ConnectionSpec[]): void {
  for (let pass = 0; pass < MAX_PASSTHROUGH_PASSES; pass++) {
    let changed = false;
    for (const node of nodes.values()) {
      for (const [pin, type] of Object.entries(node.outputTypes)) {
        if (type !== 'Passthrough') continue;
        for (const input of node.pins.inputs) {
          const feeding = connections.filter((c) => c.to_node === node.id && pinMatches(input, c.to_pin));
          const upstream = feeding
            .map((c) => nodes.get(c.from_node)?.outputTypes[c.from_pin])
            .find((t) => t !== undefined && t !== 'Passthrough');
          if (upstream !== undefined) {
            node.outputTypes[pin] = upstream;
            changed = true;
            break;
          }
        }
      }
    }
    if (!changed) return;
  }
}

/** Strongly connected components (Tarjan); each returned group with a cycle, in discovery order. */
function findCycles(ids: string[], connections: ConnectionSpec[]): string[][] {
  const edges = new Map<string, string[]>(ids.map((id) => [id, []]));
  const selfLoops = new Set<string>();
  for (const c of connections) {
    if (!edges.has(c.from_node) || !edges.has(c.to_node)) continue;
    edges.get(c.from_node)?.push(c.to_node);
    if (c.from_node === c.to_node) selfLoops.add(c.from_node);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || selfLoops.has(v)) out.push(group.reverse());
    }
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return out;
}

/**
 * Check a spec and resolve what the runtime needs. Problems name the node, pin, param path and both pin
 * types; nothing stops at the first problem.
 */
export function compilePipeline(
  spec: PipelineSpec,
  catalog: KindCatalog,
  options: CompileOptions = {},
): { pipeline?: CompiledPipeline; problems: ValidationProblem[] } {
  const mode = options.mode ?? spec.mode;
  const problems: ValidationProblem[] = [];
  const nodes = new Map<string, CompiledNode>();

  for (const [id, node] of Object.entries(spec.nodes)) {
    const info = catalog.describe(node.kind);
    if (!info) {
      problems.push({ nodeId: id, message: `Node '${id}': unknown kind '${node.kind}'` });
      continue;
    }
    if (info.oneshotOnly && mode === 'dynamic') {
      problems.push({
        nodeId: id,
        message: `Node '${id}': kind '${node.kind}' is oneshot-only and cannot be used in a dynamic session`,
      });
    }
    const checked = options.trustedNodes?.has(id)
      ? { params: (node.params ?? {}) as Record<string, unknown>, problems: [] }
      : info.checkParams(node.params, options.services);
    for (const p of checked.problems) {
      problems.push({ nodeId: id, path: p.path, message: `Node '${id}' (${node.kind}): ${p.message}` });
    }
    if (checked.problems.length > 0) continue;
    let pins: PinSet;
    try {
      pins = info.pins(checked.params);
    } catch (err) {
      problems.push({
        nodeId: id,
        message: `Node '${id}' (${node.kind}): cannot derive pins: ${(err as Error).message}`,
      });
      continue;
    }
    const outputTypes: Record<string, PinType> = {};
    for (const o of pins.outputs) outputTypes[o.name] = o.produces_type;
    nodes.set(id, { id, kind: node.kind, info, params: checked.params, pins, outputTypes });
  }

  const valid: ConnectionSpec[] = [];
  spec.connections.forEach((c, i) => {
    const label = connectionLabel(c);
    if (spec.connections.findIndex((d) => sameConnection(c, d)) < i) {
      problems.push({ nodeId: c.to_node, pin: c.to_pin, message: `Connection ${label} is listed twice` });
      return;
    }
    let ok = true;
    for (const [end, id] of [
      ['source', c.from_node],
      ['destination', c.to_node],
    ] as const) {
      if (!(id in spec.nodes)) {
        const other = end === 'source' ? c.to_node : c.from_node;
        problems.push({
          nodeId: other,
          pin: end === 'source' ? c.to_pin : c.from_pin,
          message: `Connection ${label}: ${end} node '${id}' does not exist (referenced by '${other}')`,
        });
        ok = false;
      }
    }
    const from = nodes.get(c.from_node);
    const to = nodes.get(c.to_node);
    if (from && !findOutputPin(from.pins, c.from_pin)) {
      problems.push({
        nodeId: c.from_node,
        pin: c.from_pin,
        message: `Connection ${label}: node '${c.from_node}' (${from.kind}) has no output pin '${c.from_pin}' (outputs: ${pinNames(from.pins.outputs)})`,
      });
      ok = false;
    }
    if (to && !findInputPin(to.pins, c.to_pin)) {
      problems.push({
        nodeId: c.to_node,
        pin: c.to_pin,
        message: `Connection ${label}: node '${c.to_node}' (${to.kind}) has no input pin '${c.to_pin}' (inputs: ${pinNames(to.pins.inputs)})`,
      });
      ok = false;
    }
    if (ok && from && to) valid.push(c);
  });

  resolvePassthrough(nodes, valid);

  for (const c of valid) {
    const from = nodes.get(c.from_node) as CompiledNode;
    const to = nodes.get(c.to_node) as CompiledNode;
    const produced = from.outputTypes[findOutputPin(from.pins, c.from_pin)?.name ?? c.from_pin];
    const input = findInputPin(to.pins, c.to_pin) as InputPinSpec;
    if (produced === 'Passthrough' || produced === undefined) {
      // In a session the upstream of a passthrough may be connected later; the type is checked then.
      if (mode === 'dynamic' || input.accepts_types.some((t) => t === 'Any')) continue;
      problems.push({
        nodeId: c.from_node,
        pin: c.from_pin,
        message: `Connection ${connectionLabel(c)}: the type of '${c.from_node}.${c.from_pin}' (Passthrough) cannot be inferred because nothing feeds '${c.from_node}'; connect its input`,
      });
      continue;
    }
    if (!input.accepts_types.some((t) => canConnect(produced, t))) {
      problems.push({
        nodeId: c.to_node,
        pin: c.to_pin,
        message: `Connection ${connectionLabel(c)}: incompatible types: '${c.from_node}.${c.from_pin}' produces ${formatPinType(produced)} but '${c.to_node}.${c.to_pin}' accepts ${input.accepts_types.map(formatPinType).join(' | ')}`,
      });
    }
  }

  // Cardinality: a `One` input takes one connection (each pin of a dynamic family counts separately);
  // a `One` output feeds one connection.
  const byInput = new Map<string, ConnectionSpec[]>();
  const byOutput = new Map<string, ConnectionSpec[]>();
  for (const c of valid) {
    const ik = `${c.to_node}\u0000${c.to_pin}`;
    const ok = `${c.from_node}\u0000${c.from_pin}`;
    byInput.set(ik, [...(byInput.get(ik) ?? []), c]);
    byOutput.set(ok, [...(byOutput.get(ok) ?? []), c]);
  }
  for (const list of byInput.values()) {
    if (list.length < 2) continue;
    const c = list[0];
    const pin = findInputPin((nodes.get(c.to_node) as CompiledNode).pins, c.to_pin) as InputPinSpec;
    if (pin.cardinality === 'One' || isDynamicFamily(pin)) {
      problems.push({
        nodeId: c.to_node,
        pin: c.to_pin,
        message: `Input pin '${c.to_node}.${c.to_pin}' (cardinality One) cannot accept ${list.length} connections (from ${list.map((d) => `${d.from_node}.${d.from_pin}`).join(', ')})`,
      });
    }
  }
  for (const list of byOutput.values()) {
    if (list.length < 2) continue;
    const c = list[0];
    const pin = findOutputPin((nodes.get(c.from_node) as CompiledNode).pins, c.from_pin) as OutputPinSpec;
    if (pin.cardinality === 'One') {
      problems.push({
        nodeId: c.from_node,
        pin: c.from_pin,
        message: `Output pin '${c.from_node}.${c.from_pin}' (cardinality One) cannot feed ${list.length} connections (to ${list.map((d) => `${d.to_node}.${d.to_pin}`).join(', ')})`,
      });
    }
  }

  for (const group of findCycles(Object.keys(spec.nodes), spec.connections)) {
    if (group.some((id) => nodes.get(id)?.info.bidirectional)) continue;
    problems.push({
      nodeId: group[0],
      message: `Cycle ${[...group, group[0]].join(' -> ')}: a cycle must pass through a bidirectional node (e.g. transport::moq::peer)`,
    });
  }

  if (problems.length > 0) return { problems };
  return { pipeline: { spec, mode, nodes, connections: valid }, problems };
}
