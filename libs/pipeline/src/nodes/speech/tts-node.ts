// `speech::tts`: text to speech with Debian's espeak-ng or flite (no model download). Text is cut into
// sentences as it arrives and each sentence is spoken as soon as it is complete, so audio starts after the
// first sentence; the rest is spoken at end of stream. Output: mono at the engine's rate, in 100 ms packets
// with timestamps. Unlike StreamKit's TTS nodes, consecutive inputs are joined with a space and nothing is lost
// at end of stream.
import { type Static, Type } from '../../core/typebox';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';
import { extractChunks } from '../core/text-chunker';
import { ESPEAK, type EngineInfo, FLITE, engineProblem, engineStatus, parseWav, runEngine } from './engines';
import { TextInput, speakable } from './text-input';

const KIND = 'speech::tts';
/** Longest text spoken in one engine call; longer sentences are cut at a space. */
const MAX_SENTENCE_CHARS = 2000;

interface TtsEngine {
  info: EngineInfo;
  rate: number;
  defaultVoice: string;
  args(voice: string, speed: number, pitch: number): string[];
  viaFiles: boolean;
}

const ENGINES: Record<'espeak-ng' | 'flite', TtsEngine> = {
  'espeak-ng': {
    info: ESPEAK,
    rate: 22050,
    defaultVoice: 'en',
    args: (voice, speed, pitch) => [
      '--stdout',
      '--stdin',
      '-b',
      '1',
      '-v',
      voice,
      '-s',
      String(Math.round(175 * speed)),
      '-p',
      String(pitch),
    ],
    viaFiles: false,
  },
  flite: {
    info: FLITE,
    rate: 16000,
    defaultVoice: 'slt',
    args: (voice, speed) => [
      '-voice',
      voice,
      '--setf',
      `duration_stretch=${(1 / speed).toFixed(3)}`,
      '-f',
      '{input}',
      '-o',
      '{output}',
    ],
    viaFiles: true,
  },
};

export const TtsParams = Type.Object({
  engine: Type.Union([Type.Literal('espeak-ng'), Type.Literal('flite')], {
    default: 'espeak-ng',
    description: `Speech engine: espeak-ng (many languages, 22050 Hz) or flite (natural US English, 16 kHz). ${engineStatus(ESPEAK)}; ${engineStatus(FLITE)}.`,
  }),
  voice: Type.String({
    default: '',
    pattern: '^$|^[A-Za-z0-9][A-Za-z0-9_+-]{0,39}$',
    description:
      'Voice; empty: the engine default. espeak-ng: `en`, `en-us`, `es`, `fr`, `de`, variants such as `en+f3`. flite: `slt`, `rms`, `awb`, `kal16`.',
  }),
  speed: Type.Number({ minimum: 0.5, maximum: 2, default: 1, tunable: true, description: 'Speaking rate.' }),
  pitch: Type.Integer({
    minimum: 0,
    maximum: 99,
    default: 50,
    tunable: true,
    description: 'Voice pitch 0..99 (espeak-ng only).',
  }),
  min_sentence_length: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 10,
    description: 'Bytes gathered before a sentence is cut off and spoken.',
  }),
});
export type TtsParams = Static<typeof TtsParams>;

const FLITE_VOICES = ['slt', 'rms', 'awb', 'kal16'];

/** Sentences longer than the engine call limit, cut at the last space before it. */
function bounded(sentence: string): string[] {
  const out: string[] = [];
  let rest = sentence;
  while (rest.length > MAX_SENTENCE_CHARS) {
    const at = rest.lastIndexOf(' ', MAX_SENTENCE_CHARS);
    const cut = at > 0 ? at : MAX_SENTENCE_CHARS;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.trim() !== '') out.push(rest);
  return out;
}

class TtsRun {
  private readonly text = new TextInput(KIND);
  private buffer = '';
  private framesOut = 0;

  constructor(
    private params: TtsParams,
    private readonly ctx: NodeContext,
  ) {}

  tune(next: TtsParams): void {
    this.params = next;
  }

  async run(): Promise<void> {
    const out = this.ctx.output('out');
    this.ctx.setState('Running');
    const end = await forEachPacket(this.ctx.input('in'), async (p) => {
      const text = speakable(this.text.read(p)).trim();
      if (text === '') return true;
      this.buffer = this.buffer === '' ? text : `${this.buffer} ${text}`;
      const { chunks, rest } = extractChunks(this.buffer, {
        split_mode: 'sentences',
        min_length: this.params.min_sentence_length,
        chunk_words: 1,
      });
      this.buffer = rest.trimStart();
      for (const sentence of chunks) if (!(await this.speak(out, sentence))) return false;
      return true;
    });
    if (end === 'stopped') return this.ctx.setState({ Stopped: { reason: 'output_closed' } });
    const tail = this.buffer.trim();
    this.buffer = '';
    if (tail !== '' && !this.ctx.signal.aborted) await this.speak(out, tail);
  }

  private async speak(out: ReturnType<NodeContext['output']>, sentence: string): Promise<boolean> {
    for (const part of bounded(sentence)) {
      const started = performance.now();
      this.ctx.telemetry('tts.start', { text_length: part.length, text_preview: part.slice(0, 80) });
      const engine = ENGINES[this.params.engine];
      const voice = this.params.voice || engine.defaultVoice;
      const wav = await runEngine(engine.info, engine.args(voice, this.params.speed, this.params.pitch), {
        input: Buffer.from(part, 'utf8'),
        inputFile: engine.viaFiles,
        outputFile: engine.viaFiles,
        signal: this.ctx.signal,
        maxOutputBytes: 64 << 20,
        timeoutMs: 60_000,
      });
      const { sampleRate, channels, samples } = parseWav(wav);
      if (sampleRate !== engine.rate || channels !== 1) {
        throw new Error(
          `${engine.info.name} produced ${sampleRate} Hz ${channels} ch, expected ${engine.rate} Hz mono`,
        );
      }
      this.ctx.telemetry('tts.done', {
        audio_samples: samples.length,
        audio_duration_ms: Math.round((samples.length * 1000) / engine.rate),
        latency_ms: Math.round(performance.now() - started),
      });
      const frames = engine.rate / 10;
      for (let off = 0; off < samples.length; off += frames) {
        const chunk = samples.slice(off, off + frames);
        const packet: Packet = {
          kind: 'audio',
          sampleRate: engine.rate,
          channels: 1,
          samples: chunk,
          meta: {
            timestampUs: Math.round((this.framesOut * 1e6) / engine.rate),
            durationUs: Math.round((chunk.length * 1e6) / engine.rate),
          },
          owned: true,
        };
        this.framesOut += chunk.length;
        const w = out.send(packet);
        if (w !== undefined && !(await w)) return false;
      }
    }
    return true;
  }
}

export const ttsNode: NodeDefinition<TtsParams> = {
  kind: KIND,
  categories: ['audio', 'tts'],
  description:
    'Text to speech with espeak-ng or flite: speaks each sentence as soon as it is complete (mono; 22050 Hz or 16 kHz).',
  params: TtsParams,
  pins: (params) => ({
    inputs: [inputPin('in', ['Text', 'Binary', 'Transcription'])],
    outputs: [outputPin('out', rawAudio(ENGINES[params.engine].rate, 1, 'F32'))],
  }),
  validate(params) {
    const problems = engineProblem(KIND, ENGINES[params.engine].info);
    if (params.engine === 'flite' && params.voice !== '' && !FLITE_VOICES.includes(params.voice)) {
      problems.push({ path: '/voice', message: `${KIND}: flite has the voices ${FLITE_VOICES.join(', ')}` });
    }
    return problems;
  },
  create(params, ctx) {
    const run = new TtsRun(params, ctx);
    return { run: () => run.run(), tune: (next) => run.tune(next) };
  },
};
