import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectNodeOutputs } from '../../testing';
import { audioPacerNode } from './pacer';
import { constFrame } from '../../testing/audio';

test('releases 20 ms frames in real time (x speed) and stops after the input drained', async () => {
  const frames = Array.from({ length: 10 }, (_, i) => ({ ...constFrame(0.1), meta: { sequence: i } }));
  let t0 = performance.now();
  const real = await collectNodeOutputs(audioPacerNode, {}, frames);
  const realMs = performance.now() - t0;
  assert.equal(real.packets.length, 10, 'no silence is added while frames are queued');
  assert.deepEqual(
    real.packets.map((p) => p.meta?.sequence),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.ok(realMs >= 175, `10 frames took ${realMs.toFixed(0)} ms`);
  t0 = performance.now();
  const fast = await collectNodeOutputs(audioPacerNode, { speed: 4 }, frames);
  const fastMs = performance.now() - t0;
  assert.equal(fast.packets.length, 10);
  assert.ok(
    fastMs >= 40 && realMs - fastMs >= 90,
    `speed 4 took ${fastMs.toFixed(0)} ms, speed 1 ${realMs.toFixed(0)} ms`,
  );
});

test('initial format: silence before any audio, at the tick rate', async () => {
  // No packets and no end: in a dynamic session the input stays open until the node is cancelled.
  const r = await collectNodeOutputs(
    audioPacerNode,
    { initial_sample_rate: 16000, initial_channels: 1 },
    {},
    {
      mode: 'dynamic',
      timeoutMs: 2000,
      onStart: ({ cancel }) => setTimeout(cancel, 110),
    },
  );
  assert.ok(r.packets.length >= 4 && r.packets.length <= 8, `${r.packets.length} silence frames in 110 ms`);
  assert.ok(
    r.packets.every((p) => p.kind === 'audio' && p.samples.length === 320 && p.samples.every((v) => v === 0)),
  );
});

test('params: speed must be > 0; initial format needs both fields', async () => {
  await assert.rejects(collectNodeOutputs(audioPacerNode, { speed: 0 }, []), /speed/);
  await assert.rejects(collectNodeOutputs(audioPacerNode, { initial_sample_rate: 48000 }, []), /initial/);
});
