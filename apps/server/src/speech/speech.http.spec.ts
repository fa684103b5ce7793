// Speech over the HTTP API on the engine workers: text to speech to text with the Debian engines, VAD events
// as NDJSON, and StreamKit's speech sample refused with the missing model named (not a failure mid-run).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';

const REPO = join(__dirname, '../../../../..');
const SENTENCE = 'the quick brown fox jumps over the lazy dog, please turn the volume up';
const WORDS = ['quick', 'brown', 'fox', 'jumps', 'lazy', 'dog', 'please', 'turn', 'volume'];

const TTS = [
  'mode: oneshot',
  'steps:',
  '  - kind: streamkit::http_input',
  '  - kind: speech::tts',
  '    params: { engine: flite }',
  '  - kind: audio::resampler',
  '    params: { target_sample_rate: 48000, chunk_frames: 960, output_frame_size: 960 }',
  '  - kind: audio::opus::encoder',
  '  - kind: containers::ogg::muxer',
  '  - kind: streamkit::http_output',
].join('\n');

const STT = [
  'mode: oneshot',
  'steps:',
  '  - kind: streamkit::http_input',
  '  - kind: containers::ogg::demuxer',
  '  - kind: audio::opus::decoder',
  '  - kind: speech::stt',
  '  - kind: core::json_serialize',
  '    params: { newline_delimited: true }',
  '  - kind: streamkit::http_output',
].join('\n');

const VAD = STT.replace('speech::stt', 'plugin::native::vad\n    params: { min_silence_duration_s: 0.3 }');

// StreamKit's samples/pipelines/oneshot/speech_to_text.yml, as StreamKit ships it.
const STREAMKIT_STT = `mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: audio::opus::decoder
  - kind: audio::resampler
    params: { target_sample_rate: 16000, chunk_frames: 960, output_frame_size: 960 }
  - kind: plugin::native::whisper
    params:
      model_path: models/ggml-base.en-q5_1.bin
      language: en
      vad_model_path: models/silero_vad.onnx
      vad_threshold: 0.5
      min_silence_duration_ms: 700
      max_segment_duration_secs: 30.0
  - kind: core::json_serialize
    params: { pretty: false, newline_delimited: true }
  - kind: streamkit::http_output
`;

async function processRequest(url: string, config: string, media: Blob): Promise<Response> {
  const fd = new FormData();
  fd.append('config', config);
  fd.append('media', media);
  return fetch(`${url}/api/v1/process`, { method: 'POST', body: fd });
}

describe('speech over the HTTP API', () => {
  let server: TestServer;
  const models = mkdtempSync(join(tmpdir(), 'skit-models-'));

  before(async () => {
    server = await startTestServer({ config: { models: { dir: models } } });
  });
  after(() => server.close());

  it('text -> flite -> Ogg Opus -> pocketsphinx: the transcript holds at least 3 of the 9 words, with timestamps', async () => {
    const tts = await processRequest(server.url, TTS, new Blob([SENTENCE]));
    assert.equal(tts.status, 200, await tts.clone().text());
    assert.equal(tts.headers.get('content-type'), 'audio/ogg');
    const ogg = new Uint8Array(await tts.arrayBuffer());
    const stt = await processRequest(server.url, STT, new Blob([ogg]));
    const text = await stt.text();
    assert.equal(stt.status, 200, text);
    const lines = text
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            Transcription: { text: string; segments: { start_time_ms: number; end_time_ms: number }[] };
          },
      );
    const words = new Set(lines.flatMap((l) => l.Transcription.text.split(/\s+/)));
    const heard = WORDS.filter((w) => words.has(w));
    assert.ok(heard.length >= 3, `heard ${heard.length}/9 in ${text}`);
    const seg = lines[0].Transcription.segments[0];
    assert.ok(seg.end_time_ms > seg.start_time_ms, JSON.stringify(seg));
  });

  it('VAD events over the speech fixture come back as NDJSON Custom packets', async () => {
    const media = readFileSync(join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg'));
    const res = await processRequest(server.url, VAD, new Blob([media]));
    const text = await res.text();
    assert.equal(res.status, 200, text);
    const events = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Custom: { type_id: string; data: { event_type: string } } });
    assert.ok(events.every((e) => e.Custom.type_id === 'plugin::native::vad/vad-event@1'));
    assert.equal(events.filter((e) => e.Custom.data.event_type === 'speech_end').length, 4);
  });

  it("StreamKit's speech_to_text sample is refused with 400 naming the kind, the model path and the pull command", async () => {
    const res = await processRequest(server.url, STREAMKIT_STT, new Blob([new Uint8Array(10)]));
    const text = await res.text();
    assert.equal(res.status, 400, text);
    assert.match(
      text,
      /plugin::native::whisper: model not found at .*ggml-base\.en-q5_1\.bin; run `skit models pull whisper-base-en-q5_1`/,
    );
  });

  it('the speech samples: those on Debian engines run, the model-backed ones are refused naming their model', async () => {
    const sample = (name: string) => readFileSync(join(REPO, 'samples/pipelines/oneshot', name), 'utf8');
    const speech = new Blob([readFileSync(join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg'))]);
    const vad = await processRequest(server.url, sample('vad-demo.yml'), speech);
    assert.equal(vad.status, 200);
    assert.match(await vad.text(), /"event_type":"speech_end"/);
    const stt = await processRequest(server.url, sample('transcribe.yml'), speech);
    assert.equal(stt.status, 200);
    assert.match(await stt.text(), /^\{"Transcription":\{"text":"[a-z]/);
    const tts = await processRequest(server.url, sample('text_to_speech.yml'), new Blob([SENTENCE]));
    assert.equal(tts.status, 200);
    assert.match(tts.headers.get('content-type') ?? '', /^audio\/webm/);
    assert.ok((await tts.arrayBuffer()).byteLength > 10_000);
    for (const [name, model] of [
      ['speech_to_text.yml', 'whisper-base-en-q5_1'],
      ['kokoro-tts.yml', 'kokoro'],
    ]) {
      const res = await processRequest(server.url, sample(name), new Blob([SENTENCE]));
      assert.equal(res.status, 400, name);
      assert.match(await res.text(), new RegExp(`skit models pull ${model}`), name);
    }
  });

  it('a model path that tries to leave the models directory is refused', async () => {
    const res = await processRequest(
      server.url,
      VAD.replace('min_silence_duration_s: 0.3', "model_path: '../../../etc/shadow'"),
      new Blob([new Uint8Array(10)]),
    );
    assert.equal(res.status, 400);
    assert.match(await res.text(), /model path '\.\.\/\.\.\/\.\.\/etc\/shadow' leaves the models directory/);
  });

  it('/schema/nodes lists the speech kinds and says which engines are installed', async () => {
    const res = await fetch(`${server.url}/api/v1/schema/nodes`);
    const kinds = (await res.json()) as {
      kind: string;
      param_schema: { properties: Record<string, { description?: string }> };
    }[];
    const tts = kinds.find((k) => k.kind === 'speech::tts');
    assert.match(
      tts?.param_schema.properties.engine.description ?? '',
      /espeak-ng: installed; flite: installed/,
    );
    for (const k of [
      'plugin::native::vad',
      'speech::stt',
      'plugin::native::whisper',
      'plugin::native::kokoro',
    ]) {
      assert.ok(
        kinds.some((d) => d.kind === k),
        k,
      );
    }
  });
});
