import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyGain, dbToLinear } from './gain';
import { peak, rms, toDbfs } from './meter';
import { mixInto, remapChannels } from './mix';
import { f32ToS16, s16ToF32 } from './pcm';
import { FrameRechunker } from './rechunker';

test('f32 <-> s16 rounds, clips and round-trips every s16 value', () => {
  const src = new Float32Array([0, 0.5, -0.5, 1, -1, 1.5, -1.5, 1 / 32768, 0.49999 / 32768]);
  const dst = new Int16Array(src.length);
  f32ToS16(src, 0, dst, 0, src.length);
  assert.deepEqual([...dst], [0, 16384, -16384, 32767, -32768, 32767, -32768, 1, 0]);
  const all = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) all[i] = i - 32768;
  const back = new Int16Array(65536);
  f32ToS16(s16ToF32(all), 0, back, 0, 65536);
  assert.deepEqual(back, all);
});

test('gain scales without clipping; 0 mutes; 1 copies', () => {
  const src = new Float32Array([0.5, -0.25, 1]);
  const out = new Float32Array(3);
  applyGain(src, out, 4);
  assert.deepEqual([...out], [2, -1, 4]);
  applyGain(src, out, 0);
  assert.deepEqual([...out], [0, -0, 0]);
  applyGain(src, out, 1);
  assert.deepEqual([...out], [0.5, -0.25, 1]);
  assert.ok(Math.abs(dbToLinear(6.0206) - 2) < 1e-4);
});

test('mixInto sums and maps channels (mono->stereo duplicates, stereo->mono averages, cyclic otherwise)', () => {
  const stereo = new Float32Array([0.5, 0.5, 0.5, 0.5]);
  mixInto(stereo, 2, new Float32Array([0.3, 0.3]), 1, 2);
  assert.deepEqual(
    [...stereo].map((v) => +v.toFixed(6)),
    [0.8, 0.8, 0.8, 0.8],
  );
  const mono = new Float32Array(2);
  mixInto(mono, 1, new Float32Array([0.2, 0.4, -1, 1]), 2, 2);
  assert.deepEqual(
    [...mono].map((v) => +v.toFixed(6)),
    [0.3, 0],
  );
  const quad = new Float32Array(4);
  mixInto(quad, 4, new Float32Array([1, 2]), 2, 1);
  assert.deepEqual([...quad], [1, 2, 1, 2]);
  assert.deepEqual([...remapChannels(new Float32Array([0.25]), 1, 2)], [0.25, 0.25]);
});

test('meters: rms and peak', () => {
  assert.equal(rms(new Float32Array([0.5, -0.5, 0.5, -0.5])), 0.5);
  assert.equal(rms(new Float32Array(0)), 0);
  assert.ok(Math.abs(peak(new Float32Array([0.1, -0.8, 0.3, -0.2])) - 0.8) < 1e-7);
  assert.equal(toDbfs(0), -120);
  assert.ok(Math.abs(toDbfs(0.5) + 6.0206) < 1e-3);
});

test('rechunker: arbitrary writes become exact frames, remainder flushes short', () => {
  const rc = new FrameRechunker(2, 4);
  const frames: Float32Array[] = [];
  const input = Float32Array.from({ length: 22 }, (_, i) => i);
  for (const size of [3, 7, 1, 11]) {
    const start = frames.reduce((n, f) => n + f.length, 0) + rc.buffered;
    const part = input.subarray(start, start + size);
    let off = 0;
    while (off < part.length) {
      off += rc.write(part, off);
      if (rc.full) frames.push(rc.take());
    }
  }
  const rest = rc.flush();
  assert.deepEqual(
    frames.map((f) => f.length),
    [8, 8],
  );
  assert.equal(rest?.length, 6);
  assert.deepEqual([...frames[0], ...frames[1], ...rest!], [...input]);
  assert.equal(rc.flush(), undefined);
});
