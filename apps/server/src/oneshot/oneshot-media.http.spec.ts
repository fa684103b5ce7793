// Issue #23 finding 8 through the real server: media that a pipeline's reader cannot read is a 422 naming the
// node and what the input is, never a 500 and never a 200 of "audio" decoded from noise.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';

const REPO = join(__dirname, '../../../../..');
const pipeline = (name: string) => readFileSync(join(REPO, 'samples/pipelines/oneshot', name), 'utf8');
// The first 96 KB are enough to tell a format, and an upload that small is sent whole before the server answers
// (an early answer to a larger upload resets the connection under the client's feet).
const audio = (name: string) => readFileSync(join(REPO, 'samples/audio/system', name)).subarray(0, 96 * 1024);
const WAV_COPY = [
  'mode: oneshot',
  'steps:',
  '  - kind: streamkit::http_input',
  '  - kind: containers::wav::demuxer',
  '  - kind: containers::wav::muxer',
  '  - kind: streamkit::http_output',
].join('\n');

function random(n: number): Uint8Array {
  let seed = 2024;
  return new Uint8Array(n).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24) & 0xff);
}

describe('oneshot with media its reader cannot read', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const post = async (config: string, media: Uint8Array) => {
    const fd = new FormData();
    fd.append('config', config);
    fd.append('media', new Blob([media], { type: 'application/octet-stream' }));
    const res = await fetch(`${server.url}/api/v1/process`, { method: 'POST', body: fd });
    return { status: res.status, text: await res.text() };
  };

  it('answers 422 naming the node and the format for random bytes, Ogg, FLAC, zero bytes and garbage WAV', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'mp3_to_opus.yml',
        random(96 * 1024),
        /\(audio::mp3::decoder\) cannot read its input: no MPEG audio frames/,
      ],
      [
        'mp3_to_opus.yml',
        audio('speech_en_48k_stereo.opus.ogg'),
        /\(audio::mp3::decoder\) cannot read its input: the input is an Ogg file, not MP3/,
      ],
      ['mp3_to_opus.yml', audio('speech_en_16k_mono.flac'), /the input is a FLAC file, not MP3/],
      [
        'flac_to_opus.yml',
        new Uint8Array(0),
        /\(audio::flac::decoder\) cannot read its input: the input is empty \(0 bytes of FLAC\)/,
      ],
      ['flac_to_opus.yml', audio('speech_en_16k_mono.mp3'), /the input is an MP3 file, not FLAC/],
      [
        'convert_to_wav.yml',
        random(96 * 1024),
        /\(containers::ogg::demuxer\) cannot read its input: no Ogg page found/,
      ],
      [
        WAV_COPY,
        audio('speech_en_16k_mono.flac'),
        /\(containers::wav::demuxer\) cannot read its input: the input is a FLAC file, not WAV/,
      ],
    ];
    for (const [config, media, reason] of cases) {
      const res = await post(config.endsWith('.yml') ? pipeline(config) : config, media);
      assert.equal(res.status, 422, `${config}: ${res.status} ${res.text}`);
      assert.match(res.text, /^Bad input media: Node '/);
      assert.match(res.text, reason);
    }
  });

  it('still decodes real files (200)', async () => {
    const mp3 = readFileSync(join(REPO, 'samples/audio/system/speech_en_16k_mono.mp3'));
    const res = await post(pipeline('mp3_to_opus.yml'), mp3);
    assert.equal(res.status, 200);
  });
});
