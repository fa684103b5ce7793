// WAV: the streaming reader against ffmpeg's f32 output on every fixture (any chunking), odd chunks,
// unknown sizes and errors; the writer's files against ffprobe, sox and the reader.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ffmpegDecode,
  fixturePath,
  readFixture,
  seededRandom,
  tool,
  withTempDir,
  writeTemp,
} from '../../testing/containers';
import { WavReader } from './reader';
import { WavWriter, type WavWriteFormat } from './writer';

const FIXTURES = [
  'speech_en_16k_mono.wav',
  'speech_en_48k_stereo.wav',
  'tone_440hz_48k_stereo_5s.wav',
  'tone_1khz_48k_stereo_s24_2s.wav',
  'tone_1khz_48k_mono_f32_2s.wav',
];

/** Reads everything, pushing random-sized chunks; returns all samples and how many reads returned data. */
function readAll(bytes: Uint8Array, seed: number, maxChunk = 5000, frames = 960) {
  const r = new WavReader();
  const rnd = seededRandom(seed);
  const parts: Float32Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(rnd() * maxChunk);
    r.push(bytes.subarray(i, i + n));
    i += n;
    let x: Float32Array | undefined;
    while ((x = r.read(frames)) !== undefined) parts.push(x);
  }
  r.end();
  let x: Float32Array | undefined;
  while ((x = r.read(frames)) !== undefined) parts.push(x);
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return { reader: r, samples: all, parts };
}

function f32(buf: Buffer): Float32Array {
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

test('reader: every fixture matches ffmpeg f32 output bit for bit, in random chunks', () => {
  const expected: Record<string, [number, number, string]> = {
    'speech_en_16k_mono.wav': [16000, 1, 's16'],
    'speech_en_48k_stereo.wav': [48000, 2, 's16'],
    'tone_440hz_48k_stereo_5s.wav': [48000, 2, 's16'],
    'tone_1khz_48k_stereo_s24_2s.wav': [48000, 2, 's24'],
    'tone_1khz_48k_mono_f32_2s.wav': [48000, 1, 'f32'],
  };
  for (const [i, name] of FIXTURES.entries()) {
    const ref = f32(ffmpegDecode(fixturePath(name), 'f32le'));
    const { reader, samples, parts } = readAll(readFixture(name), i + 1);
    const f = reader.format!;
    assert.deepEqual([f.sampleRate, f.channels, f.sampleFormat], expected[name], name);
    assert.equal(samples.length, ref.length, name);
    assert.deepEqual(samples, ref, name);
    assert.ok(reader.done);
    assert.equal(reader.droppedBytes, 0);
    for (const p of parts.slice(0, -1)) assert.equal(p.length, 960 * f.channels);
  }
});

test('reader: emits frames while the file streams in, not at the end', () => {
  const bytes = readFixture('speech_en_48k_stereo.wav');
  const r = new WavReader();
  r.push(bytes.subarray(0, 100_000));
  let frames = 0;
  let x: Float32Array | undefined;
  while ((x = r.read(960)) !== undefined) frames += x.length / 2;
  assert.equal(frames, Math.floor((100_000 - 44) / 4 / 960) * 960);
  assert.equal(r.done, false);
});

test('reader: u8, s32 and f64 PCM, WAVE_FORMAT_EXTENSIBLE and streamed (unknown size) WAV', async () => {
  await withTempDir((dir) => {
    const src = fixturePath('tone_1khz_48k_stereo_s24_2s.wav');
    const cases: [string, string[], string][] = [
      ['pcm_u8', [], 'u8'],
      ['pcm_s32le', [], 's32'],
      ['pcm_f64le', [], 'f64'],
      ['pcm_s16le', ['-ac', '4'], 's16'],
      ['pcm_f32le', ['-ac', '3'], 'f32'],
    ];
    for (const [i, [codec, extra, format]] of cases.entries()) {
      const out = `${dir}/${codec}.wav`;
      const enc = tool('ffmpeg', ['-v', 'error', '-i', src, ...extra, '-c:a', codec, '-y', out]);
      assert.equal(enc.status, 0, enc.stderr);
      const ref = f32(ffmpegDecode(out, 'f32le'));
      const { samples, reader } = readAll(new Uint8Array(readFileSync(out)), i + 10);
      assert.equal(reader.format!.sampleFormat, format);
      assert.equal(samples.length, ref.length, codec);
      let maxDiff = 0;
      for (let k = 0; k < ref.length; k++) maxDiff = Math.max(maxDiff, Math.abs(samples[k] - ref[k]));
      // f64 -> f32 rounds once in both; everything else is exact.
      assert.ok(maxDiff <= 2 ** -24, `${codec}: max diff ${maxDiff}`);
    }
    // Piped ffmpeg output declares 0xFFFFFFFF sizes; the reader reads to the end of input.
    const piped = tool('ffmpeg', ['-v', 'error', '-i', src, '-f', 'wav', '-']);
    const bytes = new Uint8Array(piped.stdout);
    assert.equal(Buffer.from(bytes.subarray(4, 8)).readUInt32LE(0), 0xffffffff);
    const { samples, reader } = readAll(bytes, 99);
    assert.equal(reader.format!.declaredFrames, undefined);
    assert.equal(samples.length, 96000 * 2);
  });
});

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  out.set(Buffer.from(id, 'latin1'), 0);
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function fmtBody(tag: number, channels: number, rate: number, bits: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  return b;
}

function riff(...chunks: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(4 + body.length, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

test('reader: odd-sized chunks are padded, trailing chunks ignored, partial frames dropped', () => {
  const pcm = new Int16Array([0, 16384, -16384, 32767, -32768, 1]);
  const bytes = riff(
    chunk('LIST', new Uint8Array(5).fill(1)), // odd size: one pad byte follows
    chunk('fmt ', fmtBody(1, 2, 8000, 16)),
    chunk('junk', new Uint8Array(3)),
    chunk('data', new Uint8Array(pcm.buffer)),
    chunk('id3 ', new Uint8Array(40).fill(0x49)),
  );
  for (const size of [1, 2, 3, 7, bytes.length]) {
    const { samples, reader } = readAll(bytes, size, size, 2);
    assert.deepEqual(Array.from(samples), [0, 0.5, -0.5, 32767 / 32768, -1, 1 / 32768]);
    assert.equal(reader.format!.sampleRate, 8000);
    assert.equal(reader.format!.declaredFrames, 3);
  }
  // A data chunk cut mid-frame: whole frames are kept, the rest counted.
  const cut = riff(
    chunk('fmt ', fmtBody(1, 2, 8000, 16)),
    chunk('data', new Uint8Array(pcm.buffer)),
  ).subarray(0, 44 + 10);
  const { samples, reader } = readAll(cut, 5, 100, 960);
  assert.equal(samples.length, 4);
  assert.equal(reader.droppedBytes, 2);
});

test('reader: errors name what is wrong', () => {
  const bad = (bytes: Uint8Array, re: RegExp) => {
    const r = new WavReader();
    assert.throws(() => {
      r.push(bytes);
      r.end();
    }, re);
  };
  bad(new TextEncoder().encode('OggS and more bytes here'), /the input is an Ogg file, not WAV/);
  bad(new TextEncoder().encode('plain text, not audio at all'), /not a WAV file \(no RIFF header\)/);
  bad(riff(chunk('fmt ', fmtBody(2, 1, 8000, 4))), /unsupported WAV format tag 0x2/);
  bad(riff(chunk('fmt ', fmtBody(1, 1, 8000, 12))), /12 bits/);
  bad(riff(chunk('data', new Uint8Array(4))), /data chunk comes before the fmt chunk/);
  bad(riff(chunk('fmt ', fmtBody(1, 1, 8000, 16))), /ended before its data chunk/);
  bad(new Uint8Array(0), /empty or too short/);
});

test('writer: s16, s24 and f32 files (file and stream headers) read back by ffprobe, sox and the reader', async () => {
  const rate = 44100;
  await withTempDir((dir) => {
    for (const format of ['s16', 's24', 'f32'] as WavWriteFormat[]) {
      for (const channels of [1, 2, 6]) {
        const frames = 4411; // odd, so s24 mono needs a pad byte
        const samples = new Float32Array(frames * channels);
        for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(i / 7) * 0.7;
        const w = new WavWriter({ sampleRate: rate, channels, format });
        for (const known of [true, false]) {
          const data = w.encode(samples);
          const pad = known && data.length & 1 ? [new Uint8Array(1)] : [];
          const bytes = Buffer.concat([w.header(known ? frames : undefined), data, ...pad]);
          const path = writeTemp(dir, `${format}_${channels}_${known}.wav`, bytes);
          const probe = tool('ffprobe', [
            '-v',
            'error',
            '-show_entries',
            'stream=codec_name,channels,sample_rate',
            '-of',
            'csv=p=0',
            path,
          ]);
          assert.equal(probe.stderr, '');
          const codec = { s16: 'pcm_s16le', s24: 'pcm_s24le', f32: 'pcm_f32le' }[format];
          assert.equal(probe.stdout.toString().trim(), `${codec},${rate},${channels}`);
          assert.equal(ffmpegDecode(path, 'f32le').length, frames * channels * 4);
          const sox = tool('sox', [path, '-n', 'stat']);
          assert.equal(sox.status, 0, sox.stderr);
          assert.match(sox.stderr, new RegExp(`Samples read:\\s+${frames * channels}\\b`));
          if (known) assert.doesNotMatch(sox.stderr, /WARN wav: Premature EOF/);
          const back = readAll(bytes, 3).samples;
          const lsb = format === 's16' ? 1 / 32768 : format === 's24' ? 1 / 8388608 : 0;
          let maxDiff = 0;
          for (let i = 0; i < samples.length; i++)
            maxDiff = Math.max(maxDiff, Math.abs(back[i] - samples[i]));
          assert.ok(maxDiff <= lsb / 2 + 1e-9, `${format}: ${maxDiff}`);
        }
      }
    }
  });
});

test('writer: s16 round-trips exactly and clips out-of-range samples', () => {
  const w = new WavWriter({ sampleRate: 8000, channels: 1, format: 's16' });
  const src = new Float32Array([0, 0.5, -1, 32767 / 32768, 1, 2, -3, Number.NaN]);
  const back = readAll(Buffer.concat([w.header(src.length), w.encode(src)]), 1).samples;
  assert.deepEqual(Array.from(back), [0, 0.5, -1, 32767 / 32768, 32767 / 32768, 32767 / 32768, -1, 0]);
  assert.throws(() => new WavWriter({ sampleRate: 0, channels: 1, format: 's16' }), /sample rate/);
});

test('performance: reading 16 s of 48 kHz stereo takes a few milliseconds', () => {
  const bytes = readFixture('speech_en_48k_stereo.wav');
  readAll(bytes, 1, 65536);
  const t = performance.now();
  readAll(bytes, 1, 65536);
  const ms = performance.now() - t;
  assert.ok(ms < 200, `${ms.toFixed(1)} ms`);
});
