// Ogg Opus: TOC parsing, CRC, the streaming demuxer (chunking, corruption, timing) and the muxer (page
// layout, flush policy, granules, end trim), checked against opusinfo, opusdec and ffmpeg.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  demuxAll,
  ffmpegDecode,
  fixturePath,
  opusinfo,
  readFixture,
  seededRandom,
  tool,
  withTempDir,
  writeTemp,
} from '../../testing/containers';
import { oggCrc } from './crc';
import {
  buildOpusHead,
  buildOpusTags,
  isOpusHead,
  isOpusTags,
  parseOpusHead,
  parseOpusTags,
} from './opus-head';
import { OggOpusMuxer, type OggOpusMuxerOptions } from './opus-muxer';
import { OggOpusDemuxer } from './opus-demuxer';
import { OggPageReader, type OggPage } from './page-reader';
import { OGG_FLAG_BOS, OGG_FLAG_CONTINUED, OGG_FLAG_EOS, OggPageWriter } from './page-writer';
import {
  opusPacketDurationUs,
  opusPacketIsStereo,
  opusPacketSamples,
  opusSamplesToUs,
  opusUsToSamples,
} from './opus-toc';

const SPEECH = 'speech_en_48k_stereo.opus.ogg';

interface PageInfo {
  flags: number;
  granule: number;
  serial: number;
  sequence: number;
  packets: number;
  bytes: number;
}

function pagesOf(bytes: Uint8Array): { pages: PageInfo[]; corrupt: number } {
  const r = new OggPageReader();
  r.push(bytes);
  const pages: PageInfo[] = [];
  let p: OggPage | undefined;
  while ((p = r.next()) !== undefined) {
    let packets = 0;
    for (const l of p.lacing) if (l < 255) packets++;
    pages.push({
      flags: p.flags,
      granule: p.granule,
      serial: p.serial,
      sequence: p.sequence,
      packets,
      bytes: 27 + p.lacing.length + p.body.length,
    });
  }
  return { pages, corrupt: r.corruptPages };
}

function muxAll(
  packets: { data: Uint8Array; meta?: { durationUs?: number } }[],
  opts: Partial<OggOpusMuxerOptions>,
) {
  const m = new OggOpusMuxer({
    serial: 7,
    preSkip: 312,
    maxPageDurationMs: 1000,
    maxPacketsPerPage: 255,
    ...opts,
  });
  const chunks: Uint8Array[] = [];
  for (const p of packets) {
    const b = m.write(p.data, p.meta?.durationUs);
    if (b) chunks.push(b);
  }
  chunks.push(m.end());
  return { bytes: new Uint8Array(Buffer.concat(chunks)), muxer: m };
}

test('opusPacketSamples reads frame size and count from the TOC', () => {
  const toc = (config: number, stereo: boolean, code: number) => (config << 3) | (stereo ? 4 : 0) | code;
  assert.equal(opusPacketSamples(new Uint8Array([toc(31, false, 0), 1])), 960); // CELT FB 20 ms
  assert.equal(opusPacketSamples(new Uint8Array([toc(16, false, 0)])), 120); // CELT NB 2.5 ms
  assert.equal(opusPacketSamples(new Uint8Array([toc(3, false, 0)])), 2880); // SILK NB 60 ms
  assert.equal(opusPacketSamples(new Uint8Array([toc(14, false, 0)])), 480); // Hybrid 10 ms
  assert.equal(opusPacketSamples(new Uint8Array([toc(31, true, 1), 1, 1])), 1920); // two equal frames
  assert.equal(opusPacketSamples(new Uint8Array([toc(31, true, 2), 1, 1, 1])), 1920);
  assert.equal(opusPacketSamples(new Uint8Array([toc(16, false, 3), 3])), 360); // code 3: 3 x 2.5 ms
  assert.equal(opusPacketSamples(new Uint8Array([toc(3, false, 3), 2])), 5760); // 2 x 60 ms = 120 ms
  assert.equal(opusPacketSamples(new Uint8Array([toc(3, false, 3), 3])), 0, 'over 120 ms is invalid');
  assert.equal(opusPacketSamples(new Uint8Array([toc(31, false, 3)])), 0, 'code 3 without a count byte');
  assert.equal(opusPacketSamples(new Uint8Array(0)), 0);
  assert.equal(opusPacketIsStereo(new Uint8Array([toc(31, true, 0)])), true);
  assert.equal(opusPacketIsStereo(new Uint8Array([toc(31, false, 0)])), false);
  for (const s of [120, 240, 480, 537, 960, 1920, 2880, 5760])
    assert.equal(opusUsToSamples(opusSamplesToUs(s)), s);
  // Duration for packets that arrive without timing (MoQ): the fallback only for a malformed packet.
  assert.equal(opusPacketDurationUs(new Uint8Array([toc(16, false, 3), 3])), 7500);
  assert.equal(opusPacketDurationUs(new Uint8Array([toc(31, false, 0), 1])), 20_000);
  assert.equal(opusPacketDurationUs(new Uint8Array(0), 40_000), 40_000);
  assert.equal(opusPacketDurationUs(new Uint8Array([toc(3, false, 3), 3])), 20_000, 'over 120 ms');
});

test('oggCrc matches the checksum stored in a real page, and slice-by-4 equals bytewise', () => {
  const bytes = readFixture(SPEECH);
  const nsegs = bytes[26];
  let len = 27 + nsegs;
  for (let i = 0; i < nsegs; i++) len += bytes[27 + i];
  const page = bytes.slice(0, len);
  const stored = Buffer.from(page.subarray(22, 26)).readUInt32LE(0);
  page.fill(0, 22, 26);
  assert.equal(oggCrc(page), stored);
  let c = 0;
  for (let i = 0; i < page.length; i++) c = oggCrc(page, i, i + 1, c);
  assert.equal(c, stored);
});

test('OpusHead and OpusTags round-trip', () => {
  const head = buildOpusHead({ channels: 2, preSkip: 312, inputSampleRate: 44100 });
  assert.equal(head.length, 19);
  assert.ok(isOpusHead(head));
  assert.deepEqual(parseOpusHead(head), {
    version: 1,
    channels: 2,
    preSkip: 312,
    inputSampleRate: 44100,
    outputGain: 0,
    mappingFamily: 0,
  });
  assert.throws(() => buildOpusHead({ channels: 3, preSkip: 0 }), /1 or 2/);
  const tags = buildOpusTags('v', ['TITLE=ä']);
  assert.ok(isOpusTags(tags));
  assert.deepEqual(parseOpusTags(tags), { vendor: 'v', comments: ['TITLE=ä'] });
  assert.throws(() => parseOpusTags(tags.subarray(0, tags.length - 1)), /truncated/);
});

test('demuxer: packets, timing from granules and TOC, end trim, against opusinfo and ffprobe', async () => {
  const bytes = readFixture(SPEECH);
  const { packets, head, demuxer, warnings } = demuxAll(bytes);
  assert.deepEqual(warnings, []);
  assert.equal(head.channels, 2);
  assert.equal(head.preSkip, 312);
  // ffprobe sees the same packets with the same sizes.
  const probeArgs = [
    '-v',
    'error',
    '-select_streams',
    'a',
    '-show_entries',
    'packet=size',
    '-of',
    'csv=p=0',
    '-',
  ];
  const probe = tool('ffprobe', probeArgs, bytes);
  const sizes = probe.stdout
    .toString()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => parseInt(l, 10));
  assert.deepEqual(
    packets.map((p) => p.data.length),
    sizes,
  );
  assert.deepEqual(packets[0].meta, { timestampUs: 0, durationUs: 20000, sequence: 0 });
  let t = 0;
  for (let i = 0; i < packets.length; i++) {
    const m = packets[i].meta!;
    assert.equal(m.sequence, i);
    assert.equal(m.timestampUs, opusSamplesToUs(t));
    t += opusPacketSamples(packets[i].data);
  }
  // The last page's granule trims the final packet; playback length = granule - pre-skip.
  const { pages } = pagesOf(bytes);
  const lastGranule = pages[pages.length - 1].granule;
  const total = packets.reduce((n, p) => n + opusUsToSamples(p.meta!.durationUs!), 0);
  assert.equal(total, lastGranule);
  assert.ok(opusUsToSamples(packets[packets.length - 1].meta!.durationUs!) < 960);
  const info = await withTempDir((dir) => opusinfo(writeTemp(dir, 'in.ogg', bytes)));
  const m = /Playback length: (\d+)m:([\d.]+)s/.exec(info.output);
  assert.ok(m);
  // opusinfo truncates to the millisecond.
  const ms = (Number(m[1]) * 60 + Number(m[2])) * 1000;
  assert.ok(Math.abs((total - 312) / 48 - ms) < 1, `${(total - 312) / 48} vs ${ms}`);
  assert.equal(demuxer.stats.corruptPages, 0);
});

test('demuxer: identical packets whatever the input chunking', () => {
  const bytes = readFixture(SPEECH);
  const whole = demuxAll(bytes, bytes.length).packets;
  const rnd = seededRandom(42);
  const d = new OggOpusDemuxer();
  const got = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(rnd() * 700);
    d.push(bytes.subarray(i, i + n));
    i += n;
    let p;
    while ((p = d.read()) !== undefined) got.push(p);
  }
  d.end();
  assert.equal(got.length, whole.length);
  for (let i = 0; i < got.length; i++) {
    assert.deepEqual(got[i].data, whole[i].data);
    assert.deepEqual(got[i].meta, whole[i].meta);
  }
});

test('demuxer: skips a corrupt page (CRC) and garbage, keeps the rest with correct timing', () => {
  const bytes = readFixture(SPEECH);
  const { pages } = pagesOf(bytes);
  const clean = demuxAll(bytes).packets;
  // Corrupt one byte in the body of page 5.
  let off = 0;
  for (let i = 0; i < 5; i++) off += pages[i].bytes;
  const broken = bytes.slice();
  broken[off + pages[5].bytes - 10] ^= 0xff;
  const withGarbage = Buffer.concat([new Uint8Array(100).fill(7), broken]);
  const r = demuxAll(withGarbage, 333);
  assert.equal(r.demuxer.stats.corruptPages, 1);
  assert.equal(r.demuxer.stats.skippedBytes >= 100, true);
  assert.ok(r.warnings.some((w) => /sequence jumped/.test(w)));
  const lostPackets = clean.length - r.packets.length;
  assert.ok(
    lostPackets >= pages[5].packets - 1 && lostPackets <= pages[5].packets + 1,
    `lost ${lostPackets}`,
  );
  // Packets after the hole keep their true timestamps (placed against the next page's granule).
  const lastClean = clean[clean.length - 1];
  const lastGot = r.packets[r.packets.length - 1];
  assert.deepEqual(lastGot.data, lastClean.data);
  assert.equal(lastGot.meta!.timestampUs, lastClean.meta!.timestampUs);
});

test('demuxer: rejects input that is not Ogg, and Ogg without Opus', () => {
  const wav = readFixture('tone_440hz_48k_stereo_5s.wav');
  assert.throws(() => new OggOpusDemuxer().push(wav), /not Ogg/);
  const d = new OggOpusDemuxer();
  d.push(wav.subarray(0, 1000));
  assert.throws(() => d.end(), /no Ogg page/);
  // A lone non-Opus logical stream.
  const w = new OggPageWriter(3);
  const other = new OggOpusDemuxer();
  other.push(w.writePages([new TextEncoder().encode('\x01vorbis')], [0], 1, true));
  assert.throws(() => other.end(), /no Opus stream/);
});

test('demuxer: picks the first Opus stream among several logical streams', () => {
  const { packets } = demuxAll(readFixture(SPEECH));
  const opus = muxAll(packets.slice(0, 100), { serial: 1 }).bytes;
  // Interleave a foreign stream's pages (BOS first, as Ogg requires) with the Opus pages.
  const foreign = new OggPageWriter(99);
  const foreignBos = foreign.writePages([new TextEncoder().encode('\x80theora')], [0], 1, false);
  const opusPages = pagesOf(opus).pages;
  const parts: Uint8Array[] = [foreignBos];
  let o = 0;
  for (const p of opusPages) {
    parts.push(opus.subarray(o, o + p.bytes));
    o += p.bytes;
    parts.push(foreign.writePages([new Uint8Array(300).fill(1)], [5], 1, false));
  }
  const r = demuxAll(Buffer.concat(parts));
  assert.equal(r.packets.length, 100);
  assert.ok(r.demuxer.stats.foreignPages > 0);
  assert.deepEqual(r.packets[99].data, packets[99].data);
});

test("demuxer: reads StreamKit's layout (OpusTags sharing a page, an empty EOS packet)", () => {
  const { packets } = demuxAll(readFixture(SPEECH));
  const w = new OggPageWriter(5);
  const parts = [
    w.writePages([buildOpusHead({ channels: 2, preSkip: 0 })], [0], 1, false),
    w.writePages([buildOpusTags('streamkit'), packets[0].data], [0, 960], 2, false),
  ];
  for (let i = 1; i < 20; i++) parts.push(w.writePages([packets[i].data], [(i + 1) * 960], 1, false));
  parts.push(w.writePages([new Uint8Array(0)], [20 * 960], 1, true));
  const r = demuxAll(Buffer.concat(parts), 100);
  assert.equal(r.packets.length, 20);
  r.packets.forEach((p, i) =>
    assert.deepEqual(p.meta, { timestampUs: i * 20000, durationUs: 20000, sequence: i }),
  );
  assert.ok(r.warnings.some((m) => /share the OpusTags page/.test(m)));
  assert.equal(r.demuxer.stats.droppedPackets, 1, 'the empty packet');
});

test('muxer: page layout, flags, sequence numbers and granules from sample counts', () => {
  const { packets } = demuxAll(readFixture(SPEECH));
  const { bytes } = muxAll(packets, { maxPageDurationMs: 200 });
  const { pages, corrupt } = pagesOf(bytes);
  assert.equal(corrupt, 0);
  assert.equal(pages[0].flags, OGG_FLAG_BOS);
  assert.equal(pages[0].packets, 1);
  assert.equal(pages[0].granule, 0);
  assert.equal(pages[1].flags, 0);
  assert.equal(pages[1].packets, 1, 'OpusTags alone on its page');
  assert.equal(pages[1].granule, 0);
  pages.forEach((p, i) => assert.equal(p.sequence, i));
  assert.equal(pages[pages.length - 1].flags, OGG_FLAG_EOS);
  for (const p of pages.slice(2, -1)) {
    assert.equal(p.flags & (OGG_FLAG_EOS | OGG_FLAG_BOS | OGG_FLAG_CONTINUED), 0);
    assert.equal(p.packets, 10, '200 ms of 20 ms packets per page');
  }
  let granule = 0;
  let k = 0;
  for (const p of pages.slice(2)) {
    for (let i = 0; i < p.packets; i++) granule += opusPacketSamples(packets[k++].data);
    if (p !== pages[pages.length - 1]) assert.equal(p.granule, granule);
  }
  // The end trim carried by the last packet's durationUs lands on the final granule.
  const original = pagesOf(readFixture(SPEECH)).pages;
  assert.equal(pages[pages.length - 1].granule, original[original.length - 1].granule);
});

test('muxer: demux -> mux round trip passes opusinfo, opusdec and ffmpeg with the same samples', async () => {
  const source = readFixture(SPEECH);
  const { packets } = demuxAll(source);
  await withTempDir((dir) => {
    for (const maxPageDurationMs of [0, 1000]) {
      const { bytes } = muxAll(packets, { maxPageDurationMs });
      const path = writeTemp(dir, `re${maxPageDurationMs}.ogg`, bytes);
      const info = opusinfo(path);
      assert.deepEqual(info.problems, [], info.output);
      assert.equal(info.status, 0);
      assert.match(info.output, /Channels: 2/);
      const dec = tool('opusdec', ['--quiet', path, `${dir}/out.wav`]);
      assert.equal(dec.status, 0, dec.stderr);
      const ours = ffmpegDecode(path, 's16le');
      const ref = ffmpegDecode(writeTemp(dir, 'src.ogg', source), 's16le');
      assert.equal(ours.length, ref.length);
      assert.ok(ours.equals(ref), 'decoded audio identical to the source file');
    }
    const onePerPage = muxAll(packets, { maxPageDurationMs: 0 }).bytes.length;
    const fifty = muxAll(packets, { maxPageDurationMs: 1000 }).bytes.length;
    assert.ok(fifty < onePerPage, 'bigger pages cost less overhead');
  });
});

test('muxer: exact end trim from the last durationUs; ffmpeg decodes exactly that many samples', async () => {
  const { packets } = demuxAll(readFixture(SPEECH));
  const some = packets.slice(0, 50).map((p) => ({ data: p.data, meta: { durationUs: 20000 } }));
  some[49] = { data: some[49].data, meta: { durationUs: opusSamplesToUs(123) } };
  const { bytes } = muxAll(some, { maxPageDurationMs: 100 });
  const { pages } = pagesOf(bytes);
  assert.equal(pages[pages.length - 1].granule, 49 * 960 + 123);
  await withTempDir((dir) => {
    const path = writeTemp(dir, 'trim.ogg', bytes);
    assert.deepEqual(opusinfo(path).problems, []);
    const pcm = ffmpegDecode(path, 's16le', []);
    assert.equal(pcm.length / 4, 49 * 960 + 123 - 312);
  });
  // A shorter durationUs on a packet that is not the last has no effect.
  const mid = packets
    .slice(0, 10)
    .map((p, i) => ({ data: p.data, meta: { durationUs: i === 4 ? 1000 : 20000 } }));
  const midPages = pagesOf(muxAll(mid, {}).bytes).pages;
  assert.equal(midPages[midPages.length - 1].granule, 9600);
});

test('opusenc streams of 2.5 ms and 60 ms frames keep exact timing and granules through a remux', async () => {
  await withTempDir((dir) => {
    for (const [frameMs, samples] of [
      ['2.5', 120],
      ['60', 2880],
    ] as const) {
      const src = `${dir}/f${frameMs}.opus`;
      const enc = tool('opusenc', [
        '--quiet',
        '--framesize',
        frameMs,
        fixturePath('tone_440hz_48k_stereo_5s.wav'),
        src,
      ]);
      assert.equal(enc.status, 0, enc.stderr);
      const bytes = new Uint8Array(readFileSync(src));
      const { packets, head } = demuxAll(bytes, 1500);
      for (let i = 0; i < packets.length - 1; i++) {
        assert.equal(packets[i].meta!.timestampUs, opusSamplesToUs(i * samples));
        assert.equal(opusPacketSamples(packets[i].data), samples);
      }
      const total = packets.reduce((n, p) => n + opusUsToSamples(p.meta!.durationUs!), 0);
      assert.equal(total - head.preSkip, 5 * 48000, 'the demuxed durations add up to the real length');
      const remuxed = muxAll(packets, { preSkip: head.preSkip }).bytes;
      const last = pagesOf(remuxed).pages.at(-1)!;
      assert.equal(last.granule, pagesOf(bytes).pages.at(-1)!.granule);
      const path = writeTemp(dir, `re${frameMs}.ogg`, remuxed);
      assert.deepEqual(opusinfo(path).problems, []);
      assert.ok(ffmpegDecode(path, 's16le').equals(ffmpegDecode(src, 's16le')));
    }
  });
});

test('muxer: channels follow the stream unless set; a mismatch is reported', () => {
  const mono = demuxAll(readFixture('speech_10m_mono.opus.ogg'), 65536).packets.slice(0, 20);
  const auto = demuxAll(muxAll(mono, {}).bytes);
  assert.equal(auto.head.channels, 1);
  const warnings: string[] = [];
  const forced = demuxAll(muxAll(mono, { channels: 2, onWarning: (w) => warnings.push(w) }).bytes);
  assert.equal(forced.head.channels, 2);
  assert.match(warnings[0], /coded mono/);
  const stereo = demuxAll(readFixture(SPEECH)).packets.slice(0, 5);
  assert.equal(demuxAll(muxAll(stereo, {}).bytes).head.channels, 2);
});

test('muxer: packets over 255 segments continue across pages; invalid packets are refused', () => {
  const big = new Uint8Array(70000).fill(9);
  big[0] = (31 << 3) | 0; // one 20 ms CELT frame (the payload is not decodable, the layout is what matters)
  const m = new OggOpusMuxer({ serial: 1, preSkip: 312, maxPageDurationMs: 0, maxPacketsPerPage: 255 });
  const chunks = [
    m.write(big),
    m.write(new Uint8Array(0)),
    m.write(new Uint8Array([(31 << 3) | 0, 1])),
    m.end(),
  ];
  assert.equal(m.invalidPackets, 1);
  const bytes = Buffer.concat(chunks.filter((c): c is Uint8Array => c !== undefined));
  const { pages } = pagesOf(bytes);
  // head, tags, then the big packet over two pages (continued), then the small one with EOS.
  assert.equal(pages.length, 5);
  assert.equal(pages[2].granule, -1);
  assert.equal(pages[3].flags & OGG_FLAG_CONTINUED, OGG_FLAG_CONTINUED);
  assert.equal(pages[3].granule, 960);
  assert.equal(pages[4].granule, 1920);
  const r = demuxAll(bytes, 1000);
  assert.equal(r.packets.length, 2);
  assert.deepEqual(r.packets[0].data, big);
});

test('muxer: with no packets still writes a valid, empty stream', async () => {
  const m = new OggOpusMuxer({
    serial: 1,
    preSkip: 312,
    maxPageDurationMs: 0,
    maxPacketsPerPage: 1,
    channels: 1,
  });
  const bytes = m.end();
  const { pages } = pagesOf(bytes);
  assert.equal(pages.length, 2);
  assert.equal(pages[1].flags, OGG_FLAG_EOS);
  const d = new OggOpusDemuxer();
  d.push(bytes);
  d.end();
  assert.equal(d.read(), undefined);
  assert.equal(d.head?.channels, 1);
});

test('performance: demux and mux stay in microseconds per packet', () => {
  const bytes = readFixture('speech_10m_mono.opus.ogg');
  let t = performance.now();
  const { packets } = demuxAll(bytes, 8192);
  const demuxUs = ((performance.now() - t) * 1000) / packets.length;
  t = performance.now();
  muxAll(packets, {});
  const muxUs = ((performance.now() - t) * 1000) / packets.length;
  // Generous bounds for slow CI machines; the benchmark reports the real figures.
  assert.ok(demuxUs < 30, `demux ${demuxUs.toFixed(2)} us/packet`);
  assert.ok(muxUs < 30, `mux ${muxUs.toFixed(2)} us/packet`);
});
