// Pipeline rewrites for the Convert view.
import { graphToYaml, parsePipelineYaml } from './yaml-graph';

export const HTTP_INPUT = 'streamkit::http_input';

/** Does the pipeline take the uploaded file (a `streamkit::http_input` node)? */
export function needsMedia(yaml: string): boolean {
  const parsed = parsePipelineYaml(yaml);
  if (parsed.graph) return parsed.graph.nodes.some((n) => n.kind === HTTP_INPUT);
  return yaml.includes(HTTP_INPUT);
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
