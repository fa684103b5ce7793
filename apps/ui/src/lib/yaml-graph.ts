// Pipeline YAML <-> the editor graph, through the engine's parser and serializer (libs/pipeline
// definition/yaml.ts): the wiring rules are the engine's. What is the editor's own: source positions for
// diagnostics, canvas positions (`ui.position`, or kept from the previous graph), the mode of a YAML that does
// not say (oneshot when a kind is oneshot-only), dependency order and flow-style `needs` when writing.
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { missingEndProblems } from '@streamkit/pipeline/definition/references';
import type { PipelineSpec, ValidationProblem } from '@streamkit/pipeline/definition/types';
import { pipelineToDocument, tryParsePipelineYaml } from '@streamkit/pipeline/definition/yaml';
import type { PipelineMode } from '../api/types';
import {
  edgeId,
  graphToSpec,
  topoOrder,
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

/** Whether a kind may only run in oneshot pipelines (from `/api/v1/schema/nodes`). */
export type OneshotOnly = (kind: string) => boolean;

type Located = { from: number; to: number; line: number };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Offsets of each node's key in the `nodes:` map, for diagnostics and highlighting. */
export function nodeKeyRanges(text: string): Map<string, Located> {
  const out = new Map<string, Located>();
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
 * Where a JSON pointer into the document (`/nodes/a/needs/0/mode`) is written: the deepest part of the path
 * that exists, if at least its first `minDepth` segments do.
 */
export function locatePath(text: string, pointer: string, minDepth = 1): Located | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let n = segments.length; n >= minDepth && n > 0; n--) {
    const node = doc.getIn(segments.slice(0, n), true) as YamlNode | undefined;
    if (node && typeof node === 'object' && node.range) {
      const [from, to] = node.range;
      return { from, to: Math.max(to, from + 1), line: lc.linePos(from).line };
    }
  }
  return undefined;
}

function located(text: string, p: ValidationProblem, keys: Map<string, Located>): YamlProblem {
  const at = (p.path && locatePath(text, p.path)) || (p.nodeId ? keys.get(p.nodeId) : undefined);
  return { severity: 'error', message: p.message, nodeId: p.nodeId, ...(at ?? { line: 1 }) };
}

function readPosition(doc: Document, path: (string | number)[]): XY | null {
  const raw: unknown = doc.getIn([...path, 'ui', 'position']);
  const pos = isMap(raw) ? (raw.toJSON() as unknown) : raw;
  if (!isRecord(pos)) return null;
  const { x, y } = pos;
  return typeof x === 'number' && typeof y === 'number' ? { x, y } : null;
}

function specToGraph(
  spec: PipelineSpec,
  doc: Document,
  mode: PipelineMode,
  previous: PipelineGraph | undefined,
): { graph: PipelineGraph; unplaced: string[] } {
  const oldPos = new Map((previous?.nodes ?? []).map((n) => [n.id, n.position]));
  const steps = isSeq(doc.get('steps', true));
  const unplaced: string[] = [];
  const nodes: GraphNode[] = Object.entries(spec.nodes).map(([id, n], i) => {
    const pos = readPosition(doc, steps ? ['steps', i] : ['nodes', id]) ?? oldPos.get(id) ?? null;
    if (!pos) unplaced.push(id);
    const params = isRecord(n.params) ? n.params : {};
    return { id, kind: n.kind, params, position: pos ?? { x: 0, y: 0 } };
  });
  const edges: GraphEdge[] = spec.connections
    .filter((c) => missingEndProblems(spec, c).length === 0)
    .map((c) => {
      const e = {
        source: c.from_node,
        sourcePin: c.from_pin,
        target: c.to_node,
        targetPin: c.to_pin,
        mode: c.mode ?? ('reliable' as const),
      };
      return { ...e, id: edgeId(e) };
    });
  const graph: PipelineGraph = { mode, nodes, edges };
  if (spec.name !== undefined) graph.name = spec.name;
  if (spec.description !== undefined) graph.description = spec.description;
  return { graph, unplaced };
}

/**
 * Parses pipeline YAML into a graph with the engine's parser. `previous` supplies positions for nodes that
 * keep their id, and the mode when the YAML omits it and has no oneshot-only kind. A `needs` naming no node
 * is reported (the engine's words) and left off the canvas.
 */
export function parsePipelineYaml(
  text: string,
  previous?: PipelineGraph,
  oneshotOnly: OneshotOnly = () => false,
): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((err): YamlProblem => {
      const [from, to] = err.pos;
      return {
        severity: 'error',
        message: `YAML syntax: ${err.message.split('\n')[0]}`,
        from,
        to: Math.max(to, from + 1),
        line: lc.linePos(from).line,
      };
    });
    return { graph: null, problems, unplaced: [] };
  }
  const fallbackMode: PipelineMode = previous?.mode ?? 'dynamic';
  if (doc.contents === null) {
    return { graph: { mode: fallbackMode, nodes: [], edges: [] }, problems: [], unplaced: [] };
  }
  const keys = nodeKeyRanges(text);
  const parsed = tryParsePipelineYaml(text, { paramsAsWritten: true });
  if (!parsed.spec) {
    return { graph: null, problems: parsed.problems.map((p) => located(text, p, keys)), unplaced: [] };
  }
  const spec = parsed.spec;
  let mode: PipelineMode = spec.mode;
  if (doc.get('mode') === undefined || doc.get('mode') === null) {
    mode = Object.values(spec.nodes).some((n) => oneshotOnly(n.kind)) ? 'oneshot' : fallbackMode;
  }
  const problems = spec.connections.flatMap((c) =>
    missingEndProblems(spec, c).map((p) => located(text, p, keys)),
  );
  return { ...specToGraph(spec, doc, mode, previous), problems };
}

/** Serialises a graph with the engine's serializer, nodes in dependency order and `needs` in flow style. */
export function graphToYaml(graph: PipelineGraph): string {
  const doc = new Document(pipelineToDocument(graphToSpec(graph, topoOrder(graph))));
  const nodes = doc.get('nodes', true);
  if (isMap(nodes)) {
    if (nodes.items.length === 0) nodes.flow = true;
    for (const pair of nodes.items) {
      const needs = isMap(pair.value) ? pair.value.get('needs', true) : undefined;
      if (isSeq(needs) || isMap(needs)) needs.flow = true;
    }
  }
  return doc.toString({ lineWidth: 0 });
}
