import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudioPacket } from '../../core/packets';
import { collectNodeOutputs } from '../../testing';
import { mixerNode } from './mixer';
import { concatAudio, constFrame } from '../../testing/audio';

const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;

test('sums inputs sample by sample: 0.5 + 0.3, three inputs, negative values', async () => {
  const two = await collectNodeOutputs(
    mixerNode,
    { num_inputs: 2 },
    { in_0: [constFrame(0.5)], in_1: [constFrame(0.3)] },
  );
  assert.equal(two.packets.length, 1);
  assert.ok((two.packets[0] as AudioPacket).samples.every((v) => near(v, 0.8)));
  const three = await collectNodeOutputs(
    mixerNode,
    { num_inputs: 3 },
    { in_0: [constFrame(0.1)], in_1: [constFrame(0.2)], in_2: [constFrame(-0.3)] },
  );
  assert.ok((three.packets[0] as AudioPacket).samples.every((v) => near(v, 0)));
  assert.deepEqual(three.states.at(-1), { Stopped: { reason: 'all_inputs_closed' } });
});

test('pins: in_0..in_{N-1} plus a dynamic `in` family', () => {
  const pins = mixerNode.pins({ num_inputs: 2, sync_timeout_ms: 100, queue_frames: 8, clocked: null });
  assert.deepEqual(
    pins.inputs.map((p) => [p.name, p.cardinality]),
    [
      ['in_0', 'One'],
      ['in_1', 'One'],
      ['in', { Dynamic: { prefix: 'in' } }],
    ],
  );
  assert.equal(pins.outputs[0].name, 'out');
});

test('unclocked: a burst of frames on every input loses nothing (no last-frame-wins)', async () => {
  const r = await collectNodeOutputs(
    mixerNode,
    { num_inputs: 2 },
    {
      in_0: Array.from({ length: 30 }, () => constFrame(0.5)),
      in_1: Array.from({ length: 30 }, () => constFrame(0.25)),
    },
  );
  const all = concatAudio(r.packets);
  assert.equal(all.length, 30 * 960);
  assert.ok(all.every((v) => near(v, 0.75)));
  assert.equal(r.stats.discarded, 0);
});

test('unclocked: different block sizes stay time-aligned; timestamps count 20 ms frames', async () => {
  const r = await collectNodeOutputs(
    mixerNode,
    { num_inputs: 2 },
    {
      in_0: Array.from({ length: 4 }, () => constFrame(0.5, 960)),
      in_1: Array.from({ length: 9 }, () => constFrame(0.25, 441)),
    },
  );
  const all = concatAudio(r.packets);
  assert.equal(all.length, 3969);
  assert.ok(all.subarray(0, 3840).every((v) => near(v, 0.75)));
  assert.ok(
    all.subarray(3840).every((v) => near(v, 0.25)),
    'the longer input finishes alone',
  );
  assert.deepEqual(
    r.packets.map((p) => p.meta?.timestampUs),
    [0, 20000, 40000, 60000, 80000],
  );
});

test('sticky channels: stereo + mono is stereo, and stays stereo after the stereo input ends', async () => {
  const r = await collectNodeOutputs(
    mixerNode,
    { num_inputs: 2 },
    { in_0: [constFrame(0.5, 960, 2)], in_1: [constFrame(0.3), constFrame(0.25)] },
  );
  const [a, b] = r.packets as AudioPacket[];
  assert.equal(a.channels, 2);
  assert.ok(a.samples.every((v) => near(v, 0.8)));
  assert.equal(b.channels, 2);
  assert.ok(b.samples.every((v) => near(v, 0.25)));
});

test('a sample-rate mismatch fails with the pin and what to do', async () => {
  const r = await collectNodeOutputs(
    mixerNode,
    { num_inputs: 2 },
    { in_0: [constFrame(0.5, 960, 1, 48000)], in_1: [constFrame(0.5, 882, 1, 44100)] },
  );
  const last = r.states.at(-1) as { Failed: { reason: string } };
  assert.match(last.Failed.reason, /in_1.*44100.*resampler/);
});

test('invalid params are errors', async () => {
  await assert.rejects(collectNodeOutputs(mixerNode, { num_inputs: 0 }, {}), /num_inputs/);
  await assert.rejects(
    collectNodeOutputs(mixerNode, { clocked: { sample_rate: 'fast' } }, {}),
    /sample_rate/,
  );
});

test('clocked: one frame per tick, missing inputs are silence, ends when inputs end', async () => {
  const started = performance.now();
  const r = await collectNodeOutputs(
    mixerNode,
    {
      num_inputs: 2,
      clocked: { frame_samples_per_channel: 960, jitter_buffer_frames: 3, generate_silence: true },
    },
    { in_0: [constFrame(0.5, 960, 2), constFrame(0.5, 960, 2)], in_1: [constFrame(0.25)] },
  );
  const frames = r.packets as AudioPacket[];
  assert.ok(frames.length >= 2);
  assert.ok(frames.every((f) => f.channels === 2 && f.samples.length === 1920));
  assert.ok(frames[0].samples.every((v) => near(v, 0.75)));
  assert.ok(
    frames[1].samples.every((v) => near(v, 0.5)),
    'the missing input counts as silence',
  );
  assert.ok(performance.now() - started >= 30, 'frames follow the 20 ms clock');
});

test('clocked: a rate other than clocked.sample_rate is fatal', async () => {
  const r = await collectNodeOutputs(
    mixerNode,
    { num_inputs: 1, clocked: { sample_rate: 48000 } },
    { in_0: [constFrame(0.5, 320, 1, 16000)] },
  );
  assert.match(
    (r.states.at(-1) as { Failed: { reason: string } }).Failed.reason,
    /expected 48000 Hz, got 16000 Hz/,
  );
});

test('dynamic session: a late input times out, is marked slow (Degraded), and the rest keeps mixing', async () => {
  const r = await collectNodeOutputs(
    mixerNode,
    { sync_timeout_ms: 50 },
    { in_0: Array.from({ length: 10 }, () => constFrame(0.5)) },
    {
      mode: 'dynamic',
      onStart: ({ runner, cancel }) => {
        // in_1 delivers one frame and then stays connected but silent.
        runner.ensureInput('in_1').push(constFrame(0.25));
        setTimeout(cancel, 300);
      },
    },
  );
  const frames = r.packets as AudioPacket[];
  assert.equal(frames.length, 10);
  assert.ok(frames[0].samples.every((v) => near(v, 0.75)));
  assert.ok(frames.slice(1).every((f) => f.samples.every((v) => near(v, 0.5))));
  const degraded = r.states.find((s) => typeof s === 'object' && 'Degraded' in s) as
    { Degraded: { reason: string; details: { slow_pins: string[] } } } | undefined;
  assert.equal(degraded?.Degraded.reason, 'slow_input_timeout');
  assert.deepEqual(degraded?.Degraded.details.slow_pins, ['in_1']);
});

test('dynamic session: an input that never sends does not stall the others', async () => {
  const r = await collectNodeOutputs(
    mixerNode,
    { sync_timeout_ms: 30 },
    { in_0: Array.from({ length: 5 }, () => constFrame(0.5)) },
    {
      mode: 'dynamic',
      onStart: ({ runner, cancel }) => {
        runner.ensureInput('in_1');
        setTimeout(cancel, 250);
      },
    },
  );
  assert.equal(r.packets.length, 5);
  assert.ok(r.packets.every((p) => (p as AudioPacket).samples.every((v) => near(v, 0.5))));
});
