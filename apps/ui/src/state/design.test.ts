import { describe, expect, it } from 'vitest';
import type { PipelineGraph } from '../lib/graph';
import { setParam } from '../lib/graph-ops';
import { DRAFT_KEY, designReducer, initialDesignState } from './design';

const gainGraph: PipelineGraph = {
  mode: 'oneshot',
  nodes: [{ id: 'gain', kind: 'audio::gain', params: { gain: 1 }, position: { x: 0, y: 0 } }],
  edges: [],
};

describe('designReducer', () => {
  it('regenerates the YAML on every canvas edit, including a param change alone', () => {
    let s = designReducer(initialDesignState(null), { type: 'graph', graph: gainGraph });
    expect(s.yaml.oneshot).toContain('gain: 1');
    s = designReducer(s, { type: 'graph', graph: setParam(s.graphs.oneshot, 'gain', ['gain'], 2.5) });
    expect(s.yaml.oneshot).toContain('gain: 2.5');
  });

  it('keeps the typed text when the YAML is parsed into the canvas', () => {
    let s = designReducer(initialDesignState(null), {
      type: 'yamlText',
      text: 'steps:\n  - kind: audio::gain\n',
    });
    s = designReducer(s, {
      type: 'yamlParsed',
      graph: { ...gainGraph, nodes: [{ ...gainGraph.nodes[0], id: 'step_0' }] },
      problems: [],
    });
    expect(s.yaml.oneshot).toBe('steps:\n  - kind: audio::gain\n');
    expect(s.graphs.oneshot.nodes[0].id).toBe('step_0');
  });

  it('moves the text to the other canvas when the YAML changes the mode', () => {
    let s = designReducer(initialDesignState(null), { type: 'yamlText', text: 'mode: dynamic\nnodes: {}\n' });
    s = designReducer(s, {
      type: 'yamlParsed',
      graph: { mode: 'dynamic', nodes: [], edges: [] },
      problems: [],
    });
    expect(s.mode).toBe('dynamic');
    expect(s.yaml.dynamic).toBe('mode: dynamic\nnodes: {}\n');
  });

  it('keeps problems and the old graph when the YAML does not parse', () => {
    let s = designReducer(initialDesignState(null), { type: 'graph', graph: gainGraph });
    s = designReducer(s, {
      type: 'yamlParsed',
      graph: null,
      problems: [{ severity: 'error', message: 'bad' }],
    });
    expect(s.graphs.oneshot.nodes).toHaveLength(1);
    expect(s.yamlProblems[0].message).toBe('bad');
  });

  it('keeps each mode canvas when switching modes, and drops a stale selection', () => {
    let s = designReducer(initialDesignState(null), { type: 'graph', graph: gainGraph });
    s = designReducer(s, { type: 'select', ids: ['gain'] });
    s = designReducer(s, { type: 'setMode', mode: 'dynamic' });
    expect(s.selected).toEqual([]);
    expect(s.graphs.dynamic.nodes).toEqual([]);
    s = designReducer(s, { type: 'setMode', mode: 'oneshot' });
    expect(s.graphs.oneshot.nodes).toHaveLength(1);
  });

  it('restores a saved draft and ignores a corrupt one', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null } as Storage;
    store.set(DRAFT_KEY, JSON.stringify({ mode: 'oneshot', graphs: { oneshot: gainGraph } }));
    const s = initialDesignState(storage);
    expect(s.graphs.oneshot.nodes[0].id).toBe('gain');
    expect(s.yaml.oneshot).toContain('kind: audio::gain');
    store.set(DRAFT_KEY, '{not json');
    expect(initialDesignState(storage).graphs.oneshot.nodes).toEqual([]);
  });
});
