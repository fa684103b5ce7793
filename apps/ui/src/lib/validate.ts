// The editor's view of the engine's checks (libs/pipeline: compile.ts, oneshot-rules.ts) over kinds from
// `/api/v1/schema/nodes`: whole-graph problems shown on nodes, edges and the YAML (`validateGraph`), and
// connection legality while dragging (`checkConnection`). The rules and their words are the engine's.
import { compilePipeline, type CompiledNode } from '@streamkit/pipeline/definition/compile';
import { oneshotProblems } from '@streamkit/pipeline/definition/oneshot-rules';
import {
  schemaCatalog,
  trustParams,
  type SchemaKind,
  type SchemaParamChecker,
} from '@streamkit/pipeline/definition/schema-catalog';
import type { ValidationProblem } from '@streamkit/pipeline/definition/types';
import { withImplicitParams } from '@streamkit/pipeline/definition/yaml';
import type { NodeDefinition } from '../api/types';
import { edgeId, graphToSpec, type PipelineGraph } from './graph';

export interface Issue {
  severity: 'error' | 'warning';
  message: string;
  nodeId?: string;
  edgeId?: string;
  /** JSON pointer into the node's params (`/gain`), when the problem is about one. */
  path?: string;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

export interface ConnectionRequest {
  source: string;
  sourcePin: string;
  target: string;
  targetPin: string;
}

export type DefinitionLookup = (kind: string) => NodeDefinition | undefined;

const asSchemaLookup = (lookup: DefinitionLookup) => (kind: string) => lookup(kind) as SchemaKind | undefined;

/** The edge a problem about `nodeId.pin` is on, if it names one. */
function edgeOf(graph: PipelineGraph, p: ValidationProblem): string | undefined {
  if (!p.nodeId || !p.pin) return undefined;
  const e = graph.edges.find(
    (x) =>
      (x.target === p.nodeId && x.targetPin === p.pin) || (x.source === p.nodeId && x.sourcePin === p.pin),
  );
  return e ? edgeId(e) : undefined;
}

function toIssue(graph: PipelineGraph, severity: Issue['severity'], p: ValidationProblem): Issue {
  const issue: Issue = { severity, message: p.message };
  if (p.nodeId !== undefined && graph.nodes.some((n) => n.id === p.nodeId)) issue.nodeId = p.nodeId;
  const edge = edgeOf(graph, p);
  if (edge) issue.edgeId = edge;
  if (p.path !== undefined && p.pin === undefined) issue.path = p.path;
  return issue;
}

/**
 * Every problem the server would report for this graph (oneshot: as the oneshot route, before any upload;
 * dynamic: as session creation), plus unknown-param warnings. `checkParams` is the engine's param check
 * (see param-checker.ts); without it params are not checked.
 */
export function validateGraph(
  graph: PipelineGraph,
  lookup: DefinitionLookup,
  checkParams: SchemaParamChecker = trustParams,
): Issue[] {
  const spec = withImplicitParams(graphToSpec(graph));
  const compiled = compilePipeline(spec, schemaCatalog(asSchemaLookup(lookup), checkParams));
  const structure = graph.mode === 'oneshot' ? oneshotProblems(spec) : [];
  return [
    ...[...structure, ...compiled.problems].map((p) => toIssue(graph, 'error', p)),
    ...compiled.warnings.map((p) => toIssue(graph, 'warning', p)),
  ];
}

const compiledCache = new WeakMap<
  PipelineGraph,
  { lookup: DefinitionLookup; nodes: Map<string, CompiledNode> }
>();

/** The engine's view of each node (pins, output types with Passthrough resolved), params as written. */
export function compiledNodes(graph: PipelineGraph, lookup: DefinitionLookup): Map<string, CompiledNode> {
  const hit = compiledCache.get(graph);
  if (hit && hit.lookup === lookup) return hit.nodes;
  const spec = withImplicitParams(graphToSpec(graph));
  const { nodes } = compilePipeline(spec, schemaCatalog(asSchemaLookup(lookup), trustParams));
  compiledCache.set(graph, { lookup, nodes });
  return nodes;
}

function connectionProblems(graph: PipelineGraph, lookup: DefinitionLookup): Set<string> {
  // Dynamic: a Passthrough fed later is fine while the graph is being built.
  const spec = withImplicitParams(graphToSpec({ ...graph, mode: 'dynamic' }));
  const catalog = schemaCatalog(asSchemaLookup(lookup), trustParams);
  return new Set(compilePipeline(spec, catalog).problems.map((p) => p.message));
}

/** Can this new connection be added to the graph? Gives the engine's reason when not. */
export function checkConnection(
  graph: PipelineGraph,
  lookup: DefinitionLookup,
  c: ConnectionRequest,
): ConnectionCheck {
  if (!graph.nodes.some((n) => n.id === c.source) || !graph.nodes.some((n) => n.id === c.target)) {
    return { ok: false, reason: 'Both ends must be nodes on the canvas' };
  }
  const edge = { ...c, mode: 'reliable' as const };
  const id = edgeId(edge);
  if (graph.edges.some((e) => e.id === id)) return { ok: false, reason: 'These pins are already connected' };
  const before = connectionProblems(graph, lookup);
  const after = connectionProblems({ ...graph, edges: [...graph.edges, { ...edge, id }] }, lookup);
  const added = [...after].find((m) => !before.has(m));
  return added ? { ok: false, reason: added } : { ok: true };
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
