// How node kinds are shown: which kinds a mode offers, and a kind split into its short name and
// namespace (`containers::ogg::demuxer` -> `demuxer` in `containers::ogg`), so no part of it is cut.
import type { NodeDefinition, PipelineMode } from '../api/types';

export function availableInMode(def: NodeDefinition, mode: PipelineMode): boolean {
  if (mode === 'oneshot') return !def.categories.includes('dynamic');
  return !def.categories.includes('oneshot');
}

export function splitKind(kind: string): { name: string; namespace: string } {
  const i = kind.lastIndexOf('::');
  return i < 0 ? { name: kind, namespace: '' } : { name: kind.slice(i + 2), namespace: kind.slice(0, i) };
}
