import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { PcmChunk } from '../dsp/pcm-chunk';
import { asF32, fixturePath, runTool } from '../dsp/reference-tools';
import { Mp3StreamDecoder } from './decoder';
import { scanMp3Header } from './frame-header';

async function checkAgainstMpg123(
  name: string,
  rate: number,
  channels: number,
  chunkSize: number,
): Promise<void> {
  const path = fixturePath(name);
  const bytes = readFileSync(path);
  const dec = await Mp3StreamDecoder.create();
  const chunks: PcmChunk[] = [];
  let firstAt = -1;
  try {
    for (let i = 0; i < bytes.length; i += chunkSize) {
      dec.decode(bytes.subarray(i, i + chunkSize), chunks);
      if (firstAt < 0 && chunks.length > 0) firstAt = i + chunkSize;
    }
    dec.flush(chunks);
  } finally {
    dec.free();
  }
  assert.ok(firstAt > 0 && firstAt < bytes.length / 2, 'audio comes out before the whole file arrived');
  assert.ok(chunks.every((c) => c.sampleRate === rate && c.channels === channels));
  const ours = new Float32Array(chunks.reduce((n, c) => n + c.samples.length, 0));
  let o = 0;
  for (const c of chunks) {
    ours.set(c.samples, o);
    o += c.samples.length;
  }
  const ref = asF32(runTool('mpg123', ['-q', '-e', 'f32', '-s', path]));
  assert.equal(ours.length, ref.length, 'sample-exact length (gapless)');
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - ref[i]));
  assert.ok(maxDiff <= 1 / 32768, `max difference ${maxDiff * 32768} LSB`);
}

test('MP3 16 kHz mono: real channel count, sample-exact against mpg123', async () => {
  await checkAgainstMpg123('speech_en_16k_mono.mp3', 16000, 1, 4096);
});

test('MP3 44.1 kHz stereo: sample-exact against mpg123, odd chunk sizes', async () => {
  await checkAgainstMpg123('music_60s_44k_stereo.mp3', 44100, 2, 1777);
});

test('frame header scan skips ID3v2 and reads the channel mode', () => {
  const id3 = [0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 2, 0, 0];
  const mono = Uint8Array.from([...id3, 0xff, 0xfb, 0x90, 0xc4]);
  const stereo = Uint8Array.from([...id3, 0xff, 0xfb, 0x90, 0x44]);
  assert.deepEqual(scanMp3Header(mono), { found: true, channels: 1 });
  assert.deepEqual(scanMp3Header(stereo), { found: true, channels: 2 });
  assert.deepEqual(scanMp3Header(Uint8Array.from(id3)), { found: false, needMore: true });
});
