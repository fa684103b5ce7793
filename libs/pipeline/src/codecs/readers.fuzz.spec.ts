// Fuzz: the media readers (Ogg, WAV, FLAC, MP3) on damaged real files, other formats and noise, in any
// chunking: audio, or a MediaError that says what is wrong; never another exception, a hang or runaway
// memory. The WebM muxer (there is no WebM reader) takes any packets without throwing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { MediaError } from '../core/media-error';
import { chunked, damaged, fuzzParams, fuzzTimeoutMs } from '../testing/fuzz';
import { fixturePath } from './dsp/reference-tools';
import type { PcmChunk } from './dsp/pcm-chunk';
import { FlacStreamDecoder } from './flac/decoder';
import { Mp3StreamDecoder } from './mp3/decoder';
import { OggOpusDemuxer } from './ogg/opus-demuxer';
import { WavReader } from './wav/reader';
import { WebmOpusMuxer } from './webm/opus-muxer';

// Heads of real files keep each case fast; the damage lands where the headers are.
const head = (name: string, n: number) => readFileSync(fixturePath(name)).subarray(0, n);
const OGG = head('speech_en_48k_stereo.opus.ogg', 24_000);
const WAV = head('speech_en_16k_mono.wav', 16_000);
const FLAC = head('speech_en_16k_mono.flac', 24_000);
const MP3 = head('speech_en_16k_mono.mp3', 24_000);

function input(real: Uint8Array): fc.Arbitrary<{ bytes: Uint8Array; sizes: number[] }> {
  const others = [OGG, WAV, FLAC, MP3].filter((b) => b !== real);
  return fc.record({
    bytes: fc.oneof(
      { weight: 6, arbitrary: damaged(real) },
      { weight: 1, arbitrary: fc.constantFrom(...others) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20_000 }) },
    ),
    sizes: fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 }),
  });
}

function onlyMediaErrors(run: () => void): void {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof MediaError, `not a MediaError: ${(err as Error)?.stack ?? String(err)}`);
  }
}

async function onlyMediaErrorsAsync(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof MediaError, `not a MediaError: ${(err as Error)?.stack ?? String(err)}`);
  }
}

function heapGuard(): () => void {
  const before = process.memoryUsage().heapUsed;
  return () => {
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 256 * 1048576, `heap grew by ${grown} bytes`);
  };
}

test('Ogg Opus demuxer', { timeout: fuzzTimeoutMs() }, () => {
  const done = heapGuard();
  fc.assert(
    fc.property(input(OGG), ({ bytes, sizes }) =>
      onlyMediaErrors(() => {
        const d = new OggOpusDemuxer();
        for (const c of chunked(bytes, sizes)) {
          d.push(c);
          while (d.read() !== undefined);
        }
        d.end();
        while (d.read() !== undefined);
      }),
    ),
    fuzzParams(300),
  );
  done();
});

test('WAV reader', { timeout: fuzzTimeoutMs() }, () => {
  const done = heapGuard();
  fc.assert(
    fc.property(input(WAV), fc.integer({ min: 1, max: 4800 }), ({ bytes, sizes }, frames) =>
      onlyMediaErrors(() => {
        const r = new WavReader();
        for (const c of chunked(bytes, sizes)) {
          r.push(c);
          while (r.read(frames) !== undefined);
        }
        r.end();
        while (r.read(frames) !== undefined);
      }),
    ),
    fuzzParams(300),
  );
  done();
});

test('FLAC decoder', { timeout: fuzzTimeoutMs() }, async () => {
  const done = heapGuard();
  await fc.assert(
    fc.asyncProperty(input(FLAC), async ({ bytes, sizes }) => {
      const dec = await FlacStreamDecoder.create();
      const out: PcmChunk[] = [];
      try {
        await onlyMediaErrorsAsync(async () => {
          for (const c of chunked(bytes, sizes)) await dec.decode(c, out);
          await dec.flush(out);
        });
      } finally {
        dec.free();
      }
    }),
    fuzzParams(40),
  );
  done();
});

test('MP3 decoder', { timeout: fuzzTimeoutMs() }, async () => {
  const done = heapGuard();
  await fc.assert(
    fc.asyncProperty(input(MP3), async ({ bytes, sizes }) => {
      const dec = await Mp3StreamDecoder.create();
      const out: PcmChunk[] = [];
      try {
        onlyMediaErrors(() => {
          for (const c of chunked(bytes, sizes)) dec.decode(c, out);
          dec.flush(out);
        });
      } finally {
        dec.free();
      }
    }),
    fuzzParams(40),
  );
  done();
});

test('WebM Opus muxer takes any packets and timing', { timeout: fuzzTimeoutMs() }, () => {
  const packet = fc.record({
    data: fc.uint8Array({ maxLength: 400 }),
    ts: fc.option(fc.integer({ min: -1e9, max: 1e12 }), { nil: undefined }),
    dur: fc.option(fc.integer({ min: -1e6, max: 1e9 }), { nil: undefined }),
  });
  fc.assert(
    fc.property(
      fc.constantFrom('live' as const, 'file' as const),
      fc.array(packet, { maxLength: 60 }),
      (mode, packets) => {
        const m = new WebmOpusMuxer({ mode, sampleRate: 48000, preSkip: 312, clusterDurationMs: 1000 });
        for (const p of packets) m.write(p.data, p.ts, p.dur);
        m.end();
      },
    ),
    fuzzParams(300),
  );
});
