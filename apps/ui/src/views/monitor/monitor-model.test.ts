import { describe, expect, it } from 'vitest';
import type { NodeDefinition } from '../../api/types';
import { formatDuration, timeTicks, valueTicks } from './chart-scale';
import { liveGraph, splitByTunable, tuneUpdate } from './live-model';
import { INITIAL_LIVE_SESSION, reduceLiveSession, type LiveSession } from './use-live-session';

describe('chart scales', () => {
  it('value ticks start at 0, step by 1/2/5 x 10^n and reach the maximum', () => {
    expect(valueTicks(0)).toEqual([0, 0.5, 1]);
    expect(valueTicks(228)).toEqual([0, 100, 200, 300]);
    expect(valueTicks(800)).toEqual([0, 200, 400, 600, 800]);
    expect(valueTicks(1234)).toEqual([0, 500, 1000, 1500]);
  });

  it('time ticks count seconds back from now at a step fitting the span', () => {
    expect(timeTicks(30)).toEqual([0, 15, 30]);
    expect(timeTicks(120)).toEqual([0, 30, 60, 90, 120]);
    expect(timeTicks(300)).toEqual([0, 60, 120, 180, 240, 300]);
  });

  it('durations are precise while short and coarse when long', () => {
    expect(formatDuration(-3)).toBe('0s');
    expect(formatDuration(42.9)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(2 * 3600 + 3 * 60 + 9)).toBe('2h 03m');
    expect(formatDuration(4 * 86400 + 2 * 3600)).toBe('4d 02h');
  });
});

const gainDef = {
  kind: 'audio::gain',
  param_schema: {
    type: 'object',
    properties: {
      gain: { type: 'number', minimum: 0, maximum: 4, default: 1, tunable: true },
      mode: { type: 'string', enum: ['linear', 'db'] },
      limiter: { type: 'object', tunable: true, properties: { ceiling: { type: 'number' } } },
    },
    required: ['mode'],
  },
} as unknown as NodeDefinition;

describe('live model', () => {
  it('splits a schema into the fields a running node accepts and the fixed rest', () => {
    const { tunable, fixed } = splitByTunable(gainDef.param_schema);
    expect(Object.keys(tunable.properties ?? {})).toEqual(['gain', 'limiter']);
    expect(tunable.required).toEqual([]);
    expect(Object.keys(fixed.properties ?? {})).toEqual(['mode']);
    expect(fixed.required).toEqual(['mode']);
  });

  it('turns a form edit into a one-key tune, a reset into the default, a nested edit into its parent', () => {
    const params = { gain: 2, limiter: { ceiling: 0.9 } };
    expect(tuneUpdate(params, gainDef, ['gain'], 3)).toEqual({ key: 'gain', value: 3 });
    expect(tuneUpdate(params, gainDef, ['gain'], undefined)).toEqual({ key: 'gain', value: 1 });
    expect(tuneUpdate(params, gainDef, ['limiter', 'ceiling'], 0.5)).toEqual({
      key: 'limiter',
      value: { ceiling: 0.5 },
    });
    // No default to go back to: tune_node merges, so there is nothing to send.
    expect(tuneUpdate(params, gainDef, ['limiter', 'ceiling'], undefined)).toBeNull();
  });

  it('maps live connections onto the editor graph', () => {
    const g = liveGraph(
      'x',
      [{ id: 'a', kind: 'k', params: {} }],
      [{ fromNode: 'a', fromPin: 'out', toNode: 'b', toPin: 'in', mode: 'BEST_EFFORT' }],
    );
    expect(g.edges).toEqual([
      { id: 'a.out->b.in', source: 'a', sourcePin: 'out', target: 'b', targetPin: 'in', mode: 'best_effort' },
    ]);
  });
});

describe('flowing edges', () => {
  const stats = (sent: number) => ({ sent, received: 0, discarded: 0, errored: 0, durationSecs: 1 });
  const feed = (samples: [number, number][]): LiveSession =>
    samples.reduce(
      (s, [at, sent]) => reduceLiveSession(s, { t: 'stats', nodeId: 'n', stats: stats(sent), at }),
      INITIAL_LIVE_SESSION,
    );

  it('a node flows once its sent count grows, and stops after the hold without growth', () => {
    expect(feed([[0, 10]]).rates.n.flowing).toBe(false);
    expect(
      feed([
        [0, 10],
        [1000, 60],
      ]).rates.n.flowing,
    ).toBe(true);
    // A burst sender: one flat sample keeps it flowing, a long pause does not.
    expect(
      feed([
        [0, 10],
        [1000, 60],
        [2000, 60],
      ]).rates.n.flowing,
    ).toBe(true);
    expect(
      feed([
        [0, 10],
        [1000, 60],
        [2000, 60],
        [3000, 60],
        [4000, 60],
      ]).rates.n.flowing,
    ).toBe(false);
  });
});
