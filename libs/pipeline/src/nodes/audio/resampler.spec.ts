import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AudioPacket } from '../../core/packets';
import { collectNodeOutputs } from '../../testing';
import { resamplerNode } from './resampler';
import { concatAudio, toPackets } from '../../testing/audio';

function sine(rate: number, seconds: number, channels: number, freq = 1000): Float32Array {
  const n = rate * seconds;
  const x = new Float32Array(n * channels);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < channels; c++) x[i * channels + c] = 0.5 * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

test('44.1k stereo -> 48k: 960-frame output, exact total length, timestamps', async () => {
  const r = await collectNodeOutputs(
    resamplerNode,
    { target_sample_rate: 48000 },
    toPackets(sine(44100, 1, 2), 2, 44100, 1000),
  );
  const out = r.packets as AudioPacket[];
  assert.ok(out.every((p) => p.sampleRate === 48000 && p.channels === 2));
  assert.ok(out.slice(0, -1).every((p) => p.samples.length === 1920));
  assert.equal(concatAudio(out).length, 48000 * 2);
  assert.deepEqual(
    out.slice(0, 3).map((p) => p.meta?.timestampUs),
    [0, 20000, 40000],
  );
});

test('channels: 1 downmixes stereo while resampling to 16 kHz', async () => {
  const r = await collectNodeOutputs(
    resamplerNode,
    { target_sample_rate: 16000, channels: 1, output_frame_size: 0 },
    toPackets(sine(48000, 1, 2), 2, 48000, 960),
  );
  const pcm = concatAudio(r.packets);
  assert.ok(r.packets.every((p) => (p as AudioPacket).channels === 1));
  assert.equal(pcm.length, 16000);
  let peak = 0;
  for (let i = 1600; i < 14400; i++) peak = Math.max(peak, Math.abs(pcm[i]));
  assert.ok(Math.abs(peak - 0.5) < 0.01);
});

test('same rate re-chunks only; a rate change mid-stream restarts instead of failing', async () => {
  const a = toPackets(sine(48000, 0.1, 1), 1, 48000, 100);
  const b = toPackets(sine(24000, 0.1, 1), 1, 24000, 100);
  const r = await collectNodeOutputs(resamplerNode, { target_sample_rate: 48000, output_frame_size: 480 }, [
    ...a,
    ...b,
  ]);
  assert.equal(concatAudio(r.packets).length, 4800 + 4800);
  assert.deepEqual(r.states.at(-1), { Stopped: { reason: 'input_closed' } });
});

test('invalid params are rejected', async () => {
  await assert.rejects(
    collectNodeOutputs(resamplerNode, { target_sample_rate: 0 }, []),
    /target_sample_rate/,
  );
  await assert.rejects(collectNodeOutputs(resamplerNode, {}, []), /target_sample_rate/);
  await assert.rejects(
    collectNodeOutputs(resamplerNode, { target_sample_rate: 16000, output_frame_size: 100 }, []),
    /output_frame_size/,
  );
});
