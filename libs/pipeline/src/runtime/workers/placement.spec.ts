// Placement by measured load: utilisation first, graph counts between workers within noise of each other,
// and work placed since the last sample counted at the measured cost per graph.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costPerGraph, pickWorker, type WorkerLoad } from './placement';

const load = (index: number, elu: number, graphs: number, extra: Partial<WorkerLoad> = {}): WorkerLoad => ({
  index,
  elu,
  graphs,
  placedSinceSample: 0,
  available: true,
  ...extra,
});

describe('pickWorker', () => {
  it('spreads light sessions evenly: counts decide between loads within noise', () => {
    assert.equal(pickWorker([load(0, 0.02, 1), load(1, 0.09, 0)]), 1);
    assert.equal(pickWorker([load(0, 0.12, 3), load(1, 0.05, 3)]), 1, 'equal counts: the lower load');
  });

  it('steers new work away from a worker a heavy graph keeps busy, whatever the counts', () => {
    assert.equal(pickWorker([load(0, 0.7, 1), load(1, 0.2, 12)]), 1);
    assert.equal(pickWorker([load(0, 0.3, 12), load(1, 0.75, 1), load(2, 0.9, 0)]), 0);
  });

  it('counts what was placed since the last sample at the measured cost per graph', () => {
    // 60 measured graphs at 0.6 in all: 0.01 each (the 20 just placed are not in the measurement yet).
    const loads = [load(0, 0.2, 40, { placedSinceSample: 20 }), load(1, 0.4, 40)];
    assert.ok(Math.abs(costPerGraph(loads) - 0.01) < 1e-9);
    // Worker 0 measured 0.2 but 20 graphs went there since: 0.2 + 20 x 0.015 = 0.5 against 0.25.
    assert.equal(pickWorker([load(0, 0.2, 30, { placedSinceSample: 20 }), load(1, 0.25, 20)]), 1);
  });

  it('skips workers being replaced, and says so when none is left', () => {
    assert.equal(pickWorker([load(0, 0, 0, { available: false }), load(1, 0.9, 50)]), 1);
    assert.equal(pickWorker([load(0, 0, 0, { available: false })]), undefined);
  });
});
