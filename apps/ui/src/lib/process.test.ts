import { describe, expect, it } from 'vitest';
import { needsMedia, withAssetInput } from './convert';
import { OggOpusReader } from './ogg-opus';
import { buildProcessForm, extensionFor, resultKind, sniffContentType } from './process';
import { asTranscription, splitJsonValues } from '../views/convert/text-result';

const bytes = (s: string) => new TextEncoder().encode(s);

/** One Ogg page carrying `packets` (each < 255 bytes). */
function oggPage(packets: Uint8Array[], seq: number): Uint8Array {
  const lacing = packets.map((p) => p.length);
  const body = packets.reduce((a, p) => a + p.length, 0);
  const page = new Uint8Array(27 + lacing.length + body);
  page.set(bytes('OggS'));
  page[26] = lacing.length;
  page[18] = seq;
  page.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const p of packets) {
    page.set(p, at);
    at += p.length;
  }
  return page;
}

describe('oneshot helpers', () => {
  it('puts config before media in the multipart body', () => {
    const form = buildProcessForm('mode: oneshot', new File(['x'], 'in.ogg'));
    expect([...form.keys()]).toEqual(['config', 'media']);
    expect([...buildProcessForm('y', null).keys()]).toEqual(['config']);
  });

  it('maps content types to extensions and result views', () => {
    expect(extensionFor('audio/ogg')).toBe('ogg');
    expect(extensionFor('audio/webm; codecs="opus"')).toBe('webm');
    expect(extensionFor('application/octet-stream')).toBe('ogg');
    expect(extensionFor('application/json')).toBe('json');
    expect(extensionFor('image/png')).toBe('bin');
    expect(resultKind('audio/ogg')).toBe('audio');
    expect(resultKind('application/x-ndjson')).toBe('json');
    expect(resultKind('text/plain; charset=utf-8')).toBe('text');
    expect(resultKind('application/octet-stream')).toBe('binary');
  });

  it('sniffs containers from their first bytes', () => {
    expect(sniffContentType(bytes('OggS\0\x02'))).toBe('audio/ogg');
    expect(sniffContentType(bytes('RIFF\0\0\0\0WAVEfmt '))).toBe('audio/wav');
    expect(sniffContentType(new Uint8Array([0x1a, 0x45, 0xdf, 0xa3]))).toBe('audio/webm');
    expect(sniffContentType(bytes('\n {"a":1}'))).toBe('application/json');
    expect(sniffContentType(bytes('hello'))).toBeNull();
  });

  it('swaps the upload input for a file reader on an asset', () => {
    const yaml =
      'mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: containers::ogg::demuxer\n  - kind: streamkit::http_output\n';
    expect(needsMedia(yaml)).toBe(true);
    const rewritten = withAssetInput(yaml, 'samples/audio/system/a.ogg');
    expect(rewritten).toContain('kind: core::file_reader');
    expect(rewritten).toContain('path: samples/audio/system/a.ogg');
    expect(rewritten).not.toContain('http_input');
    expect(needsMedia(rewritten)).toBe(false);
  });
});

describe('OggOpusReader', () => {
  it('yields audio packets across split pages and chunk boundaries, consuming the headers', () => {
    const head = new Uint8Array(19);
    head.set(bytes('OpusHead'));
    head[8] = 1;
    head[9] = 2;
    head[10] = 0x38;
    head[11] = 0x01;
    const stream = new Uint8Array([
      ...oggPage([head], 0),
      ...oggPage([bytes('OpusTags........')], 1),
      ...oggPage([bytes('AAAA'), bytes('BBBBBB')], 2),
    ]);
    const r = new OggOpusReader();
    const out: string[] = [];
    for (let i = 0; i < stream.length; i += 7)
      out.push(...r.push(stream.subarray(i, i + 7)).map((p) => new TextDecoder().decode(p)));
    expect(out).toEqual(['AAAA', 'BBBBBB']);
    expect(r.head).toMatchObject({ channels: 2, preSkip: 312 });
  });

  it('refuses a stream that is not Ogg', () => {
    expect(() => new OggOpusReader().push(bytes('RIFF0000WAVEfmt 0000000000000000'))).toThrow(
      /Not an Ogg stream/,
    );
  });
});

describe('text results', () => {
  it('splits NDJSON and concatenated JSON, keeping an unfinished tail', () => {
    const r = splitJsonValues('{"a":1}\n{"b":"}{"}[1,2]{"c":');
    expect(r.values).toEqual([{ a: 1 }, { b: '}{' }, [1, 2]]);
    expect(r.rest).toBe('{"c":');
  });

  it('recognises serialized transcriptions', () => {
    const t = { text: 'hi', segments: [{ text: 'hi', start_time_ms: 0, end_time_ms: 500 }], language: 'en' };
    expect(asTranscription({ Transcription: t })).toEqual(t);
    expect(asTranscription({ type: 'Transcription', data: t })).toEqual(t);
    expect(asTranscription({ text: 'x' })).toBeNull();
  });
});
