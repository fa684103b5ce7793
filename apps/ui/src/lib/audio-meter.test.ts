import { describe, expect, it } from 'vitest';
import { EnvelopeCorrelator, envelopeSince, FLOOR_DB, measureLevel, meterFraction } from './audio-meter';

/** A speech-like envelope: bursts of varying loudness separated by pauses, deterministic. */
function envelope(t: number): number {
  const syllable = Math.floor(t / 180);
  const pause = (syllable * 7919) % 5 === 0;
  return pause ? -70 : -40 + ((syllable * 104729) % 30);
}

describe('measureLevel', () => {
  it('reads a full-scale square wave as 0 dBFS and silence as the floor', () => {
    expect(measureLevel([1, -1, 1, -1])).toEqual({ rmsDb: 0, peakDb: 0 });
    expect(measureLevel(new Float32Array(128))).toEqual({ rmsDb: FLOOR_DB, peakDb: FLOOR_DB });
  });

  it('reads a half-scale sine at about -9 dBFS RMS and -6 dBFS peak', () => {
    const block = Float32Array.from(
      { length: 4800 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000),
    );
    const level = measureLevel(block);
    expect(level.rmsDb).toBeCloseTo(-9.03, 1);
    expect(level.peakDb).toBeCloseTo(-6.02, 1);
  });

  it('maps levels onto the meter range', () => {
    expect(meterFraction(-60)).toBe(0);
    expect(meterFraction(-30)).toBe(0.5);
    expect(meterFraction(3)).toBe(1);
  });
});

describe('EnvelopeCorrelator', () => {
  function run(delayMs: number, jitterMs = 0, durationMs = 7000) {
    const c = new EnvelopeCorrelator();
    let seed = 1;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 2 * jitterMs;
    for (let t = 1000; t < 1000 + durationMs; t += 10) {
      c.push('in', t + rand(), envelope(t));
      if (t - 1000 >= delayMs) c.push('out', t + rand(), envelope(t - delayMs) - 6);
    }
    return c.estimate();
  }

  it('finds the delay of a copy of the input envelope', () => {
    const found = run(240);
    expect(found?.lagMs).toBeGreaterThanOrEqual(220);
    expect(found?.lagMs).toBeLessThanOrEqual(260);
    expect(found?.score).toBeGreaterThan(0.9);
  });

  it('tolerates irregular sampling times', () => {
    const found = run(500, 4);
    expect(found?.lagMs).toBeGreaterThanOrEqual(460);
    expect(found?.lagMs).toBeLessThanOrEqual(540);
  });

  it('reports nothing for a steady input or an unrelated output', () => {
    const steady = new EnvelopeCorrelator();
    for (let t = 0; t < 7000; t += 10) {
      steady.push('in', t, -20);
      steady.push('out', t, -20);
    }
    expect(steady.estimate()).toBeUndefined();

    const unrelated = new EnvelopeCorrelator();
    for (let t = 0; t < 7000; t += 10) {
      unrelated.push('in', t, envelope(t));
      unrelated.push('out', t, t % 40 < 20 ? -30 : -31);
    }
    expect(unrelated.estimate()).toBeUndefined();
  });

  it('forgets history older than its window', () => {
    const c = new EnvelopeCorrelator({ windowMs: 2000 });
    for (let t = 0; t < 3000; t += 10) {
      c.push('in', t, envelope(t));
      c.push('out', t, envelope(t - 100));
    }
    // Then the output stops: the old aligned history ages out and no estimate is left.
    for (let t = 3000; t < 8000; t += 10) c.push('in', t, envelope(t));
    expect(c.estimate()).toBeUndefined();
  });
});

describe('EnvelopeCorrelator with little history', () => {
  it('waits for two seconds of aligned audio before it reports', () => {
    const c = new EnvelopeCorrelator();
    for (let t = 0; t < 1500; t += 10) {
      c.push('in', t, envelope(t));
      if (t >= 200) c.push('out', t, envelope(t - 200));
    }
    expect(c.estimate()).toBeUndefined();
    for (let t = 1500; t < 4000; t += 10) {
      c.push('in', t, envelope(t));
      c.push('out', t, envelope(t - 200));
    }
    expect(c.estimate()?.lagMs).toBe(200);
  });
});

describe('envelopeSince (the Stream view reads its analysers with it)', () => {
  const RATE = 48000;
  /** Noise shaped by the speech-like envelope, `delayMs` late, as an analyser would hold it. */
  function audio(durationMs: number, delayMs: number): Float32Array {
    const out = new Float32Array((RATE * durationMs) / 1000);
    let seed = 7;
    for (let i = 0; i < out.length; i++) {
      const t = (i / RATE) * 1000 - delayMs;
      seed = (seed * 48271) % 2147483647;
      const noise = (seed / 2147483647 - 0.5) * 2;
      out[i] = t < 0 ? 0 : noise * 10 ** (envelope(t) / 20);
    }
    return out;
  }

  it('gives one level per step back over the time since the last reading, newest first', () => {
    const block = new Float32Array(16384).fill(0.5);
    block.fill(0, 0, 16384 - 4800); // only the newest 100 ms are loud
    const got: [number, number][] = [];
    envelopeSince(block, RATE, 5000, 250, 10, (at, db) => got.push([at, db]));
    expect(got).toHaveLength(26); // 250 ms since the last reading, plus one step
    expect(got[0][0]).toBe(5000);
    expect(got[25][0]).toBe(4750);
    expect(got.slice(0, 10).every(([, db]) => Math.abs(db + 6.02) < 0.1)).toBe(true);
    expect(got.slice(10).every(([, db]) => db === FLOOR_DB)).toBe(true);
    const capped: number[] = [];
    envelopeSince(block, RATE, 5000, 5000, 10, (at) => capped.push(at));
    expect(capped).toHaveLength(34); // never beyond what the buffer holds (16384 samples)
  });

  it('keeps the latency measurable when the page reads only every 250 ms (a busy machine)', () => {
    const input = audio(8000, 0);
    const output = audio(8000, 300);
    const c = new EnvelopeCorrelator();
    const block = new Float32Array(16384);
    let last = 0;
    for (let now = 500; now <= 8000; now += 250) {
      const end = (now / 1000) * RATE;
      for (const [which, signal] of [
        ['in', input],
        ['out', output],
      ] as const) {
        block.set(signal.subarray(end - block.length, end));
        envelopeSince(block, RATE, now, now - last, 10, (at, db) => c.push(which, at, db));
      }
      last = now;
    }
    const found = c.estimate();
    expect(found?.lagMs).toBeGreaterThanOrEqual(280);
    expect(found?.lagMs).toBeLessThanOrEqual(320);
    expect(found?.score).toBeGreaterThan(0.8);
  });
});
