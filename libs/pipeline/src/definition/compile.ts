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
  connectionKey,
  type ConnectionSpec,
  type KindCatalog,
  type KindInfo,
  type PipelineSpec,
  type ValidationProblem,
} from './types';
import { longestChain, stronglyConnected } from './graph-algorithms';
import { missingEndProblems } from './references';
import { DEFAULT_GRAPH_LIMITS, limitText, type GraphLimits } from './limits';

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
  /** Node count, connection count and depth bounds (defaults: `DEFAULT_GRAPH_LIMITS`). */
  limits?: Partial<GraphLimits>;
}

export interface CompileResult {
  /** Set when there are no problems. */
  pipeline?: CompiledPipeline;
  problems: ValidationProblem[];
  /** Unknown params that were ignored. */
  warnings: ValidationProblem[];
  /** Every node whose kind and params checked out, with resolved output types (also when there are problems). */
  nodes: Map<string, CompiledNode>;
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

/** Connections grouped by a node id: `by(c)` picks the node a connection is filed under. */
function groupBy(connections: readonly ConnectionSpec[], by: (c: ConnectionSpec) => string) {
  const out = new Map<string, ConnectionSpec[]>();
  for (const c of connections) {
    const key = by(c);
    const list = out.get(key);
    if (list) list.push(c);
    else out.set(key, [c]);
  }
  return out;
}

/**
 * Gives each `Passthrough` output the type of what feeds the node (its first input with a known type), in
 * one worklist pass: a node is looked at again only when one of its upstream nodes resolved a type.
 */
function resolvePassthrough(nodes: Map<string, CompiledNode>, connections: ConnectionSpec[]): void {
  const incoming = groupBy(connections, (c) => c.to_node);
  const outgoing = groupBy(connections, (c) => c.from_node);
  const hasPassthrough = (n: CompiledNode) => Object.values(n.outputTypes).includes('Passthrough');
  const work = [...nodes.values()].filter(hasPassthrough);
  const queued = new Set(work);
  while (work.length > 0) {
    const node = work.pop() as CompiledNode;
    queued.delete(node);
    let changed = false;
    for (const [pin, type] of Object.entries(node.outputTypes)) {
      if (type !== 'Passthrough') continue;
      for (const input of node.pins.inputs) {
        let upstream: PinType | undefined;
        for (const c of incoming.get(node.id) ?? []) {
          if (!pinMatches(input, c.to_pin)) continue;
          const t = nodes.get(c.from_node)?.outputTypes[c.from_pin];
          if (t !== undefined && t !== 'Passthrough') {
            upstream = t;
            break;
          }
        }
        if (upstream !== undefined) {
          node.outputTypes[pin] = upstream;
          changed = true;
          break;
        }
      }
    }
    if (!changed) continue;
    for (const c of outgoing.get(node.id) ?? []) {
      const next = nodes.get(c.to_node);
      if (next && !queued.has(next) && hasPassthrough(next)) {
        queued.add(next);
        work.push(next);
      }
    }
  }
}

/** Node and connection counts over the limits: checked first, so an oversized spec costs nothing more. */
function sizeProblems(spec: PipelineSpec, limits: GraphLimits): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const nodeCount = Object.keys(spec.nodes).length;
  if (nodeCount > limits.maxNodes) {
    problems.push({ message: `Pipeline has ${nodeCount} nodes; ${limitText(limits, 'maxNodes')}` });
  }
  if (spec.connections.length > limits.maxConnections) {
    problems.push({
      message: `Pipeline has ${spec.connections.length} connections; ${limitText(limits, 'maxConnections')}`,
    });
  }
  return problems;
}

/**
 * Check a spec and resolve what the runtime needs. Problems name the node, pin, param path and both pin
 * types; nothing stops at the first problem.
 */
export function compilePipeline(
  spec: PipelineSpec,
  catalog: KindCatalog,
  options: CompileOptions = {},
): CompileResult {
  const mode = options.mode ?? spec.mode;
  const limits: GraphLimits = { ...DEFAULT_GRAPH_LIMITS, ...options.limits };
  const tooLarge = sizeProblems(spec, limits);
  if (tooLarge.length > 0) return { problems: tooLarge, warnings: [], nodes: new Map() };
  const problems: ValidationProblem[] = [];
  const warnings: ValidationProblem[] = [];
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
      ? { params: (node.params ?? {}) as Record<string, unknown>, problems: [], warnings: [] }
      : info.checkParams(node.params, options.services);
    for (const p of checked.problems) {
      problems.push({ nodeId: id, path: p.path, message: `Node '${id}' (${node.kind}): ${p.message}` });
    }
    for (const w of checked.warnings ?? []) {
      warnings.push({ nodeId: id, path: w.path, message: `Node '${id}' (${node.kind}): ${w.message}` });
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
  const seen = new Set<string>();
  spec.connections.forEach((c) => {
    const label = connectionLabel(c);
    const key = connectionKey(c);
    if (seen.has(key)) {
      problems.push({ nodeId: c.to_node, pin: c.to_pin, message: `Connection ${label} is listed twice` });
      return;
    }
    seen.add(key);
    const missing = missingEndProblems(spec, c);
    problems.push(...missing);
    let ok = missing.length === 0;
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
    const inputs = byInput.get(ik);
    if (inputs) inputs.push(c);
    else byInput.set(ik, [c]);
    const outputs = byOutput.get(ok);
    if (outputs) outputs.push(c);
    else byOutput.set(ok, [c]);
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

  const components = stronglyConnected(Object.keys(spec.nodes), spec.connections);
  components.components.forEach((group, i) => {
    if (!components.cyclic[i] || group.some((id) => nodes.get(id)?.info.bidirectional)) return;
    problems.push({
      nodeId: group[0],
      message: `Cycle ${[...group, group[0]].join(' -> ')}: a cycle must pass through a bidirectional node (e.g. transport::moq::peer)`,
    });
  });
  const chain = longestChain(components, spec.connections);
  if (chain.depth > limits.maxGraphDepth) {
    problems.push({
      nodeId: chain.from,
      message: `Pipeline is ${chain.depth} nodes deep (the longest chain starts at '${chain.from}'); ${limitText(limits, 'maxGraphDepth')}`,
    });
  }

  if (problems.length > 0) return { problems, warnings, nodes };
  return { pipeline: { spec, mode, nodes, connections: valid }, problems, warnings, nodes };
}
