// `speech::stt`: speech to text with pocketsphinx (Debian's engine and US English model, no download). Audio of
// any rate is converted to 16 kHz mono, cut into utterances by the shipped Silero VAD, and each utterance is
// transcribed as soon as it ends: one Transcription packet per utterance, with its start and end in stream
// time (ms from the first sample received). Utterances still open at end of stream are transcribed too.
import { type Static, Type } from '../../core/typebox';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';
import { POCKETSPHINX, engineProblem, engineStatus, runEngine } from './engines';
import { bundledModel } from './models';
import { Mono16k, SPEECH_RATE } from './mono16k';
import { type SpeechSegment, VoiceDetector } from './silero';
import { SILERO_MODEL } from './vad-node';

const KIND = 'speech::stt';

export const SttParams = Type.Object({
  engine: Type.Literal('pocketsphinx', {
    default: 'pocketsphinx',
    description: `Speech engine. ${engineStatus(POCKETSPHINX)}.`,
  }),
  language: Type.Literal('en', { default: 'en', description: 'Language of the speech (US English model).' }),
  vad_threshold: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.5,
    description: 'Speech probability threshold.',
  }),
  min_silence_duration_ms: Type.Integer({
    minimum: 100,
    maximum: 5000,
    default: 700,
    description: 'Silence that ends an utterance.',
  }),
  max_segment_duration_secs: Type.Number({
    minimum: 5,
    maximum: 120,
    default: 30,
    description: 'Longer speech is cut and transcribed in parts.',
  }),
  emit_vad_events: Type.Boolean({
    default: false,
    description: 'Also report vad.speech_start / vad.speech_end as telemetry.',
  }),
});
export type SttParams = Static<typeof SttParams>;

/** 16 kHz mono f32 as the engine's input: signed 16-bit little-endian PCM. */
export function toS16(samples: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]));
    out.writeInt16LE(Math.round(v * 32767), 2 * i);
  }
  return out;
}

class SttRun {
  private readonly input16k = new Mono16k();
  private readonly detector: VoiceDetector;

  constructor(
    private readonly params: SttParams,
    private readonly ctx: NodeContext,
  ) {
    this.detector = new VoiceDetector({
      model: bundledModel(SILERO_MODEL),
      threshold: params.vad_threshold,
      minSilenceS: params.min_silence_duration_ms / 1000,
      minSpeechS: 0.25,
      maxSpeechS: params.max_segment_duration_secs,
      windowSize: 512,
      numThreads: 1,
      provider: 'cpu',
    });
  }

  async run(): Promise<void> {
    const out = this.ctx.output('out');
    this.ctx.setState('Running');
    const end = await forEachPacket(this.ctx.input('in'), async (p) => {
      if (p.kind !== 'audio') throw new Error(`${KIND} accepts audio only, got a ${p.kind} packet`);
      return this.transcribe(out, this.detector.accept(await this.input16k.push(p)));
    });
    if (end === 'stopped') return this.ctx.setState({ Stopped: { reason: 'output_closed' } });
    const tail = this.detector.accept(this.input16k.flush());
    await this.transcribe(out, [...tail, ...this.detector.flush()]);
  }

  private async transcribe(
    out: ReturnType<NodeContext['output']>,
    segments: SpeechSegment[],
  ): Promise<boolean> {
    for (const s of segments) {
      const startMs = Math.round((s.start * 1000) / SPEECH_RATE);
      const endMs = Math.round(((s.start + s.samples.length) * 1000) / SPEECH_RATE);
      if (this.params.emit_vad_events) {
        this.ctx.telemetry('vad.speech_end', {
          start_time_ms: startMs,
          end_time_ms: endMs,
          duration_ms: endMs - startMs,
        });
      }
      const stdout = await runEngine(POCKETSPHINX, ['-infile', '{input}', '-logfn', '/dev/null'], {
        input: toS16(s.samples),
        inputFile: true,
        signal: this.ctx.signal,
        maxOutputBytes: 1 << 20,
        timeoutMs: 120_000,
      });
      const text = stdout
        .toString('utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .join(' ');
      if (text === '') continue;
      this.ctx.telemetry('stt.result', {
        text_preview: text.slice(0, 100),
        text_length: text.length,
        start_time_ms: startMs,
      });
      const packet: Packet = {
        kind: 'transcription',
        text,
        segments: [{ text, startTimeMs: startMs, endTimeMs: endMs }],
        language: this.params.language,
        meta: { timestampUs: startMs * 1000, durationUs: (endMs - startMs) * 1000 },
      };
      const w = out.send(packet);
      if (w !== undefined && !(await w)) return false;
    }
    return true;
  }
}

export const sttNode: NodeDefinition<SttParams> = {
  kind: KIND,
  categories: ['ml', 'speech', 'transcription'],
  description:
    'Speech to text with pocketsphinx: one Transcription per utterance (VAD-segmented), with timestamps.',
  params: SttParams,
  pins: () => ({
    inputs: [inputPin('in', [rawAudio(0, 0, 'F32')])],
    outputs: [outputPin('out', 'Transcription')],
  }),
  validate: () => engineProblem(KIND, POCKETSPHINX),
  create(params, ctx) {
    const run = new SttRun(params, ctx);
    return { run: () => run.run() };
  },
};
