// WebM: EBML encoding, live chunks (init segment, Cluster starts, late joiners) and files (sizes, Cues,
// Duration, DiscardPadding), checked by parsing the output and by ffprobe/ffmpeg decoding it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demuxAll, ffmpegDecode, readFixture, tool, withTempDir, writeTemp } from '../../testing/containers';
import { opusPacketSamples, opusUsToSamples } from '../ogg/opus-toc';
import { EBML_UNKNOWN_SIZE, EbmlWriter } from './ebml';
import { isWebmClusterStart, WebmOpusMuxer, type WebmOpusMuxerOptions } from './opus-muxer';

const SPEECH = 'speech_en_48k_stereo.opus.ogg';

interface Element {
  id: number;
  /** -1 for unknown size. */
  size: number;
  start: number;
  dataStart: number;
  children?: Element[];
}

const MASTERS = new Set([
  0x1a45dfa3, 0x18538067, 0x114d9b74, 0x4dbb, 0x1549a966, 0x1654ae6b, 0xae, 0xe1, 0x1f43b675, 0xa0,
  0x1c53bb6b, 0xbb, 0xb7,
]);

function readVint(b: Uint8Array, at: number, keepMarker: boolean): [number, number] {
  const first = b[at];
  let len = 1;
  while (len <= 8 && !(first & (0x80 >> (len - 1)))) len++;
  let v = keepMarker ? first : first & (0xff >> len);
  let allOnes = v === 0xff >> len;
  for (let i = 1; i < len; i++) {
    v = v * 256 + b[at + i];
    if (b[at + i] !== 0xff) allOnes = false;
  }
  return [!keepMarker && allOnes ? -1 : v, len];
}

/** Parses EBML elements in [start, end); unknown-size masters extend to `end` (enough for one Segment). */
function parse(b: Uint8Array, start: number, end: number): Element[] {
  const out: Element[] = [];
  let o = start;
  while (o < end) {
    const [id, idLen] = readVint(b, o, true);
    const [size, sizeLen] = readVint(b, o + idLen, false);
    const dataStart = o + idLen + sizeLen;
    const e: Element = { id, size, start: o, dataStart };
    const stop = size === -1 ? end : dataStart + size;
    if (MASTERS.has(id)) {
      // A live Cluster of unknown size ends where the next Cluster starts.
      const children = parse(b, dataStart, stop);
      const next = id === 0x1f43b675 && size === -1 ? children.findIndex((c) => c.id === 0x1f43b675) : -1;
      if (next >= 0) {
        e.children = children.slice(0, next);
        out.push(e, ...children.slice(next));
        return out;
      }
      e.children = children;
    }
    out.push(e);
    o = stop;
  }
  return out;
}

function uintOf(b: Uint8Array, e: Element): number {
  let v = 0;
  for (let i = 0; i < e.size; i++) v = v * 256 + b[e.dataStart + i];
  return v;
}

function child(e: Element, id: number): Element {
  const c = e.children?.find((x) => x.id === id);
  assert.ok(c, `element 0x${id.toString(16)} in 0x${e.id.toString(16)}`);
  return c;
}

function mux(opts: Partial<WebmOpusMuxerOptions>, count?: number) {
  const { packets } = demuxAll(readFixture(SPEECH));
  const use = count === undefined ? packets : packets.slice(0, count);
  const m = new WebmOpusMuxer({
    mode: 'live',
    sampleRate: 48000,
    preSkip: 312,
    clusterDurationMs: 1000,
    ...opts,
  });
  const chunks: Uint8Array[] = [];
  for (const p of use) {
    const c = m.write(p.data, p.meta?.timestampUs, p.meta?.durationUs);
    if (c) {
      if (chunks.length === 0) chunks.push(m.initSegment!);
      chunks.push(c);
    }
  }
  const rest = m.end();
  if (rest.length > 0) chunks.push(rest);
  return { chunks, packets: use, muxer: m, bytes: new Uint8Array(Buffer.concat(chunks)) };
}

test('EbmlWriter: vint sizes, unknown size, integers and patched masters', () => {
  const w = new EbmlWriter(4);
  w.size(0).size(126).size(127).size(16382).size(EBML_UNKNOWN_SIZE).size(5, 8);
  assert.deepEqual(
    Array.from(w.bytes()),
    [
      0x80, 0xfe, 0x40, 0x7f, 0x7f, 0xfe, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0,
      0, 5,
    ],
  );
  const u = new EbmlWriter().uint(0xe7, 0).uint(0xe7, 300).int(0x75a2, -2).int(0x75a2, 6_500_000);
  assert.deepEqual(
    Array.from(u.bytes()),
    [0xe7, 0x81, 0, 0xe7, 0x82, 1, 44, 0x75, 0xa2, 0x81, 0xfe, 0x75, 0xa2, 0x83, 0x63, 0x2e, 0xa0],
  );
  const m = new EbmlWriter();
  const mark = m.beginMaster(0x1a45dfa3);
  m.uint(0x4286, 1);
  m.endMaster(mark);
  assert.deepEqual(
    Array.from(m.bytes()),
    [0x1a, 0x45, 0xdf, 0xa3, 0x01, 0, 0, 0, 0, 0, 0, 4, 0x42, 0x86, 0x81, 1],
  );
});

test('live: init segment, then one chunk per packet, Clusters every second; ffprobe and ffmpeg accept it', async () => {
  const { chunks, packets, bytes } = mux({ mode: 'live' });
  assert.equal(chunks.length, packets.length + 1);
  const init = parse(chunks[0], 0, chunks[0].length);
  assert.deepEqual(
    init.map((e) => e.id),
    [0x1a45dfa3, 0x18538067],
  );
  assert.equal(init[1].size, -1, 'live Segment has an unknown size');
  const seg = init[1].children!;
  assert.deepEqual(
    seg.map((e) => e.id),
    [0x1549a966, 0x1654ae6b],
  );
  const entry = child(child(init[1], 0x1654ae6b), 0xae);
  assert.equal(uintOf(chunks[0], child(entry, 0x56aa)), 6_500_000, 'CodecDelay = 312 samples in ns');
  assert.equal(uintOf(chunks[0], child(entry, 0x56bb)), 80_000_000, 'SeekPreRoll');
  assert.equal(uintOf(chunks[0], child(child(entry, 0xe1), 0x9f)), 2);
  const starts = chunks
    .slice(1)
    .map((c, i) => (isWebmClusterStart(c) ? i : -1))
    .filter((i) => i >= 0);
  assert.deepEqual(starts.slice(0, 4), [0, 50, 100, 150]);
  await withTempDir((dir) => {
    const path = writeTemp(dir, 'live.webm', bytes);
    const probe = tool('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,channels',
      '-of',
      'csv=p=0',
      path,
    ]);
    assert.equal(probe.stderr, '');
    assert.equal(probe.stdout.toString().trim(), 'opus,2');
    const pcm = ffmpegDecode(path, 's16le');
    const total = packets.reduce((n, p) => n + opusPacketSamples(p.data), 0);
    // Live mode cannot know the end, so only the codec delay is trimmed.
    assert.equal(pcm.length / 4, total - 312);
    // A late joiner: init segment, then the chunks from a Cluster start onwards.
    const late = Buffer.concat([chunks[0], ...chunks.slice(1 + starts[3])]);
    const latePcm = ffmpegDecode(writeTemp(dir, 'late.webm', late), 's16le');
    assert.ok(latePcm.length / 4 >= (packets.length - starts[3]) * 960 - 960);
  });
});

test('file: known sizes, SeekHead, Duration, Cues and an exact end trim (DiscardPadding)', async () => {
  const { bytes, packets } = mux({ mode: 'file' });
  const top = parse(bytes, 0, bytes.length);
  assert.deepEqual(
    top.map((e) => e.id),
    [0x1a45dfa3, 0x18538067],
  );
  const seg = top[1];
  assert.equal(seg.dataStart + seg.size, bytes.length);
  const ids = seg.children!.map((e) => e.id);
  assert.equal(ids[0], 0x114d9b74);
  assert.equal(ids.at(-1), 0x1c53bb6b);
  const clusters = seg.children!.filter((e) => e.id === 0x1f43b675);
  assert.equal(clusters.length, 17);
  // Every CuePoint points at a Cluster, relative to the Segment's data.
  const cues = child(seg, 0x1c53bb6b).children!;
  assert.equal(cues.length, clusters.length);
  cues.forEach((cp, i) => {
    const pos = uintOf(bytes, child(child(cp, 0xb7), 0xf1));
    assert.equal(seg.dataStart + pos, clusters[i].start);
  });
  // SeekHead entries point at Info, Tracks and Cues.
  for (const seek of child(seg, 0x114d9b74).children!) {
    const pos = uintOf(bytes, child(seek, 0x53ac));
    const target = seg.children!.find((e) => e.start === seg.dataStart + pos);
    assert.ok(target, 'SeekPosition lands on an element');
  }
  const last = clusters.at(-1)!.children!.at(-1)!;
  assert.equal(last.id, 0xa0, 'the trimmed final packet is a BlockGroup');
  const trimmedSamples = 960 - opusUsToSamples(packets.at(-1)!.meta!.durationUs!);
  assert.ok(trimmedSamples > 0);
  assert.equal(uintOf(bytes, child(last, 0x75a2)), Math.round((trimmedSamples * 1e9) / 48000));
  await withTempDir((dir) => {
    const path = writeTemp(dir, 'file.webm', bytes);
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
    assert.ok(Math.abs(Number(probe.stdout.toString().trim()) - 16.4535) < 0.002);
    const pcm = ffmpegDecode(path, 's16le');
    const ogg = ffmpegDecode(writeTemp(dir, 'src.ogg', readFixture(SPEECH)), 's16le');
    assert.equal(pcm.length, ogg.length, 'same samples as the Ogg source, end trim included');
    assert.ok(pcm.equals(ogg));
    const seek = tool('ffmpeg', ['-v', 'error', '-ss', '10', '-i', path, '-f', 'null', '-']);
    assert.equal(seek.stderr, '');
  });
});

test('timeline: sample clock from TOCs, skips forward over timestamp gaps, mono follows the stream', () => {
  const { packets } = demuxAll(readFixture('speech_10m_mono.opus.ogg'), 65536);
  const m = new WebmOpusMuxer({ mode: 'live', sampleRate: 48000, preSkip: 312, clusterDurationMs: 1000 });
  m.write(packets[0].data, 5_000_000);
  assert.equal(m.lastPacketStartUs, 0);
  m.write(packets[1].data, 5_020_000);
  assert.equal(m.lastPacketStartUs, 20_000);
  m.write(packets[2].data, 8_000_000);
  assert.equal(m.lastPacketStartUs, 3_000_000, 'a gap in timestamps moves the clock forward');
  const channels = parse(m.initSegment!, 0, m.initSegment!.length)[1];
  const entry = child(child(channels, 0x1654ae6b), 0xae);
  assert.equal(uintOf(m.initSegment!, child(child(entry, 0xe1), 0x9f)), 1);
  assert.throws(
    () => new WebmOpusMuxer({ mode: 'live', sampleRate: 48000, preSkip: 0, clusterDurationMs: 40000 }),
    /1\.\.32767/,
  );
});

test('performance: live muxing costs microseconds per packet', () => {
  const { packets } = demuxAll(readFixture('speech_10m_mono.opus.ogg'), 65536);
  for (const mode of ['live', 'file'] as const) {
    const m = new WebmOpusMuxer({ mode, sampleRate: 48000, preSkip: 312, clusterDurationMs: 1000 });
    const t = performance.now();
    for (const p of packets) m.write(p.data, p.meta?.timestampUs, p.meta?.durationUs);
    m.end();
    const us = ((performance.now() - t) * 1000) / packets.length;
    assert.ok(us < 40, `${mode}: ${us.toFixed(2)} us/packet`);
  }
});
