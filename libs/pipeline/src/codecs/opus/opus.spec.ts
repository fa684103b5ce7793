import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffmpegDecodeF32, fixturePath, runTool, snrDb } from '../dsp/reference-tools';
import { OpusStreamDecoder } from './decoder';
import { type EncodedOpusPacket, type OpusApplication, OpusStreamEncoder } from './encoder';
import { OPUS_PRE_SKIP } from './opus-native';

/** Encode in odd-sized blocks, decode, trim pre-skip and the end: the output timeline of a player. */
function roundTrip(
  source: Float32Array,
  channels: 1 | 2,
  bitrate: number,
  application: OpusApplication = 'audio',
  block = 1234,
): { decoded: Float32Array; packets: EncodedOpusPacket[] } {
  const enc = new OpusStreamEncoder({
    channels,
    bitrate,
    complexity: 10,
    application,
    vbr: 'on',
    frameSizeMs: 20,
  });
  const packets: EncodedOpusPacket[] = [];
  for (let i = 0; i < source.length; i += block * channels)
    enc.encode(source.subarray(i, i + block * channels), packets);
  enc.flush(packets);
  const dec = new OpusStreamDecoder(channels);
  const parts: Float32Array[] = packets.map((p) => dec.decode(p.data).subarray(0, p.samples * channels));
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return { decoded: all.subarray(OPUS_PRE_SKIP * channels), packets };
}

test('Opus round trip: exact length, SNR within 1 dB of ffmpeg libopus at the same bitrate', () => {
  const wav = fixturePath('speech_en_48k_stereo.wav');
  const source = ffmpegDecodeF32(wav);
  const { decoded, packets } = roundTrip(source, 2, 64000);
  assert.equal(decoded.length, source.length, 'pre-skip and end trim give back exactly the input length');
  assert.equal(packets.length, Math.ceil((source.length / 2 + OPUS_PRE_SKIP) / 960));
  assert.ok(packets.slice(0, -1).every((p) => p.samples === 960));
  const ours = snrDb(source, decoded);

  const dir = mkdtempSync(join(tmpdir(), 'opus-ref-'));
  try {
    const ogg = join(dir, 'ref.ogg');
    runTool('ffmpeg', ['-v', 'error', '-i', wav, '-c:a', 'libopus', '-b:a', '64k', ogg]);
    const ref = ffmpegDecodeF32(ogg);
    const theirs = snrDb(source, ref);
    assert.ok(ours >= theirs - 1, `ours ${ours.toFixed(2)} dB vs ffmpeg ${theirs.toFixed(2)} dB`);
    assert.ok(ours > 10, `SNR ${ours.toFixed(2)} dB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lowdelay application keeps the same 312-sample pre-skip (start padded), mono input', () => {
  const stereo = ffmpegDecodeF32(fixturePath('tone_440hz_48k_stereo_5s.wav'));
  const mono = new Float32Array(stereo.length / 2);
  for (let i = 0; i < mono.length; i++) mono[i] = stereo[2 * i];
  const { decoded } = roundTrip(mono, 1, 64000, 'lowdelay', 480);
  assert.equal(decoded.length, mono.length);
  assert.ok(snrDb(mono.subarray(4800), decoded.subarray(4800)) > 15, 'output is aligned with the input');
});

test('a lost packet is concealed by libopus PLC, not dropped to silence; an empty packet does not throw', () => {
  const source = ffmpegDecodeF32(fixturePath('tone_440hz_48k_stereo_5s.wav'));
  const enc = new OpusStreamEncoder({
    channels: 2,
    bitrate: 64000,
    complexity: 10,
    application: 'audio',
    vbr: 'on',
    frameSizeMs: 20,
  });
  const packets: EncodedOpusPacket[] = [];
  enc.encode(source, packets);
  enc.flush(packets);
  const dec = new OpusStreamDecoder(2);
  const clean = new OpusStreamDecoder(2);
  let lostSnr = 0;
  for (let i = 0; i < 60; i++) {
    const ref = clean.decode(packets[i].data);
    if (i === 50) {
      const concealed = dec.conceal(960);
      assert.equal(concealed.length, ref.length);
      lostSnr = snrDb(ref, concealed);
    } else if (i === 55) {
      assert.equal(dec.decode(new Uint8Array(0)).length, 1920);
    } else {
      dec.decode(packets[i].data);
    }
  }
  assert.ok(lostSnr > 3, `concealed frame SNR ${lostSnr.toFixed(1)} dB (silence would be 0 dB)`);
  assert.equal(
    new OpusStreamDecoder(1).conceal(480).every((v) => v === 0),
    true,
    'nothing to conceal from',
  );
});

test('120 ms packets decode', () => {
  const enc = new OpusStreamEncoder({
    channels: 2,
    bitrate: 64000,
    complexity: 5,
    application: 'audio',
    vbr: 'on',
    frameSizeMs: 60,
  });
  const packets: EncodedOpusPacket[] = [];
  enc.encode(new Float32Array(2880 * 2 * 3).fill(0.1), packets);
  const dec = new OpusStreamDecoder(2);
  assert.equal(dec.decode(packets[0].data).length, 2880 * 2);
});
