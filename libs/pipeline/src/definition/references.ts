// Connections that name nodes a spec does not have: checked by the compiler, and by the editor before it
// draws a connection. Browser-safe, and small: the editor's first chunk loads it.
import { connectionLabel, type ConnectionSpec, type PipelineSpec, type ValidationProblem } from './types';

/** The ends of a connection that name no node of the spec, each as a problem on the node at the other end. */
export function missingEndProblems(spec: PipelineSpec, c: ConnectionSpec): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const [end, id] of [
    ['source', c.from_node],
    ['destination', c.to_node],
  ] as const) {
    if (Object.hasOwn(spec.nodes, id)) continue;
    const other = end === 'source' ? c.to_node : c.from_node;
    problems.push({
      nodeId: other,
      pin: end === 'source' ? c.to_pin : c.from_pin,
      message: `Connection ${connectionLabel(c)}: ${end} node '${id}' does not exist (referenced by '${other}')`,
    });
  }
  return problems;
}
