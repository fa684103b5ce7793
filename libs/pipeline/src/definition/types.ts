// Pipeline specs (the declarative graph) and validation problems, as plain JSON-serializable values.
// Browser-safe: the web UI imports everything under spec/ through a Vite alias, so no `node:` imports here.
import type { ExecutionMode } from '../core/node';
import type { PinSet } from '../core/pin-types';

export type ConnectionMode = 'reliable' | 'best_effort';

export interface NodeSpec {
  kind: string;
  /** A JSON object, or null/absent for "no params" (defaults apply). */
  params?: unknown;
}

export interface ConnectionSpec {
  from_node: string;
  from_pin: string;
  to_node: string;
  to_pin: string;
  /** Absent means `reliable` (StreamKit's serialization). */
  mode?: ConnectionMode;
}

export interface PipelineSpec {
  name?: string;
  description?: string;
  mode: ExecutionMode;
  /** Insertion-ordered map, node id -> node. */
  nodes: Record<string, NodeSpec>;
  connections: ConnectionSpec[];
}

/** One problem found in a pipeline; every field that locates it is filled. */
export interface ValidationProblem {
  nodeId?: string;
  pin?: string;
  /** JSON pointer into the node's params (`/gain`) or into the YAML document (`/nodes/a/needs`). */
  path?: string;
  message: string;
}

/** Thrown by the parser and the compiler; carries every problem, not just the first. */
export class PipelineValidationError extends Error {
  readonly code = 'invalid';
  constructor(readonly problems: ValidationProblem[]) {
    super(
      problems.length === 1
        ? problems[0].message
        : `${problems.length} problems: ${problems.map((p) => p.message).join('; ')}`,
    );
    this.name = 'PipelineValidationError';
  }
}

/** What the compiler needs to know about a node kind (the registry implements it; the UI can too). */
export interface KindInfo {
  kind: string;
  bidirectional: boolean;
  oneshotOnly: boolean;
  /** Validate params against the kind's schema, defaults applied; problems carry param paths (`/gain`). */
  checkParams(
    params: unknown,
    services?: Record<string, unknown>,
  ): {
    params: Record<string, unknown>;
    problems: { path: string; message: string }[];
    /** Unknown params that were ignored (absent when the catalog has none to report). */
    warnings?: { path: string; message: string }[];
  };
  pins(params: Record<string, unknown>): PinSet;
}

export interface KindCatalog {
  describe(kind: string): KindInfo | undefined;
}

export function connectionLabel(c: ConnectionSpec): string {
  return `${c.from_node}.${c.from_pin} -> ${c.to_node}.${c.to_pin}`;
}

/**
 * A record keyed by node ids, with no prototype: ids such as `toString`, `constructor` or `__proto__` are
 * plain own keys (on an ordinary object they would read inherited members, or set the prototype).
 */
export function nodeRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [id, value] of entries) out[id] = value;
  return out;
}

/** A string naming a connection's four ends, for maps and sets of connections. */
export function connectionKey(c: ConnectionSpec): string {
  return `${c.from_node}\u0000${c.from_pin}\u0000${c.to_node}\u0000${c.to_pin}`;
}

export function sameConnection(a: ConnectionSpec, b: ConnectionSpec): boolean {
  return (
    a.from_node === b.from_node &&
    a.from_pin === b.from_pin &&
    a.to_node === b.to_node &&
    a.to_pin === b.to_pin
  );
}
