import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PcmChunk } from '../dsp/pcm-chunk';
import { ffmpegDecodeF32, fixturePath, runTool } from '../dsp/reference-tools';
import { MediaError } from '../../core/media-error';
import { FlacStreamDecoder } from './decoder';

async function decodeStreaming(
  bytes: Uint8Array,
  chunk: number,
): Promise<{ chunks: PcmChunk[]; firstAt: number }> {
  const dec = await FlacStreamDecoder.create();
  const chunks: PcmChunk[] = [];
  let firstAt = -1;
  try {
    for (let i = 0; i < bytes.length; i += chunk) {
      await dec.decode(bytes.subarray(i, i + chunk), chunks);
      if (firstAt < 0 && chunks.length > 0) firstAt = i + chunk;
    }
    await dec.flush(chunks);
    assert.equal(dec.errors, 0);
  } finally {
    dec.free();
  }
  return { chunks, firstAt };
}

function concat(chunks: PcmChunk[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.samples.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c.samples, o);
    o += c.samples.length;
  }
  return out;
}

async function checkAgainstFfmpeg(path: string, rate: number, channels: number): Promise<void> {
  const bytes = readFileSync(path);
  const { chunks, firstAt } = await decodeStreaming(bytes, 4096);
  assert.ok(firstAt > 0 && firstAt < bytes.length / 2, 'audio comes out before the whole file arrived');
  for (const c of chunks) {
    assert.equal(c.sampleRate, rate);
    assert.equal(c.channels, channels);
  }
  const frame = Math.round(rate / 50) * channels;
  assert.ok(
    chunks.slice(0, -1).every((c) => c.samples.length === frame),
    'chunks are 20 ms',
  );
  const ours = concat(chunks);
  const ref = ffmpegDecodeF32(path);
  assert.equal(ours.length, ref.length, 'exact sample count');
  let maxDiff = 0;
  let exact = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i] - ref[i]);
    if (d > maxDiff) maxDiff = d;
    if (d === 0) exact++;
  }
  assert.ok(maxDiff <= 1 / 32768, `max difference ${maxDiff * 32768} LSB`);
  assert.ok(exact / ref.length > 0.999, `bit-exact share ${exact / ref.length}`);
}

test('FLAC 16 kHz mono decodes bit-exact against ffmpeg, streamed in 4 KiB chunks', async () => {
  await checkAgainstFfmpeg(fixturePath('speech_en_16k_mono.flac'), 16000, 1);
});

test('FLAC 44.1 kHz stereo decodes bit-exact against ffmpeg', async () => {
  await checkAgainstFfmpeg(fixturePath('music_60s_44k_stereo.flac'), 44100, 2);
});

test('FLAC 24-bit decodes at full scale 2^23 (not 2^23-1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flac24-'));
  try {
    const path = join(dir, 't24.flac');
    runTool('ffmpeg', [
      '-v',
      'error',
      '-i',
      fixturePath('tone_1khz_48k_stereo_s24_2s.wav'),
      '-sample_fmt',
      's32',
      path,
    ]);
    await checkAgainstFfmpeg(path, 48000, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Issue #23 finding 8: no bytes, or bytes of another format, are a MediaError (not a TypeError from the library).
test('zero bytes, MP3, Ogg and random bytes are refused with a MediaError saying what the input is', async () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /^the input is empty \(0 bytes of FLAC\)$/],
    [readFileSync(fixturePath('speech_en_16k_mono.mp3')), /^the input is an MP3 file, not FLAC$/],
    [readFileSync(fixturePath('speech_en_48k_stereo.opus.ogg')), /^the input is an Ogg file, not FLAC$/],
    [new Uint8Array(5000).fill(0x5a), /^the input is not FLAC \(it does not start with the fLaC marker\)$/],
    [Uint8Array.from([0x66, 0x4c]), /not FLAC/],
  ];
  for (const [bytes, reason] of cases) {
    await assert.rejects(
      decodeStreaming(bytes, 1000),
      (err: unknown) => err instanceof MediaError && reason.test(err.message),
    );
  }
});
