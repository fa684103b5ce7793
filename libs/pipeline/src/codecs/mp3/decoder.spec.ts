import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { PcmChunk } from '../dsp/pcm-chunk';
import { asF32, fixturePath, runTool } from '../dsp/reference-tools';
import { Mp3StreamDecoder } from './decoder';
import { MediaError } from '../../core/media-error';
import { parseFrameHeader, sniffMp3 } from './frame-header';

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

test('frame headers: channel mode and frame length', () => {
  // MPEG-1 layer III, 128 kb/s, 44.1 kHz, no padding: 417 bytes.
  assert.deepEqual(parseFrameHeader(Uint8Array.from([0xff, 0xfb, 0x90, 0xc4]), 0), {
    version: 1,
    layer: 3,
    sampleRate: 44100,
    channels: 1,
    length: 417,
  });
  assert.equal(parseFrameHeader(Uint8Array.from([0xff, 0xfb, 0x90, 0x44]), 0)?.channels, 2);
  assert.equal(parseFrameHeader(Uint8Array.from([0xff, 0xfb, 0x00, 0x44]), 0), undefined, 'free format');
});

// Issue #23 finding 8: the MP3 decoder refuses what is not MP3 instead of decoding mpg123's resync noise.
test('random bytes, Ogg, FLAC and WAV are not MP3: a MediaError saying what the input is', async () => {
  let seed = 12345;
  const random = new Uint8Array(200_000).map(
    () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 0xff,
  );
  const cases: [Uint8Array, RegExp][] = [
    [random, /no MPEG audio frames in the first 65536 bytes: the input is not MP3/],
    [readFileSync(fixturePath('speech_en_48k_stereo.opus.ogg')), /the input is an Ogg file, not MP3/],
    [readFileSync(fixturePath('speech_en_16k_mono.flac')), /the input is a FLAC file, not MP3/],
    [readFileSync(fixturePath('speech_en_16k_mono.wav')), /the input is a RIFF\/WAV file, not MP3/],
    [new Uint8Array(0), /the input is empty/],
  ];
  for (const [bytes, reason] of cases) {
    const dec = await Mp3StreamDecoder.create();
    const chunks: PcmChunk[] = [];
    try {
      await assert.rejects(
        async () => {
          for (let i = 0; i < bytes.length; i += 4096) dec.decode(bytes.subarray(i, i + 4096), chunks);
          dec.flush(chunks);
        },
        (err: unknown) => err instanceof MediaError && reason.test(err.message),
      );
      assert.equal(chunks.length, 0, 'no audio came out');
    } finally {
      dec.free();
    }
  }
});

test('the sniff needs a chain of frames, skips ID3v2 tags fed a byte at a time, and accepts a one-frame file', async () => {
  const real = readFileSync(fixturePath('speech_en_16k_mono.mp3'));
  const tag = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0x10, 0, ...new Array(2048).fill(7)]);
  const tagged = Buffer.concat([tag, real]);
  const dec = await Mp3StreamDecoder.create();
  const chunks: PcmChunk[] = [];
  try {
    for (let i = 0; i < 20_000; i++) dec.decode(tagged.subarray(i, i + 1), chunks);
    dec.decode(tagged.subarray(20_000), chunks);
    dec.flush(chunks);
  } finally {
    dec.free();
  }
  assert.ok(dec.framesOut > 16000 * 5, `${dec.framesOut} frames`);
  const first = parseFrameHeader(real, real.indexOf(0xff));
  assert.ok(first);
  const one = sniffMp3(real.subarray(real.indexOf(0xff), real.indexOf(0xff) + first.length), true);
  assert.equal(one.kind, 'mp3');
  assert.equal(sniffMp3(real.subarray(0, 100), false).kind, 'need_more');
});
