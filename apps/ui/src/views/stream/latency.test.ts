import { describe, expect, it } from 'vitest';
import { formatLatency, LatencyEstimator } from './latency';

function estimatorWith(values: number[], options = {}): LatencyEstimator {
  const e = new LatencyEstimator(options);
  for (const v of values) e.add(v);
  return e;
}

describe('LatencyEstimator', () => {
  it('says measuring until it has enough measurements', () => {
    const e = estimatorWith([140, 150]);
    expect(e.reading()).toEqual({ state: 'measuring', n: 2, needed: 5 });
    expect(formatLatency(e.reading())).toBe('measuring… (2 of 5 measurements; speak to measure)');
  });

  it('holds steady through a wild measurement: the 1640 ms outlier is rejected, not averaged in', () => {
    const e = estimatorWith([140, 80, 1640, 140, 160, 120, 140, 150]);
    const r = e.reading();
    expect(r).toMatchObject({ state: 'ready', ms: 140, n: 7, rejected: 1 });
    if (r.state !== 'ready') throw new Error('unreachable');
    expect(r.spreadMs).toBeGreaterThanOrEqual(10);
    expect(r.spreadMs).toBeLessThan(40);
  });

  it('formats value, spread and count', () => {
    const e = estimatorWith([100, 120, 140, 160, 180]);
    expect(formatLatency(e.reading())).toBe('≈ 140 ms ± 30 ms (n=5)');
  });

  it('claims no spread finer than half its resolution', () => {
    const r = estimatorWith([200, 200, 200, 200, 200]).reading();
    expect(r).toEqual({ state: 'ready', ms: 200, spreadMs: 10, n: 5, rejected: 0 });
  });

  it('follows a real change once it is the majority of the window', () => {
    const e = estimatorWith(Array(12).fill(100));
    for (let i = 0; i < 5; i++) e.add(400);
    expect(e.reading()).toMatchObject({ ms: 100 });
    for (let i = 0; i < 3; i++) e.add(400);
    expect(e.reading()).toMatchObject({ ms: 400 });
  });

  it('keeps measuring when too few measurements survive the outlier cut', () => {
    const e = estimatorWith([100, 100, 100, 100, 100, 5000, 6000], { minSamples: 6 });
    expect(e.reading()).toEqual({ state: 'measuring', n: 5, needed: 6 });
  });

  it('ignores values that are not a delay', () => {
    const e = estimatorWith([Number.NaN, -5, Number.POSITIVE_INFINITY, 100]);
    expect(e.reading()).toEqual({ state: 'measuring', n: 1, needed: 5 });
  });
});
