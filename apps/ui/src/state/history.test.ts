import { describe, expect, it } from 'vitest';
import type { PipelineGraph } from '../lib/graph';
import { setParam } from '../lib/graph-ops';
import { designReducer, initialDesignState, type DesignState } from './design';
import { COALESCE_MS, emptyHistory, GESTURE_PREFIX, HISTORY_LIMIT, record } from './history';

const gainGraph: PipelineGraph = {
  mode: 'oneshot',
  nodes: [{ id: 'gain', kind: 'audio::gain', params: { gain: 1 }, position: { x: 0, y: 0 } }],
  edges: [],
};

const withGain = () => designReducer(initialDesignState(null), { type: 'graph', graph: gainGraph });
const gainOf = (s: DesignState) => s.graphs.oneshot.nodes[0]?.params.gain;

describe('design history', () => {
  it('undoes and redoes canvas edits, restoring the YAML with them', () => {
    let s = withGain();
    s = designReducer(s, { type: 'graph', graph: setParam(s.graphs.oneshot, 'gain', ['gain'], 3) });
    expect(s.yaml.oneshot).toContain('gain: 3');
    s = designReducer(s, { type: 'undo' });
    expect(gainOf(s)).toBe(1);
    expect(s.yaml.oneshot).toContain('gain: 1');
    s = designReducer(s, { type: 'undo' });
    expect(s.graphs.oneshot.nodes).toEqual([]);
    expect(designReducer(s, { type: 'undo' })).toBe(s);
    s = designReducer(designReducer(s, { type: 'redo' }), { type: 'redo' });
    expect(gainOf(s)).toBe(3);
  });

  it('makes a burst of param edits with one key a single step, and a new edit clears redo', () => {
    let s = withGain();
    for (const v of [2, 2.5, 2.55])
      s = designReducer(s, {
        type: 'graph',
        graph: setParam(s.graphs.oneshot, 'gain', ['gain'], v),
        coalesce: 'param:gain:gain',
      });
    s = designReducer(s, { type: 'undo' });
    expect(gainOf(s)).toBe(1);
    s = designReducer(s, { type: 'graph', graph: setParam(s.graphs.oneshot, 'gain', ['gain'], 9) });
    expect(s.history.future).toEqual([]);
  });

  it('undoes a YAML typing burst as one step, with the text as it was', () => {
    let s = withGain();
    const before = s.yaml.oneshot;
    s = designReducer(s, { type: 'yamlText', text: before + '#' });
    s = designReducer(s, { type: 'yamlText', text: before + '# x' });
    s = designReducer(s, {
      type: 'yamlParsed',
      graph: { ...gainGraph, nodes: [{ ...gainGraph.nodes[0], params: { gain: 4 } }] },
      problems: [],
    });
    expect(gainOf(s)).toBe(4);
    s = designReducer(s, { type: 'undo' });
    expect(s.yaml.oneshot).toBe(before);
    expect(gainOf(s)).toBe(1);
  });

  it('does not record selection, mode switches or fits', () => {
    let s = withGain();
    const n = s.history.past.length;
    s = designReducer(s, { type: 'select', ids: ['gain'] });
    s = designReducer(s, { type: 'setMode', mode: 'dynamic' });
    s = designReducer(s, { type: 'fit' });
    expect(s.history.past).toHaveLength(n);
  });

  it('coalesces only within the time window, except for a named gesture', () => {
    const snap = initialDesignState(null);
    let h = record(emptyHistory(), snap, 'k', 0);
    h = record(h, snap, 'k', COALESCE_MS / 2);
    expect(h.past).toHaveLength(1);
    h = record(h, snap, 'k', COALESCE_MS * 3);
    expect(h.past).toHaveLength(2);
    const g = `${GESTURE_PREFIX}drag1`;
    h = record(h, snap, g, 0);
    h = record(h, snap, g, COALESCE_MS * 10);
    expect(h.past).toHaveLength(3);
  });

  it('keeps at most HISTORY_LIMIT entries', () => {
    const snap = initialDesignState(null);
    let h = emptyHistory();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) h = record(h, snap, undefined, i);
    expect(h.past).toHaveLength(HISTORY_LIMIT);
  });
});
