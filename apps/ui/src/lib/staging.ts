// Staging for live sessions: a local copy of the live pipeline that the user edits, then turns into
// one atomic batch (disconnect, remove, add, tune, connect — in an order the server can apply).
import type { BatchOperation, LiveConnection, LivePipeline } from '../api/sessions';

export interface StagedNode {
  id: string;
  kind: string;
  params: Record<string, unknown>;
}

export interface StagedPipeline {
  nodes: StagedNode[];
  connections: LiveConnection[];
}

export const connectionKey = (c: Pick<LiveConnection, 'fromNode' | 'fromPin' | 'toNode' | 'toPin'>) =>
  `${c.fromNode}.${c.fromPin}->${c.toNode}.${c.toPin}`;

export function stageFrom(live: LivePipeline): StagedPipeline {
  return {
    nodes: live.nodes.map((n) => ({ id: n.id, kind: n.kind, params: { ...n.params } })),
    connections: live.connections.map((c) => ({ ...c })),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The keys of `next` whose values differ from `prev` (a partial update for tune_node). */
export function changedParams(
  prev: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(next)) if (!same(prev[k], v)) out[k] = v;
  return out;
}

/**
 * The batch that turns `live` into `staged`. A node whose kind changed is removed and re-added.
 * Connections touching removed nodes are disconnected first so removal never strands an edge.
 */
export function diffToBatch(live: StagedPipeline, staged: StagedPipeline): BatchOperation[] {
  const liveNodes = new Map(live.nodes.map((n) => [n.id, n]));
  const stagedNodes = new Map(staged.nodes.map((n) => [n.id, n]));
  const replaced = new Set(
    staged.nodes.filter((n) => liveNodes.has(n.id) && liveNodes.get(n.id)?.kind !== n.kind).map((n) => n.id),
  );
  const removed = live.nodes.filter((n) => !stagedNodes.has(n.id) || replaced.has(n.id));
  const gone = new Set(removed.map((n) => n.id));
  const liveConns = new Map(live.connections.map((c) => [connectionKey(c), c]));
  const stagedConns = new Map(staged.connections.map((c) => [connectionKey(c), c]));
  const conn = (c: LiveConnection) => ({
    fromNode: c.fromNode,
    fromPin: c.fromPin,
    toNode: c.toNode,
    toPin: c.toPin,
  });

  const ops: BatchOperation[] = [];
  for (const [key, c] of liveConns) {
    const keep = stagedConns.get(key);
    const touchesGone = gone.has(c.fromNode) || gone.has(c.toNode);
    if (!keep || touchesGone || keep.mode !== c.mode) ops.push({ action: 'DISCONNECT', connection: conn(c) });
  }
  for (const n of removed) ops.push({ action: 'REMOVE_NODE', nodeId: n.id });
  for (const n of staged.nodes) {
    const before = liveNodes.get(n.id);
    if (!before || replaced.has(n.id)) {
      ops.push({ action: 'ADD_NODE', nodeId: n.id, kind: n.kind, params: n.params });
      continue;
    }
    const delta = changedParams(before.params, n.params);
    if (Object.keys(delta).length > 0) ops.push({ action: 'TUNE_NODE', nodeId: n.id, params: delta });
  }
  for (const [key, c] of stagedConns) {
    const before = liveConns.get(key);
    const touchesGone = gone.has(c.fromNode) || gone.has(c.toNode);
    if (!before || touchesGone || before.mode !== c.mode)
      ops.push({ action: 'CONNECT', connection: { ...conn(c), mode: c.mode } });
  }
  return ops;
}

export interface ChangeCount {
  added: number;
  removed: number;
  modified: number;
}

export function countChanges(ops: BatchOperation[]): ChangeCount {
  let added = 0;
  let removed = 0;
  let modified = 0;
  for (const op of ops) {
    if (op.action === 'ADD_NODE' || op.action === 'CONNECT') added++;
    else if (op.action === 'REMOVE_NODE' || op.action === 'DISCONNECT') removed++;
    else modified++;
  }
  return { added, removed, modified };
}
