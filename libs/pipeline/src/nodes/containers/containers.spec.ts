// Container node kinds through the engine: single nodes with `collectNodeOutputs`, param validation by the
// registry, failures that name the node, and small oneshot graphs checked with reference tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AudioPacket, BinaryPacket, OpusPacket, Packet } from '../../core/packets';
import { createDefaultRegistry } from '../../registry/default';
import { NodeRegistry } from '../../registry/registry';
import { collectNodeOutputs, runOneshotGraph } from '../../testing';
import { httpInputNode, httpOutputNode } from '../core/http-io';
import { buildOpusHead, buildOpusTags } from '../../codecs/ogg/opus-head';
import { isWebmClusterStart } from '../../codecs/webm/opus-muxer';
import { containerNodeDefinitions } from './index';
import { oggDemuxerNode } from './ogg-demuxer';
import { oggMuxerNode } from './ogg-muxer';
import { wavDemuxerNode } from './wav-demuxer';
import { wavMuxerNode } from './wav-muxer';
import { webmMuxerNode } from './webm-muxer';
import {
  demuxAll,
  ffmpegDecode,
  opusinfo,
  readFixture,
  tool,
  withTempDir,
  writeTemp,
} from '../../testing/containers';

const SPEECH_OGG = 'speech_en_48k_stereo.opus.ogg';

function binaryChunks(bytes: Uint8Array, size: number): BinaryPacket[] {
  const out: BinaryPacket[] = [];
  for (let i = 0; i < bytes.length; i += size)
    out.push({ kind: 'binary', data: bytes.subarray(i, i + size) });
  return out;
}

function bytesOf(packets: Packet[]): Buffer {
  return Buffer.concat(packets.map((p) => (p as BinaryPacket).data));
}

const registry = () => new NodeRegistry([httpInputNode, httpOutputNode, ...containerNodeDefinitions]);

test('the family lists five kinds with pins and content types', () => {
  assert.deepEqual(
    containerNodeDefinitions.map((d) => d.kind),
    [
      'containers::ogg::demuxer',
      'containers::ogg::muxer',
      'containers::wav::demuxer',
      'containers::wav::muxer',
      'containers::webm::muxer',
    ],
  );
  const r = registry();
  assert.equal(r.get('containers::ogg::muxer')?.contentType?.({}), 'audio/ogg');
  assert.equal(r.get('containers::webm::muxer')?.contentType?.({}), 'audio/webm; codecs="opus"');
  assert.equal(r.get('containers::wav::muxer')?.contentType?.({}), 'audio/wav');
  assert.equal(r.get('containers::wav::demuxer')?.contentType, undefined);
});

test('invalid params are errors naming the param; defaults are applied', () => {
  const r = registry();
  const problems = (kind: string, params: unknown) =>
    r.checkParams(kind, params, {}).problems.map((p) => p.path);
  assert.deepEqual(problems('containers::ogg::muxer', { channels: 3 }), ['/channels']);
  assert.deepEqual(problems('containers::ogg::muxer', { max_page_duration_ms: -1 }), [
    '/max_page_duration_ms',
  ]);
  assert.deepEqual(problems('containers::ogg::muxer', { codec: 'vorbis' }), ['/codec']);
  assert.deepEqual(problems('containers::ogg::muxer', { pre_skip: 'a lot' }), ['/pre_skip']);
  // An unknown key is a warning (StreamKit ignores it), an error under strictParams.
  assert.deepEqual(problems('containers::ogg::muxer', { chanels: 2 }), []);
  assert.deepEqual(
    r.checkParams('containers::ogg::muxer', { chanels: 2 }).warnings.map((w) => w.path),
    ['/chanels'],
  );
  assert.deepEqual(problems('containers::webm::muxer', { streaming_mode: 'vod' }), ['/streaming_mode']);
  assert.deepEqual(problems('containers::webm::muxer', { cluster_duration_ms: 40000 }), [
    '/cluster_duration_ms',
  ]);
  assert.deepEqual(problems('containers::wav::muxer', { sample_format: 's8' }), ['/sample_format']);
  assert.deepEqual(problems('containers::wav::demuxer', { frame_duration_ms: 0 }), ['/frame_duration_ms']);
  assert.deepEqual(problems('containers::ogg::demuxer', { anything: 1 }), []);
  const ok = r.checkParams('containers::ogg::muxer', { channels: 2 }, {});
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.params, {
    stream_serial: 0,
    codec: 'opus',
    channels: 2,
    pre_skip: 312,
    max_page_duration_ms: 1000,
    max_packets_per_page: 255,
    chunk_size: 65536,
  });
});

test('ogg demuxer node: timed Opus packets from arbitrary chunks, ends Stopped', async () => {
  const bytes = readFixture(SPEECH_OGG);
  const expected = demuxAll(bytes).packets;
  const r = await collectNodeOutputs(oggDemuxerNode, {}, binaryChunks(bytes, 1000));
  assert.equal(r.packets.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const p = r.packets[i] as OpusPacket;
    assert.equal(p.kind, 'opus');
    assert.deepEqual(p.data, expected[i].data);
    assert.deepEqual(p.meta, expected[i].meta);
  }
  assert.deepEqual(r.states.at(-1), { Stopped: { reason: 'input_closed' } });
  assert.equal(r.stats.errored, 0);
});

test('ogg demuxer node: non-Ogg input fails with the node id and the reason', async () => {
  const r = await collectNodeOutputs(
    oggDemuxerNode,
    {},
    binaryChunks(readFixture('speech_en_16k_mono.wav'), 8192),
  );
  const last = r.states.at(-1) as { Failed: { reason: string } };
  assert.ok('Failed' in last);
  assert.match(last.Failed.reason, /^Node 'node' \(containers::ogg::demuxer\): .*not Ogg/);
  assert.equal(r.packets.length, 0);
});

test('ogg muxer node: Binary audio/ogg that opusinfo accepts and decodes like the source', async () => {
  const source = readFixture(SPEECH_OGG);
  const { packets } = demuxAll(source);
  const r = await collectNodeOutputs(oggMuxerNode, {}, packets);
  assert.ok(r.packets.every((p) => p.kind === 'binary' && p.contentType === 'audio/ogg'));
  // Header pages plus one output per ~1 s page: far fewer outputs than packets.
  assert.ok(r.packets.length < 25, `${r.packets.length} outputs`);
  await withTempDir((dir) => {
    const path = writeTemp(dir, 'out.ogg', bytesOf(r.packets));
    assert.deepEqual(opusinfo(path).problems, []);
    assert.ok(ffmpegDecode(path, 's16le').equals(ffmpegDecode(writeTemp(dir, 'src.ogg', source), 's16le')));
  });
});

test('wav demuxer node: frames at the file rate and channels with timing metadata', async () => {
  const bytes = readFixture('speech_en_16k_mono.wav');
  const r = await collectNodeOutputs(wavDemuxerNode, {}, binaryChunks(bytes, 3001));
  const audio = r.packets as AudioPacket[];
  assert.ok(audio.every((p) => p.kind === 'audio' && p.sampleRate === 16000 && p.channels === 1));
  assert.equal(audio[0].samples.length, 320, '20 ms at 16 kHz');
  assert.equal(
    audio.reduce((n, p) => n + p.samples.length, 0),
    263152,
  );
  assert.deepEqual(audio[1].meta, { timestampUs: 20000, durationUs: 20000, sequence: 1 });
  const last = audio.at(-1)!;
  assert.equal(last.meta!.timestampUs! + last.meta!.durationUs!, Math.round((263152 * 1e6) / 16000));
  const f = await collectNodeOutputs(
    wavDemuxerNode,
    { frame_duration_ms: 10 },
    binaryChunks(readFixture('tone_1khz_48k_stereo_s24_2s.wav'), 65536),
  );
  assert.equal((f.packets[0] as AudioPacket).samples.length, 480 * 2);
  assert.equal(f.packets.length, 200);
});

test('wav muxer node: live and file modes, s16/f32, read by ffmpeg with the same samples', async () => {
  const bytes = readFixture('tone_440hz_48k_stereo_5s.wav');
  const audio = (await collectNodeOutputs(wavDemuxerNode, {}, binaryChunks(bytes, 8192))).packets;
  await withTempDir(async (dir) => {
    const ref = ffmpegDecode(writeTemp(dir, 'src.wav', bytes), 's16le');
    for (const streaming_mode of ['live', 'file']) {
      for (const sample_format of ['s16', 'f32']) {
        const r = await collectNodeOutputs(wavMuxerNode, { streaming_mode, sample_format }, audio);
        assert.ok(r.packets.every((p) => p.kind === 'binary' && p.contentType === 'audio/wav'));
        const out = bytesOf(r.packets);
        const path = writeTemp(dir, `${streaming_mode}-${sample_format}.wav`, out);
        assert.ok(ffmpegDecode(path, 's16le').equals(ref), `${streaming_mode} ${sample_format}`);
        if (streaming_mode === 'live') assert.equal(r.packets.length, audio.length);
      }
    }
  });
  const changing: AudioPacket[] = [
    { kind: 'audio', sampleRate: 48000, channels: 2, samples: new Float32Array(1920) },
    { kind: 'audio', sampleRate: 44100, channels: 2, samples: new Float32Array(1764) },
  ];
  const failed = await collectNodeOutputs(wavMuxerNode, {}, changing);
  assert.match(
    (failed.states.at(-1) as { Failed: { reason: string } }).Failed.reason,
    /format changed from 48000 Hz/,
  );
});

test('webm muxer node: init segment alone, then chunks with timing; file mode in chunk_size pieces', async () => {
  const { packets } = demuxAll(readFixture(SPEECH_OGG));
  const live = await collectNodeOutputs(webmMuxerNode, {}, packets.slice(0, 120));
  const chunks = live.packets as BinaryPacket[];
  assert.equal(chunks.length, 121);
  assert.deepEqual(Array.from(chunks[0].data.subarray(0, 4)), [0x1a, 0x45, 0xdf, 0xa3]);
  assert.ok(isWebmClusterStart(chunks[1].data));
  assert.ok(isWebmClusterStart(chunks[51].data));
  assert.ok(!isWebmClusterStart(chunks[2].data));
  assert.deepEqual(chunks[2].meta, { timestampUs: 20000, durationUs: 20000, sequence: 2 });
  assert.ok(chunks.every((c) => c.contentType === 'audio/webm; codecs="opus"'));
  const file = await collectNodeOutputs(webmMuxerNode, { streaming_mode: 'file', chunk_size: 4096 }, packets);
  const pieces = file.packets as BinaryPacket[];
  assert.ok(pieces.slice(0, -1).every((p) => p.data.length === 4096));
  await withTempDir((dir) => {
    const path = writeTemp(dir, 'f.webm', bytesOf(pieces));
    const probe = tool('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=duration',
      '-of',
      'csv=p=0',
      path,
    ]);
    assert.equal(probe.stderr, '');
    assert.ok(Math.abs(Number(probe.stdout.toString()) - 16.4535) < 0.002);
  });
});

test('oneshot graph: http bytes -> ogg demuxer -> ogg muxer -> http, checked by opusinfo', async () => {
  const source = readFixture(SPEECH_OGG);
  const yaml = `mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: containers::ogg::muxer
    params: { max_page_duration_ms: 200 }
  - kind: streamkit::http_output
`;
  async function* upload() {
    for (let i = 0; i < source.length; i += 5000) yield source.subarray(i, i + 5000);
  }
  const r = await runOneshotGraph(registry(), yaml, { input: upload() });
  assert.equal(r.contentType, 'audio/ogg');
  assert.deepEqual(r.states.step_2, { Stopped: { reason: 'input_closed' } });
  await withTempDir((dir) => {
    const path = writeTemp(dir, 'out.ogg', r.output);
    const info = opusinfo(path);
    assert.deepEqual(info.problems, []);
    assert.match(info.output, /Page duration:\s+200\.0ms \(max\)/);
    assert.ok(ffmpegDecode(path, 's16le').equals(ffmpegDecode(writeTemp(dir, 's.ogg', source), 's16le')));
  });
});

test('oneshot graph: a canonical s16 WAV survives wav demuxer -> wav muxer (file) byte for byte', async () => {
  const source = readFixture('speech_en_16k_mono.wav');
  const yaml = `mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::wav::demuxer
  - kind: containers::wav::muxer
    params: { streaming_mode: file }
  - kind: streamkit::http_output
`;
  const r = await runOneshotGraph(registry(), yaml, { input: source });
  assert.equal(r.contentType, 'audio/wav');
  assert.ok(Buffer.from(r.output).equals(Buffer.from(source)));
});

test('oneshot graph: a bad param is rejected before running, naming node and param', async () => {
  const yaml = `mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: containers::ogg::muxer
    params: { channels: 6 }
  - kind: streamkit::http_output
`;
  await assert.rejects(runOneshotGraph(registry(), yaml, { input: new Uint8Array(10) }), (e: Error) => {
    assert.match(e.message, /step_2/);
    assert.match(e.message, /channels/);
    return true;
  });
});

test('with audio::opus::encoder: WAV -> Opus -> Ogg and WebM decode to exactly the input length', async (t) => {
  const full = createDefaultRegistry();
  if (!full.get('audio::opus::encoder')) {
    t.skip('audio::opus::encoder is not registered');
    return;
  }
  const source = readFixture('tone_440hz_48k_stereo_5s.wav');
  await withTempDir(async (dir) => {
    for (const [mux, ext] of [
      ['containers::ogg::muxer', 'ogg'],
      ['containers::webm::muxer\n    params: { streaming_mode: file }', 'webm'],
    ]) {
      const yaml = `mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::wav::demuxer
  - kind: audio::opus::encoder
  - kind: ${mux}
  - kind: streamkit::http_output
`;
      const r = await runOneshotGraph(full, yaml, { input: source });
      const path = writeTemp(dir, `enc.${ext}`, r.output);
      if (ext === 'ogg') assert.deepEqual(opusinfo(path).problems, []);
      assert.equal(ffmpegDecode(path, 's16le').length, 5 * 48000 * 4, ext);
    }
  });
});

test('muxer nodes drop in-band OpusHead/OpusTags packets instead of counting them as errors', async () => {
  const { packets } = demuxAll(readFixture(SPEECH_OGG));
  const head: OpusPacket = { kind: 'opus', data: buildOpusHead({ channels: 2, preSkip: 312 }) };
  const tags: OpusPacket = { kind: 'opus', data: buildOpusTags('x') };
  for (const def of [oggMuxerNode, webmMuxerNode]) {
    const r = await collectNodeOutputs(def, {}, [head, tags, ...packets.slice(0, 10)]);
    assert.equal(r.stats.discarded, 2, def.kind);
    assert.equal(r.stats.errored, 0, def.kind);
  }
});
