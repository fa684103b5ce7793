// Connections as commands handle them: the spec form of a connect/disconnect command or event, and an index
// of a candidate model's connections so that checking a large batch stays linear.
import { connectionKey, type ConnectionSpec } from '../../definition/types';
import type { ConnectCommand } from '../session-types';

/** The connection of a command or event, `mode` only when it is not the default. */
export function toConnection(c: ConnectCommand | ConnectionSpec): ConnectionSpec {
  const out: ConnectionSpec = {
    from_node: c.from_node,
    from_pin: c.from_pin,
    to_node: c.to_node,
    to_pin: c.to_pin,
  };
  if (c.mode === 'best_effort') out.mode = 'best_effort';
  return out;
}

/** A candidate spec's connections indexed by key and by node, so a batch of edits stays linear. */
export class ConnectionIndex {
  private readonly byKey = new Map<string, ConnectionSpec>();
  private readonly byNode = new Map<string, Set<string>>();

  constructor(list: readonly ConnectionSpec[]) {
    for (const c of list) this.add(c);
  }

  get size(): number {
    return this.byKey.size;
  }

  has(c: ConnectionSpec): boolean {
    return this.byKey.has(connectionKey(c));
  }

  add(c: ConnectionSpec): void {
    const key = connectionKey(c);
    this.byKey.set(key, c);
    for (const id of [c.from_node, c.to_node]) {
      const keys = this.byNode.get(id);
      if (keys) keys.add(key);
      else this.byNode.set(id, new Set([key]));
    }
  }

  delete(c: ConnectionSpec): boolean {
    const key = connectionKey(c);
    if (!this.byKey.delete(key)) return false;
    this.byNode.get(c.from_node)?.delete(key);
    this.byNode.get(c.to_node)?.delete(key);
    return true;
  }

  /** Drops every connection touching `id`. */
  dropNode(id: string): void {
    for (const key of this.byNode.get(id) ?? []) {
      const c = this.byKey.get(key);
      if (c) this.delete(c);
    }
    this.byNode.delete(id);
  }

  list(): ConnectionSpec[] {
    return [...this.byKey.values()];
  }
}
