// Pure helpers of the Monitor view: the live (or staged) pipeline as the editor's graph, so the same pin,
// packet-type and YAML code as Design applies; param schemas split into live-tunable and fixed fields;
// the one-key update a form edit turns into for `tune_node`.
import type { LiveConnection } from '../../api/sessions';
import type { JsonSchema, NodeDefinition } from '../../api/types';
import type { PipelineGraph } from '../../lib/graph';
import { describeParams, setAt } from '../../lib/schema-form';
import { connectionKey, type StagedNode } from '../../lib/staging';

export function liveGraph(
  name: string | null | undefined,
  nodes: StagedNode[],
  connections: LiveConnection[],
): PipelineGraph {
  return {
    name: name ?? undefined,
    mode: 'dynamic',
    nodes: nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })),
    edges: connections.map((c) => ({
      id: connectionKey(c),
      source: c.fromNode,
      sourcePin: c.fromPin,
      target: c.toNode,
      targetPin: c.toPin,
      mode: c.mode === 'BEST_EFFORT' ? 'best_effort' : 'reliable',
    })),
  };
}

function pick(schema: JsonSchema, keep: (key: string) => boolean): JsonSchema {
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => keep(k)));
  return { ...schema, properties, required: (schema.required ?? []).filter(keep) };
}

/** A kind's params schema as two: the fields a running node accepts changes to, and the rest. */
export function splitByTunable(schema: JsonSchema | undefined): { tunable: JsonSchema; fixed: JsonSchema } {
  const s = schema ?? {};
  const live = new Set(
    describeParams(s)
      .filter((f) => f.tunable)
      .map((f) => f.key),
  );
  return { tunable: pick(s, (k) => live.has(k)), fixed: pick(s, (k) => !live.has(k)) };
}

/**
 * The top-level param a form edit at `path` changes on a running node, with its new value. A reset
 * (`undefined`) becomes the kind's default, since `tune_node` merges and cannot remove a key; null when
 * there is no default to go back to.
 */
export function tuneUpdate(
  params: Record<string, unknown>,
  def: NodeDefinition | undefined,
  path: string[],
  value: unknown,
): { key: string; value: unknown } | null {
  const key = path[0];
  if (key === undefined) return null;
  const next = setAt(params, path, value)[key];
  if (next !== undefined) return { key, value: next };
  const fallback = describeParams(def?.param_schema).find((f) => f.key === key)?.default;
  return fallback === undefined ? null : { key, value: fallback };
}
