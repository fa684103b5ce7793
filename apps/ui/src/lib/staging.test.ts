import { describe, expect, it } from 'vitest';
import type { LiveConnection } from '../api/sessions';
import { changedParams, countChanges, diffToBatch, type StagedPipeline } from './staging';

const c = (fromNode: string, toNode: string, mode: LiveConnection['mode'] = 'RELIABLE'): LiveConnection => ({
  fromNode,
  fromPin: 'out',
  toNode,
  toPin: 'in',
  mode,
});

const live: StagedPipeline = {
  nodes: [
    { id: 'src', kind: 'core::file_reader', params: { path: 'a.ogg' } },
    { id: 'gain', kind: 'audio::gain', params: { gain: 1 } },
    { id: 'sink', kind: 'core::sink', params: {} },
  ],
  connections: [c('src', 'gain'), c('gain', 'sink')],
};

const clone = (p: StagedPipeline): StagedPipeline => JSON.parse(JSON.stringify(p)) as StagedPipeline;

describe('diffToBatch', () => {
  it('is empty when nothing changed', () => {
    expect(diffToBatch(live, clone(live))).toEqual([]);
  });

  it('tunes only the keys that changed', () => {
    const s = clone(live);
    s.nodes[1].params = { gain: 2 };
    expect(diffToBatch(live, s)).toEqual([{ action: 'TUNE_NODE', nodeId: 'gain', params: { gain: 2 } }]);
    expect(changedParams({ a: 1, b: { x: 1 } }, { a: 1, b: { x: 2 } })).toEqual({ b: { x: 2 } });
  });

  it('inserts a node between two others: disconnect, add, connect twice, in that order', () => {
    const s = clone(live);
    s.nodes.push({ id: 'g2', kind: 'audio::gain', params: { gain: 0.5 } });
    s.connections = [c('src', 'gain'), c('gain', 'g2'), c('g2', 'sink')];
    expect(diffToBatch(live, s)).toEqual([
      { action: 'DISCONNECT', connection: { fromNode: 'gain', fromPin: 'out', toNode: 'sink', toPin: 'in' } },
      { action: 'ADD_NODE', nodeId: 'g2', kind: 'audio::gain', params: { gain: 0.5 } },
      {
        action: 'CONNECT',
        connection: { fromNode: 'gain', fromPin: 'out', toNode: 'g2', toPin: 'in', mode: 'RELIABLE' },
      },
      {
        action: 'CONNECT',
        connection: { fromNode: 'g2', fromPin: 'out', toNode: 'sink', toPin: 'in', mode: 'RELIABLE' },
      },
    ]);
  });

  it('removes a node after disconnecting its edges', () => {
    const s = clone(live);
    s.nodes = s.nodes.filter((n) => n.id !== 'gain');
    s.connections = [c('src', 'sink')];
    const ops = diffToBatch(live, s);
    expect(ops.map((o) => o.action)).toEqual(['DISCONNECT', 'DISCONNECT', 'REMOVE_NODE', 'CONNECT']);
    expect(countChanges(ops)).toEqual({ added: 1, removed: 3, modified: 0 });
  });

  it('replaces a node whose kind changed and rewires it', () => {
    const s = clone(live);
    s.nodes[1] = { id: 'gain', kind: 'audio::mixer', params: {} };
    const ops = diffToBatch(live, s).map((o) => `${o.action}:${o.nodeId ?? o.connection?.toNode}`);
    expect(ops).toEqual([
      'DISCONNECT:gain',
      'DISCONNECT:sink',
      'REMOVE_NODE:gain',
      'ADD_NODE:gain',
      'CONNECT:gain',
      'CONNECT:sink',
    ]);
  });

  it('re-creates a connection whose mode changed', () => {
    const s = clone(live);
    s.connections[1] = c('gain', 'sink', 'BEST_EFFORT');
    expect(diffToBatch(live, s).map((o) => o.action)).toEqual(['DISCONNECT', 'CONNECT']);
  });
});
