// Pipeline YAML <-> PipelineSpec: StreamKit's `steps` and `nodes`/`needs` forms, plus named pins in `needs`.
// Browser-safe (imported by the web UI): no `node:` imports.
import { stringify } from 'yaml';
import type { ExecutionMode } from '../core/node';
import { parseBoundedYaml, type YamlLimits } from './yaml-bounds';
import {
  nodeRecord,
  PipelineValidationError,
  type ConnectionMode,
  type ConnectionSpec,
  type NodeSpec,
  type PipelineSpec,
  type ValidationProblem,
} from './types';

const MIXER_KIND = 'audio::mixer';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readMode(doc: Record<string, unknown>, problems: ValidationProblem[]): ExecutionMode {
  const mode = doc.mode;
  if (mode === undefined || mode === null) return 'dynamic';
  if (mode === 'oneshot' || mode === 'dynamic') return mode;
  problems.push({
    path: '/mode',
    message: `mode must be 'oneshot' or 'dynamic' (got ${JSON.stringify(mode)})`,
  });
  return 'dynamic';
}

function readString(
  doc: Record<string, unknown>,
  key: string,
  problems: ValidationProblem[],
): string | undefined {
  const v = doc[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  problems.push({ path: `/${key}`, message: `${key} must be a string` });
  return undefined;
}

function readParams(raw: unknown, path: string, nodeId: string, problems: ValidationProblem[]): unknown {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    problems.push({
      nodeId,
      path,
      message: `Node '${nodeId}': params must be a mapping of param names to values`,
    });
    return undefined;
  }
  return raw;
}

interface Need {
  node: string;
  pin: string;
  toPin?: string;
  mode: ConnectionMode;
}

function readNeed(
  raw: unknown,
  path: string,
  nodeId: string,
  problems: ValidationProblem[],
): Need | undefined {
  if (typeof raw === 'string') return { node: raw, pin: 'out', mode: 'reliable' };
  if (!isObject(raw)) {
    problems.push({
      nodeId,
      path,
      message: `Node '${nodeId}': each 'needs' entry must be a node id or {node, pin?, to_pin?, mode?}`,
    });
    return undefined;
  }
  const { node, pin, to_pin: toPin, mode } = raw;
  let ok = true;
  if (typeof node !== 'string' || node === '') {
    problems.push({
      nodeId,
      path: `${path}/node`,
      message: `Node '${nodeId}': 'needs' entry is missing 'node' (the id of the upstream node)`,
    });
    ok = false;
  }
  for (const [key, v] of [
    ['pin', pin],
    ['to_pin', toPin],
  ] as const) {
    if (v !== undefined && v !== null && (typeof v !== 'string' || v === '')) {
      problems.push({
        nodeId,
        path: `${path}/${key}`,
        message: `Node '${nodeId}': 'needs' ${key} must be a pin name`,
      });
      ok = false;
    }
  }
  if (mode !== undefined && mode !== null && mode !== 'reliable' && mode !== 'best_effort') {
    problems.push({
      nodeId,
      path: `${path}/mode`,
      message: `Node '${nodeId}': connection mode must be 'reliable' or 'best_effort' (got ${JSON.stringify(mode)})`,
    });
    ok = false;
  }
  if (!ok) return undefined;
  return {
    node: node as string,
    pin: typeof pin === 'string' ? pin : 'out',
    toPin: typeof toPin === 'string' ? toPin : undefined,
    mode: (mode as ConnectionMode | undefined) ?? 'reliable',
  };
}

function readNeeds(raw: unknown, path: string, nodeId: string, problems: ValidationProblem[]): Need[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) {
    const out: Need[] = [];
    raw.forEach((entry, i) => {
      const n = readNeed(entry, `${path}/${i}`, nodeId, problems);
      if (n) out.push(n);
    });
    return out;
  }
  const n = readNeed(raw, path, nodeId, problems);
  return n ? [n] : [];
}

/**
 * The spec with the params the parser adds to what was written (a copy): a mixer with several positional
 * inputs gets its `num_inputs`, whatever the mode (StreamKit only does it for `mode: oneshot`, so a YAML that
 * forgets the mode fails to wire).
 */
export function withImplicitParams(spec: PipelineSpec): PipelineSpec {
  const out: PipelineSpec = { ...spec, nodes: nodeRecord(Object.entries(spec.nodes)) };
  for (const [id, node] of Object.entries(out.nodes)) out.nodes[id] = { ...node };
  injectMixerInputs(out);
  return out;
}

function injectMixerInputs(spec: PipelineSpec): void {
  for (const [id, node] of Object.entries(spec.nodes)) {
    if (node.kind !== MIXER_KIND) continue;
    const incoming = spec.connections.filter((c) => c.to_node === id).length;
    if (incoming < 2) continue;
    if (node.params === undefined || node.params === null) node.params = { num_inputs: incoming };
    else if (
      isObject(node.params) &&
      (node.params.num_inputs === undefined || node.params.num_inputs === null)
    ) {
      node.params = { ...node.params, num_inputs: incoming };
    }
  }
}

export interface PipelineYamlOptions {
  /** Bounds on the YAML text itself (defaults: `DEFAULT_YAML_LIMITS`). */
  limits?: Partial<YamlLimits>;
  /**
   * Leave params exactly as written (the editor, which writes the YAML back): no `num_inputs` given to a
   * mixer. Compile what is run with `withImplicitParams` applied.
   */
  paramsAsWritten?: boolean;
}

/** Parse a YAML document into a spec; returns every structural problem (kinds and pins are checked later). */
export function tryParsePipelineYaml(
  text: string,
  options: PipelineYamlOptions = {},
): { spec?: PipelineSpec; problems: ValidationProblem[] } {
  let doc: unknown;
  try {
    doc = parseBoundedYaml(text, options.limits).value;
  } catch (err) {
    return { problems: [{ message: `Invalid YAML: ${(err as Error).message}` }] };
  }
  if (!isObject(doc))
    return {
      problems: [{ message: 'Invalid YAML: the document must be a mapping with `steps` or `nodes`' }],
    };
  const problems: ValidationProblem[] = [];
  const spec: PipelineSpec = { mode: readMode(doc, problems), nodes: nodeRecord(), connections: [] };
  const name = readString(doc, 'name', problems);
  const description = readString(doc, 'description', problems);
  if (name !== undefined) spec.name = name;
  if (description !== undefined) spec.description = description;

  if (doc.steps !== undefined && doc.steps !== null) {
    if (!Array.isArray(doc.steps)) {
      problems.push({ path: '/steps', message: 'steps must be a list of {kind, params?}' });
      return { problems };
    }
    doc.steps.forEach((step: unknown, i: number) => {
      const id = `step_${i}`;
      if (!isObject(step) || typeof step.kind !== 'string' || step.kind === '') {
        problems.push({
          nodeId: id,
          path: `/steps/${i}/kind`,
          message: `Step ${i} ('${id}') needs a 'kind'`,
        });
        return;
      }
      const node: NodeSpec = { kind: step.kind };
      const params = readParams(step.params, `/steps/${i}/params`, id, problems);
      if (params !== undefined) node.params = params;
      spec.nodes[id] = node;
      if (i > 0)
        spec.connections.push({ from_node: `step_${i - 1}`, from_pin: 'out', to_node: id, to_pin: 'in' });
    });
  } else if (doc.nodes !== undefined && doc.nodes !== null) {
    if (!isObject(doc.nodes)) {
      problems.push({
        path: '/nodes',
        message: 'nodes must be a mapping of node id -> {kind, params?, needs?}',
      });
      return { problems };
    }
    for (const [id, raw] of Object.entries(doc.nodes)) {
      const path = `/nodes/${id}`;
      if (!isObject(raw) || typeof raw.kind !== 'string' || raw.kind === '') {
        problems.push({ nodeId: id, path: `${path}/kind`, message: `Node '${id}' needs a 'kind'` });
        continue;
      }
      const node: NodeSpec = { kind: raw.kind };
      const params = readParams(raw.params, `${path}/params`, id, problems);
      if (params !== undefined) node.params = params;
      spec.nodes[id] = node;
      const needs = readNeeds(raw.needs, `${path}/needs`, id, problems);
      needs.forEach((need, i) => {
        const c: ConnectionSpec = {
          from_node: need.node,
          from_pin: need.pin,
          to_node: id,
          to_pin: need.toPin ?? (needs.length === 1 ? 'in' : `in_${i}`),
        };
        if (need.mode === 'best_effort') c.mode = 'best_effort';
        spec.connections.push(c);
      });
    }
  } else {
    problems.push({
      message: 'Invalid pipeline: the document needs `steps` (a list) or `nodes` (a mapping)',
    });
    return { problems };
  }
  if (!options.paramsAsWritten) injectMixerInputs(spec);
  return problems.length > 0 ? { problems } : { spec, problems };
}

/** Parse a YAML document into a spec, or throw `PipelineValidationError` listing every problem. */
export function parsePipelineYaml(text: string, options: PipelineYamlOptions = {}): PipelineSpec {
  const { spec, problems } = tryParsePipelineYaml(text, options);
  if (!spec) throw new PipelineValidationError(problems);
  return spec;
}

/**
 * A spec as the plain `nodes`/`needs` document (node ids in the spec's order, `needs` in connection order);
 * parsing its YAML gives back the same spec.
 */
export function pipelineToDocument(spec: PipelineSpec): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  if (spec.name !== undefined) doc.name = spec.name;
  if (spec.description !== undefined) doc.description = spec.description;
  doc.mode = spec.mode;
  const nodes = nodeRecord<unknown>();
  for (const [id, node] of Object.entries(spec.nodes)) {
    const out: Record<string, unknown> = { kind: node.kind };
    if (node.params !== undefined && node.params !== null) out.params = node.params;
    const incoming = spec.connections.filter((c) => c.to_node === id);
    const needs = incoming.map((c, i) => {
      const positional = incoming.length === 1 ? 'in' : `in_${i}`;
      const mode = c.mode ?? 'reliable';
      if (c.from_pin === 'out' && c.to_pin === positional && mode === 'reliable') return c.from_node;
      const entry: Record<string, unknown> = { node: c.from_node };
      if (c.from_pin !== 'out') entry.pin = c.from_pin;
      if (c.to_pin !== positional) entry.to_pin = c.to_pin;
      if (mode !== 'reliable') entry.mode = mode;
      return entry;
    });
    if (needs.length === 1) out.needs = needs[0];
    else if (needs.length > 1) out.needs = needs;
    nodes[id] = out;
  }
  doc.nodes = nodes;
  return doc;
}

/** Serialize a spec to the `nodes`/`needs` YAML form; parsing the result gives back the same spec. */
export function pipelineToYaml(spec: PipelineSpec): string {
  return stringify(pipelineToDocument(spec));
}
