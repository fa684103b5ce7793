// Two-way conversion between pipeline YAML (StreamKit's `steps:` and `nodes:`/`needs:` forms) and the
// editor graph. Wiring follows the engine's parser (libs/pipeline/src/spec/yaml.ts, checked against it in
// tests): a dependency leaves pin `out` unless `pin` names another; a node with one dependency receives it
// on `in`, with several on `in_0`, `in_1`, ... in the order written, unless `to_pin` names the input.
// Kept apart from the engine's parser because the editor also needs source positions for diagnostics,
// canvas positions, and the params exactly as written.
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { PipelineMode } from '../api/types';
import {
  edgeId,
  pinIndex,
  topoOrder,
  type ConnectionMode,
  type GraphEdge,
  type GraphNode,
  type PipelineGraph,
  type XY,
} from './graph';

export interface YamlProblem {
  message: string;
  severity: 'error' | 'warning';
  nodeId?: string;
  /** 1-based line, when known. */
  line?: number;
  /** Character offsets into the text, when known. */
  from?: number;
  to?: number;
}

export interface ParseResult {
  graph: PipelineGraph | null;
  problems: YamlProblem[];
  /** Ids of nodes that had no position (neither in the YAML's `ui.position` nor in the previous graph). */
  unplaced: string[];
}

const ONESHOT_MARKERS = new Set(['streamkit::http_input', 'streamkit::http_output']);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface Need {
  node: string;
  /** Upstream output pin (`out` unless named). */
  pin: string;
  /** Input pin on this node, when named; otherwise positional (`in`, or `in_<i>`). */
  toPin?: string;
  mode: ConnectionMode;
}

const pinName = (v: unknown): v is string => typeof v === 'string' && v !== '';

function readNeeds(raw: unknown, owner: string, problems: YamlProblem[]): Need[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const needs: Need[] = [];
  const bad = (message: string) =>
    problems.push({ severity: 'error', nodeId: owner, message: `Node '${owner}': ${message}` });
  for (const item of list) {
    if (typeof item === 'string') {
      needs.push({ node: item, pin: 'out', mode: 'reliable' });
      continue;
    }
    if (!isRecord(item) || !pinName(item.node)) {
      bad("each 'needs' entry must be a node id or {node, pin?, to_pin?, mode?}");
      continue;
    }
    const mode = item.mode ?? 'reliable';
    if (mode !== 'reliable' && mode !== 'best_effort')
      bad(`needs mode '${String(mode)}' is invalid (use reliable or best_effort)`);
    for (const key of ['pin', 'to_pin'] as const) {
      if (item[key] !== undefined && item[key] !== null && !pinName(item[key]))
        bad(`'needs' ${key} must be a pin name`);
    }
    needs.push({
      node: item.node,
      pin: pinName(item.pin) ? item.pin : 'out',
      toPin: pinName(item.to_pin) ? item.to_pin : undefined,
      mode: mode === 'best_effort' ? 'best_effort' : 'reliable',
    });
  }
  return needs;
}

function readPosition(raw: unknown): XY | null {
  if (!isRecord(raw) || !isRecord(raw.position)) return null;
  const { x, y } = raw.position;
  return typeof x === 'number' && typeof y === 'number' ? { x, y } : null;
}

/** Offsets of each node's key in the `nodes:` map, for diagnostics and highlighting. */
export function nodeKeyRanges(text: string): Map<string, { from: number; to: number; line: number }> {
  const out = new Map<string, { from: number; to: number; line: number }>();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const nodes = doc.get('nodes', true);
  if (!isMap(nodes)) return out;
  for (const pair of nodes.items) {
    const key = pair.key as YamlNode | null;
    if (isScalar(key) && key.range) {
      const [from, to] = key.range;
      out.set(String(key.value), { from, to, line: lc.linePos(from).line });
    }
  }
  return out;
}

/**
 * Parses pipeline YAML into a graph. `previous` supplies positions for nodes that keep their id, and the
 * mode when the YAML omits it and has no oneshot-only node.
 */
export function parsePipelineYaml(text: string, previous?: PipelineGraph): ParseResult {
  const problems: YamlProblem[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const [from, to] = err.pos;
      problems.push({
        severity: 'error',
        message: `YAML syntax: ${err.message.split('\n')[0]}`,
        from,
        to: Math.max(to, from + 1),
        line: lc.linePos(from).line,
      });
    }
    return { graph: null, problems, unplaced: [] };
  }
  const data: unknown = doc.toJS();
  const fallbackMode: PipelineMode = previous?.mode ?? 'dynamic';
  if (data === null || data === undefined) {
    return { graph: { mode: fallbackMode, nodes: [], edges: [] }, problems, unplaced: [] };
  }
  if (!isRecord(data)) {
    problems.push({
      severity: 'error',
      message: 'A pipeline must be a mapping with `nodes:` or `steps:`',
      line: 1,
    });
    return { graph: null, problems, unplaced: [] };
  }

  const keys = nodeKeyRanges(text);
  const at = (id: string) => keys.get(id) ?? {};
  const oldPos = new Map((previous?.nodes ?? []).map((n) => [n.id, n.position]));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const unplaced: string[] = [];
  const needsById = new Map<string, Need[]>();

  const addNode = (id: string, raw: unknown, needs: Need[]) => {
    if (!isRecord(raw) || typeof raw.kind !== 'string' || raw.kind.trim() === '') {
      problems.push({
        severity: 'error',
        nodeId: id,
        message: `Node '${id}' needs a string 'kind'`,
        ...at(id),
      });
      return;
    }
    let params: Record<string, unknown> = {};
    if (isRecord(raw.params)) params = raw.params;
    else if (raw.params !== undefined && raw.params !== null) {
      problems.push({
        severity: 'error',
        nodeId: id,
        message: `Node '${id}': 'params' must be a mapping`,
        ...at(id),
      });
    }
    const pos = readPosition(raw.ui) ?? oldPos.get(id) ?? null;
    if (!pos) unplaced.push(id);
    nodes.push({ id, kind: raw.kind, params, position: pos ?? { x: 0, y: 0 } });
    needsById.set(id, needs);
  };

  if (Array.isArray(data.steps)) {
    data.steps.forEach((step, i) => {
      const needs: Need[] = i > 0 ? [{ node: `step_${i - 1}`, pin: 'out', mode: 'reliable' }] : [];
      addNode(`step_${i}`, step, needs);
    });
  } else if (isRecord(data.nodes)) {
    for (const [id, raw] of Object.entries(data.nodes)) {
      addNode(id, raw, readNeeds(isRecord(raw) ? raw.needs : undefined, id, problems));
    }
  } else if (data.nodes !== undefined || data.steps !== undefined) {
    problems.push({ severity: 'error', message: '`nodes` must be a mapping and `steps` a list', line: 1 });
    return { graph: null, problems, unplaced: [] };
  } else {
    problems.push({
      severity: 'error',
      message: 'A pipeline needs `nodes:` (a map) or `steps:` (a list)',
      line: 1,
    });
    return { graph: null, problems, unplaced: [] };
  }

  const ids = new Set(nodes.map((n) => n.id));
  for (const [target, needs] of needsById) {
    needs.forEach((need, i) => {
      if (!ids.has(need.node)) {
        problems.push({
          severity: 'error',
          nodeId: target,
          message: `Node '${target}' references non-existent node '${need.node}' in 'needs'`,
          ...at(target),
        });
        return;
      }
      const e = {
        source: need.node,
        sourcePin: need.pin,
        target,
        targetPin: need.toPin ?? (needs.length === 1 ? 'in' : `in_${i}`),
        mode: need.mode,
      };
      edges.push({ ...e, id: edgeId(e) });
    });
  }

  let mode: PipelineMode = fallbackMode;
  if (data.mode === 'oneshot' || data.mode === 'dynamic') mode = data.mode;
  else if (data.mode !== undefined) {
    problems.push({
      severity: 'error',
      message: `mode must be 'oneshot' or 'dynamic' (got '${String(data.mode)}')`,
      line: 1,
    });
  } else if (nodes.some((n) => ONESHOT_MARKERS.has(n.kind))) mode = 'oneshot';

  const graph: PipelineGraph = { mode, nodes, edges };
  if (typeof data.name === 'string') graph.name = data.name;
  if (typeof data.description === 'string') graph.description = data.description;
  return { graph, problems, unplaced };
}

/** Serialises a graph to the `nodes:` YAML form, in dependency order. */
export function graphToYaml(graph: PipelineGraph): string {
  const incoming = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e]);

  const nodes: Record<string, unknown> = {};
  for (const n of topoOrder(graph)) {
    const entry: Record<string, unknown> = { kind: n.kind };
    if (Object.keys(n.params).length > 0) entry.params = n.params;
    const deps = [...(incoming.get(n.id) ?? [])].sort(
      (a, b) => pinIndex(a.targetPin) - pinIndex(b.targetPin),
    );
    const needs = deps.map((e, i) => {
      const positional = deps.length === 1 ? 'in' : `in_${i}`;
      if (e.sourcePin === 'out' && e.targetPin === positional && e.mode === 'reliable') return e.source;
      // Pins the positional rule cannot express are named, as the engine's parser accepts.
      const entry: Record<string, unknown> = { node: e.source };
      if (e.sourcePin !== 'out') entry.pin = e.sourcePin;
      if (e.targetPin !== positional) entry.to_pin = e.targetPin;
      if (e.mode !== 'reliable') entry.mode = e.mode;
      return entry;
    });
    if (needs.length === 1) entry.needs = needs[0];
    else if (needs.length > 1) entry.needs = needs;
    nodes[n.id] = entry;
  }

  const top: Record<string, unknown> = {};
  if (graph.name) top.name = graph.name;
  if (graph.description) top.description = graph.description;
  top.mode = graph.mode;
  top.nodes = nodes;

  const doc = new Document(top);
  for (const id of Object.keys(nodes)) {
    const needs = doc.getIn(['nodes', id, 'needs'], true);
    if (isSeq(needs) || isMap(needs)) needs.flow = true;
  }
  const map = doc.get('nodes', true);
  if (isMap(map) && map.items.length === 0) map.flow = true;
  return doc.toString({ lineWidth: 0 });
}
