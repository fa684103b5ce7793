// What a oneshot pipeline must have beyond compiling: at most one upload node, exactly one response node, and
// the response node fed. Used by the oneshot runner and by the web UI's Design view. Browser-safe.
import type { PipelineSpec, ValidationProblem } from './types';

export const HTTP_INPUT_KIND = 'streamkit::http_input';
export const HTTP_OUTPUT_KIND = 'streamkit::http_output';

export interface OneshotRuleOptions {
  /**
   * Whether media was uploaded with the request: checked against the pipeline's http_input. Absent (the
   * editor, before any request) skips that check.
   */
  uploaded?: boolean;
  /** Run a graph without `streamkit::http_output` (tests, tools). */
  allowNoOutput?: boolean;
}

/** The oneshot structure's problems, each naming the node it is about. */
export function oneshotProblems(spec: PipelineSpec, options: OneshotRuleOptions = {}): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const ids = (kind: string) =>
    Object.entries(spec.nodes)
      .filter(([, n]) => n.kind === kind)
      .map(([id]) => id);
  const inputs = ids(HTTP_INPUT_KIND);
  const outputs = ids(HTTP_OUTPUT_KIND);
  if (inputs.length > 1)
    problems.push({
      nodeId: inputs[1],
      message: `A oneshot pipeline takes at most one ${HTTP_INPUT_KIND} (found ${inputs.join(', ')})`,
    });
  if (outputs.length > 1)
    problems.push({
      nodeId: outputs[1],
      message: `A oneshot pipeline takes exactly one ${HTTP_OUTPUT_KIND} (found ${outputs.join(', ')})`,
    });
  if (outputs.length === 0 && !options.allowNoOutput)
    problems.push({ message: `A oneshot pipeline needs a ${HTTP_OUTPUT_KIND} node to produce the response` });
  if (outputs.length === 1 && !spec.connections.some((c) => c.to_node === outputs[0])) {
    problems.push({
      nodeId: outputs[0],
      pin: 'in',
      message: `Node '${outputs[0]}' (${HTTP_OUTPUT_KIND}) is not connected: give it 'needs'`,
    });
  }
  if (options.uploaded === true && inputs.length === 0)
    problems.push({
      message: `Media was uploaded but the pipeline has no ${HTTP_INPUT_KIND} node to receive it`,
    });
  if (options.uploaded === false && inputs.length === 1)
    problems.push({
      nodeId: inputs[0],
      message: `Node '${inputs[0]}' (${HTTP_INPUT_KIND}) needs uploaded media, but none was sent`,
    });
  return problems;
}
