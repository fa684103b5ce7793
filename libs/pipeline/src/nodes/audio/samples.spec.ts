// Runs every bundled oneshot sample in samples/pipelines/oneshot through the oneshot runner on the test
// fixtures and checks the output with ffprobe/ffmpeg; plus a streaming and bounded-memory check.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ffmpegDecodeF32, fixturePath, repoRoot, runTool } from '../../codecs/dsp/reference-tools';
import { createDefaultRegistry } from '../../registry/default';
import { runOneshot } from '../../runtime/oneshot';
import { permissiveServices, runOneshotGraph } from '../../testing';

interface Probe {
  format: string;
  codec: string;
  channels: number;
  sampleRate: number;
  /** Playback duration from decoding the whole file with ffmpeg (container durations differ on pre-skip). */
  duration: number;
}

function probe(bytes: Uint8Array): Probe {
  const dir = mkdtempSync(join(tmpdir(), 'sample-out-'));
  try {
    const path = join(dir, 'out.bin');
    writeFileSync(path, bytes);
    const info = JSON.parse(
      runTool('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'format=format_name:stream=codec_name,channels,sample_rate',
        '-of',
        'json',
        path,
      ]).toString(),
    ) as {
      format: { format_name: string };
      streams: { codec_name: string; channels: number; sample_rate: string }[];
    };
    const s = info.streams[0];
    const pcm = ffmpegDecodeF32(path);
    return {
      format: info.format.format_name,
      codec: s.codec_name,
      channels: s.channels,
      sampleRate: Number(s.sample_rate),
      duration: pcm.length / s.channels / Number(s.sample_rate),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sampleYaml(name: string): string {
  return readFileSync(join(repoRoot(), 'samples', 'pipelines', 'oneshot', name), 'utf8');
}

async function runSample(yaml: string, input: string): Promise<{ out: Uint8Array; contentType: string }> {
  const r = await runOneshotGraph(createDefaultRegistry(), yaml, {
    input: readFileSync(fixturePath(input)),
    services: permissiveServices(repoRoot()),
  });
  return { out: r.output, contentType: r.contentType };
}

const cases: {
  file: string;
  input: string;
  expect: Partial<Probe> & { duration: number };
  contentType: string;
}[] = [
  {
    file: 'double_volume.yml',
    input: 'speech_en_48k_stereo.opus.ogg',
    expect: { format: 'ogg', codec: 'opus', channels: 2, duration: 16.446 },
    contentType: 'audio/ogg',
  },
  {
    file: 'convert_to_wav.yml',
    input: 'speech_en_48k_stereo.opus.ogg',
    expect: { format: 'wav', codec: 'pcm_s16le', channels: 2, sampleRate: 48000, duration: 16.446 },
    contentType: 'audio/wav',
  },
  {
    file: 'convert_to_webm.yml',
    input: 'speech_en_48k_stereo.opus.ogg',
    expect: { format: 'matroska,webm', codec: 'opus', channels: 2, duration: 16.446 },
    contentType: 'audio/webm',
  },
  {
    file: 'resample_16k_mono.yml',
    input: 'speech_en_48k_stereo.opus.ogg',
    expect: { format: 'wav', codec: 'pcm_s16le', channels: 1, sampleRate: 16000, duration: 16.446 },
    contentType: 'audio/wav',
  },
  {
    file: 'flac_to_opus.yml',
    input: 'speech_en_16k_mono.flac',
    expect: { format: 'ogg', codec: 'opus', channels: 1, duration: 16.447 },
    contentType: 'audio/ogg',
  },
  {
    file: 'mp3_to_opus.yml',
    input: 'music_60s_44k_stereo.mp3',
    expect: { format: 'ogg', codec: 'opus', channels: 2, duration: 60 },
    contentType: 'audio/ogg',
  },
];

for (const c of cases) {
  test(`sample ${c.file} on ${c.input}`, async () => {
    const yaml = sampleYaml(c.file);
    assert.match(yaml, /^name: /m);
    assert.match(yaml, /^description: /m);
    assert.match(yaml, /^mode: oneshot$/m);
    const { out, contentType } = await runSample(yaml, c.input);
    assert.ok(contentType.startsWith(c.contentType), contentType);
    const p = probe(out);
    for (const key of ['format', 'codec', 'channels', 'sampleRate'] as const) {
      if (c.expect[key] !== undefined) assert.equal(p[key], c.expect[key], key);
    }
    assert.ok(
      Math.abs(p.duration - c.expect.duration) < 0.001,
      `duration ${p.duration} vs ${c.expect.duration}`,
    );
  });
}

test('double_volume is sample-exact and twice as loud', async () => {
  const input = 'music_60s_stereo.opus.ogg';
  const { out } = await runSample(sampleYaml('double_volume.yml'), input);
  const dir = mkdtempSync(join(tmpdir(), 'dv-'));
  try {
    const path = join(dir, 'out.ogg');
    writeFileSync(path, out);
    const ours = ffmpegDecodeF32(path);
    const ref = ffmpegDecodeF32(fixturePath(input));
    assert.equal(
      ours.length,
      ref.length,
      'same number of samples as the input (pre-skip and end trim exact)',
    );
    let num = 0;
    let den = 0;
    for (let i = 0; i < ref.length; i++) {
      num += ours[i] * ref[i];
      den += ref[i] * ref[i];
    }
    assert.ok(Math.abs(num / den - 2) < 0.1, `gain ${(num / den).toFixed(3)} (aligned, doubled)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mixing sample mixes the upload with the music (pacers sped up for the test)', async () => {
  const yaml = sampleYaml('mixing.yml').replaceAll('speed: 1.0', 'speed: 200.0');
  const { out, contentType } = await runSample(yaml, 'speech_en_48k_stereo.opus.ogg');
  assert.ok(contentType.startsWith('audio/webm'));
  const p = probe(out);
  assert.equal(p.codec, 'opus');
  assert.equal(p.channels, 2);
  // Live WebM has no end trim: up to one padded 20 ms frame more than the 60 s of music.
  assert.ok(p.duration >= 60 && p.duration < 60.02, `duration ${p.duration}`);
});

test('11-minute Ogg Opus streams through decode/gain/encode with bounded memory', async () => {
  const file = readFileSync(fixturePath('speech_10m_mono.opus.ogg'));
  let fed = 0;
  let fedAtFirstOutput = -1;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < file.length; i += 65536) {
      fed = i + 65536;
      yield file.subarray(i, i + 65536);
    }
  }
  const yaml = sampleYaml('double_volume.yml').replace(
    'kind: audio::opus::encoder',
    'kind: audio::opus::encoder\n    params:\n      complexity: 3',
  );
  global.gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  let bytes = 0;
  const run = await runOneshot(yaml, {
    registry: createDefaultRegistry(),
    input: chunks(),
    services: permissiveServices(repoRoot()),
  });
  for await (const chunk of run.output) {
    if (fedAtFirstOutput < 0) fedAtFirstOutput = fed;
    bytes += chunk.length;
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  }
  await run.done;
  assert.ok(
    fedAtFirstOutput > 0 && fedAtFirstOutput < file.length / 4,
    `first output after ${fedAtFirstOutput} input bytes`,
  );
  assert.ok(bytes > 1_000_000);
  assert.ok(
    peak < 64 * 1024 * 1024,
    `heap grew by ${(peak / 1048576).toFixed(1)} MiB (the decoded audio alone is 126 MiB)`,
  );
});
