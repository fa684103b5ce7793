import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ffmpegDecodeF32, fixturePath } from '../../codecs/dsp/reference-tools';
import type { AudioPacket, Packet } from '../../core/packets';
import { collectNodeOutputs } from '../../testing';
import { flacDecoderNode, mp3DecoderNode } from './file-decoders';
import { concatAudio } from './test-audio';

function chunks(path: string, size: number): Packet[] {
  const bytes = readFileSync(path);
  const out: Packet[] = [];
  for (let i = 0; i < bytes.length; i += size)
    out.push({ kind: 'binary', data: bytes.subarray(i, i + size) });
  return out;
}

test('flac decoder node: file rate and channels, exact length, timed 20 ms frames', async () => {
  const path = fixturePath('speech_en_16k_mono.flac');
  const r = await collectNodeOutputs(flacDecoderNode, {}, chunks(path, 3000));
  const out = r.packets as AudioPacket[];
  assert.ok(out.every((p) => p.sampleRate === 16000 && p.channels === 1));
  assert.equal(concatAudio(out).length, ffmpegDecodeF32(path).length);
  assert.deepEqual(
    out.slice(0, 3).map((p) => [p.meta?.timestampUs, p.meta?.durationUs]),
    [
      [0, 20000],
      [20000, 20000],
      [40000, 20000],
    ],
  );
});

test('mp3 decoder node: stereo 44.1 kHz, gapless length', async () => {
  const path = fixturePath('music_60s_44k_stereo.mp3');
  const r = await collectNodeOutputs(mp3DecoderNode, {}, chunks(path, 8192));
  const out = r.packets as AudioPacket[];
  assert.ok(out.every((p) => p.sampleRate === 44100 && p.channels === 2));
  assert.equal(concatAudio(out).length / 2, 2646000);
});

test('non-audio input fails with an actionable message instead of stopping silently', async () => {
  const garbage: Packet[] = [{ kind: 'binary', data: new Uint8Array(5000).fill(3) }];
  const r = await collectNodeOutputs(flacDecoderNode, {}, garbage);
  assert.match(
    (r.states.at(-1) as { Failed: { reason: string } }).Failed.reason,
    /no FLAC audio found in 5000 input bytes/,
  );
  const m = await collectNodeOutputs(mp3DecoderNode, {}, garbage);
  assert.match((m.states.at(-1) as { Failed: { reason: string } }).Failed.reason, /no MP3 audio/);
});
