// Pipeline rewrites for the Convert view.
import type { NodeDefinition } from '../api/types';
import { graphToYaml, parsePipelineYaml } from './yaml-graph';

export const HTTP_INPUT = 'streamkit::http_input';

/** Does the pipeline take the uploaded file (a `streamkit::http_input` node)? */
export function needsMedia(yaml: string): boolean {
  const parsed = parsePipelineYaml(yaml);
  if (parsed.graph) return parsed.graph.nodes.some((n) => n.kind === HTTP_INPUT);
  return yaml.includes(HTTP_INPUT);
}

/**
 * Does the upload feed a node that reads text (a text-to-speech or text pipeline)? True when a node wired to
 * the `streamkit::http_input` accepts `Text` on that pin, per the kinds' schemas.
 */
export function takesText(yaml: string, defs: readonly NodeDefinition[]): boolean {
  const graph = parsePipelineYaml(yaml).graph;
  if (!graph) return false;
  const inputs = new Set(graph.nodes.filter((n) => n.kind === HTTP_INPUT).map((n) => n.id));
  const kinds = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  return graph.edges.some((e) => {
    if (!inputs.has(e.source)) return false;
    const def = defs.find((d) => d.kind === kinds.get(e.target));
    const pin = def?.inputs.find((p) => p.name === e.targetPin) ?? def?.inputs[0];
    return pin?.accepts_types.some((t) => t === 'Text') ?? false;
  });
}

/** Replaces the upload input with a file reader on a server-side asset; the rest is untouched. */
export function withAssetInput(yaml: string, path: string): string {
  const parsed = parsePipelineYaml(yaml);
  if (!parsed.graph) throw new Error(parsed.problems[0]?.message ?? 'The pipeline YAML is invalid');
  const graph = parsed.graph;
  return graphToYaml({
    ...graph,
    nodes: graph.nodes.map((n) =>
      n.kind === HTTP_INPUT ? { ...n, kind: 'core::file_reader', params: { path } } : n,
    ),
  });
}
