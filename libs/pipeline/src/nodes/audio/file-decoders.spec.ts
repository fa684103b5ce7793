import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ffmpegDecodeF32, fixturePath } from '../../codecs/dsp/reference-tools';
import type { AudioPacket, Packet } from '../../core/packets';
import { collectNodeOutputs } from '../../testing';
import { flacDecoderNode, mp3DecoderNode } from './file-decoders';
import { concatAudio } from '../../testing/audio';

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

test('non-audio input fails with an actionable message naming the node instead of stopping silently', async () => {
  const garbage: Packet[] = [{ kind: 'binary', data: new Uint8Array(5000).fill(3) }];
  const reason = (r: { states: unknown[] }) =>
    (r.states.at(-1) as { Failed: { reason: string } }).Failed.reason;
  assert.equal(
    reason(await collectNodeOutputs(flacDecoderNode, {}, garbage)),
    "Node 'node' (audio::flac::decoder): the input is not FLAC (it does not start with the fLaC marker)",
  );
  assert.equal(
    reason(await collectNodeOutputs(mp3DecoderNode, {}, garbage)),
    "Node 'node' (audio::mp3::decoder): no MPEG audio frames in the first 5000 bytes: the input is not MP3",
  );
  // Issue #23 finding 8: zero bytes of FLAC used to fail with "Cannot read properties of null (reading 'flush')".
  assert.equal(
    reason(await collectNodeOutputs(flacDecoderNode, {}, [])),
    "Node 'node' (audio::flac::decoder): the input is empty (0 bytes of FLAC)",
  );
  const ogg: Packet[] = [
    { kind: 'binary', data: readFileSync(fixturePath('speech_en_48k_stereo.opus.ogg')) },
  ];
  assert.equal(
    reason(await collectNodeOutputs(mp3DecoderNode, {}, ogg)),
    "Node 'node' (audio::mp3::decoder): the input is an Ogg file, not MP3",
  );
});
