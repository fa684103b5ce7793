// Undo/redo for the Design view: one bounded history of pipeline snapshots (both canvases, their YAML
// text and its problems), shared by canvas and YAML edits. A burst of edits with the same coalescing key
// (one drag, typing into one param, a run of YAML typing) becomes a single entry.
import type { PipelineMode } from '../api/types';
import type { PipelineGraph } from '../lib/graph';
import type { YamlProblem } from '../lib/yaml-graph';

export const HISTORY_LIMIT = 200;
/** Edits with the same key less than this apart (each to the next) are one undo step. */
export const COALESCE_MS = 1000;
/** Keys with this prefix name one gesture (a drag): they coalesce however long the gesture lasts. */
export const GESTURE_PREFIX = 'gesture:';

export interface PipelineSnapshot {
  mode: PipelineMode;
  graphs: Record<PipelineMode, PipelineGraph>;
  yaml: Record<PipelineMode, string>;
  yamlProblems: YamlProblem[];
}

export interface History {
  past: PipelineSnapshot[];
  future: PipelineSnapshot[];
  /** Key and time of the last recorded edit, while later edits may still join its entry. */
  burst: { key: string; at: number } | null;
}

export const emptyHistory = (): History => ({ past: [], future: [], burst: null });

export const snapshotOf = (s: PipelineSnapshot): PipelineSnapshot => ({
  mode: s.mode,
  graphs: s.graphs,
  yaml: s.yaml,
  yamlProblems: s.yamlProblems,
});

/** Whether an edit changed anything a snapshot holds (edits replace objects, so identity suffices). */
export const changedPipeline = (a: PipelineSnapshot, b: PipelineSnapshot): boolean =>
  a.graphs.oneshot !== b.graphs.oneshot ||
  a.graphs.dynamic !== b.graphs.dynamic ||
  a.yaml.oneshot !== b.yaml.oneshot ||
  a.yaml.dynamic !== b.yaml.dynamic;

/**
 * Records `before` (the state an edit started from) unless the edit continues the current burst.
 * `key` undefined never coalesces.
 */
export function record(h: History, before: PipelineSnapshot, key: string | undefined, now: number): History {
  const joins =
    key !== undefined &&
    h.burst?.key === key &&
    (key.startsWith(GESTURE_PREFIX) || now - h.burst.at < COALESCE_MS);
  const burst = key === undefined ? null : { key, at: now };
  if (joins) return { ...h, future: [], burst };
  const past = [...h.past, snapshotOf(before)];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, future: [], burst };
}

/** Steps back: returns the snapshot to show and the new history, or null when there is nothing to undo. */
export function undo(
  h: History,
  current: PipelineSnapshot,
): { history: History; to: PipelineSnapshot } | null {
  const to = h.past.at(-1);
  if (!to) return null;
  return {
    history: { past: h.past.slice(0, -1), future: [...h.future, snapshotOf(current)], burst: null },
    to,
  };
}

export function redo(
  h: History,
  current: PipelineSnapshot,
): { history: History; to: PipelineSnapshot } | null {
  const to = h.future.at(-1);
  if (!to) return null;
  return {
    history: { past: [...h.past, snapshotOf(current)], future: h.future.slice(0, -1), burst: null },
    to,
  };
}
