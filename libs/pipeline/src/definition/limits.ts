// Every bound the engine enforces on what a caller controls, with its default and its `[engine.limits]` key
// (the server fills them from skit.toml; tests and tools get the defaults). Browser-safe.
import { DEFAULT_YAML_LIMITS, YAML_LIMIT_KEYS, type YamlLimits } from './yaml-limits';

/** Bounds on one pipeline's graph (a session's whole graph after each command, a oneshot's graph). */
export interface GraphLimits {
  maxNodes: number;
  maxConnections: number;
  /** Nodes on the longest chain (a source feeding a sink directly is depth 2). */
  maxGraphDepth: number;
}

/** Bounds on what one node's untrusted code (scripts, plugins) may hand the host. */
export interface NodeLimits {
  /** Largest packet a script or plugin may emit (bytes of samples, text or payload). */
  maxPacketBytes: number;
  /** Largest total a plugin may emit in one call (all packets of one `process`/`flush`). */
  maxCallOutputBytes: number;
  /** Log lines per second a node may write (token bucket refill); the rest are counted and summarized. */
  nodeLogLinesPerSec: number;
  /** Log lines a node may write in a burst (token bucket size). */
  nodeLogBurst: number;
}

export interface EngineLimits extends YamlLimits, GraphLimits, NodeLimits {}

export const DEFAULT_GRAPH_LIMITS: Readonly<GraphLimits> = Object.freeze({
  maxNodes: 1000,
  maxConnections: 4000,
  maxGraphDepth: 256,
});

export const DEFAULT_NODE_LIMITS: Readonly<NodeLimits> = Object.freeze({
  maxPacketBytes: 1024 * 1024,
  maxCallOutputBytes: 4 * 1024 * 1024,
  nodeLogLinesPerSec: 20,
  nodeLogBurst: 100,
});

export const DEFAULT_ENGINE_LIMITS: Readonly<EngineLimits> = Object.freeze({
  ...DEFAULT_YAML_LIMITS,
  ...DEFAULT_GRAPH_LIMITS,
  ...DEFAULT_NODE_LIMITS,
});

/** The `[engine.limits]` key of each limit (named in refusals). */
export const ENGINE_LIMIT_KEYS: Readonly<Record<keyof EngineLimits, string>> = Object.freeze({
  ...YAML_LIMIT_KEYS,
  maxNodes: 'max_nodes',
  maxConnections: 'max_connections',
  maxGraphDepth: 'max_graph_depth',
  maxPacketBytes: 'max_packet_bytes',
  maxCallOutputBytes: 'max_call_output_bytes',
  nodeLogLinesPerSec: 'node_log_lines_per_sec',
  nodeLogBurst: 'node_log_burst',
});

/** The defaults with `overrides` applied (undefined entries keep the default). */
export function resolveEngineLimits(overrides: Partial<EngineLimits> = {}): EngineLimits {
  const out: EngineLimits = { ...DEFAULT_ENGINE_LIMITS };
  for (const key of Object.keys(out) as (keyof EngineLimits)[]) {
    const v = overrides[key];
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[key] = v;
  }
  return out;
}

/** `... ; the limit is N ([engine.limits] key)`: the tail of every refusal by a limit. */
export function limitText(limits: Partial<EngineLimits>, key: keyof EngineLimits): string {
  return `the limit is ${limits[key] ?? DEFAULT_ENGINE_LIMITS[key]} ([engine.limits] ${ENGINE_LIMIT_KEYS[key]})`;
}

/**
 * True when `value` (params from JSON: REST, GraphQL, the control WebSocket) nests arrays or objects deeper than
 * `max` levels. Walked with an explicit stack: a hostile 500,000-level value is measured, not recursed into
 * (structured clone to a worker and `JSON.stringify` overflow the stack on it).
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
