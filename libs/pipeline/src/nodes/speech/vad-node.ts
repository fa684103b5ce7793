// `plugin::native::vad`: voice activity detection with StreamKit's kind, pins and params. `events` sends
// `speech_start` / `speech_end` Custom packets (`plugin::native::vad/vad-event@1`), `filtered_audio` sends each
// completed utterance as one 16 kHz mono packet. Differences from StreamKit, on purpose: any rate and channel
// count is accepted (converted at the input), each node has its own detector, `speech_end` carries the
// utterance's own end (not the moment the detector noticed), and the shipped Silero model stands in when the
// default TEN VAD model is absent.
import { type Static, Type } from '../../core/typebox';
import { existsSync } from 'node:fs';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition, NodeServices } from '../../core/node';
import type { Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';
import { bundledModel, checkModel, resolveModelPath } from './models';
import { Mono16k, SPEECH_RATE } from './mono16k';
import { type SpeechSegment, VoiceDetector } from './silero';

export const VAD_EVENT_TYPE = 'plugin::native::vad/vad-event@1';
const DEFAULT_MODEL = 'models/ten-vad.onnx';
export const SILERO_MODEL = 'silero_vad.onnx';

export const VadParams = Type.Object({
  model_path: Type.String({
    default: DEFAULT_MODEL,
    description:
      'TEN VAD or Silero VAD ONNX model under the models directory. When the default TEN VAD model is absent the shipped Silero VAD is used.',
  }),
  output_mode: Type.Union([Type.Literal('events'), Type.Literal('filtered_audio')], {
    default: 'events',
    description:
      '`events`: speech_start / speech_end packets; `filtered_audio`: each utterance as one audio packet.',
  }),
  threshold: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.5,
    description: 'Speech probability threshold.',
  }),
  min_silence_duration_s: Type.Number({
    minimum: 0.01,
    maximum: 10,
    default: 0.5,
    description: 'Silence that ends an utterance (seconds).',
  }),
  min_speech_duration_s: Type.Number({
    minimum: 0.01,
    maximum: 10,
    default: 0.25,
    description: 'Shortest speech that counts (seconds).',
  }),
  window_size: Type.Integer({
    minimum: 64,
    maximum: 4096,
    default: 512,
    description: 'Samples per analysis window (Silero needs 512 at 16 kHz).',
  }),
  max_speech_duration_s: Type.Number({
    minimum: 1,
    maximum: 120,
    default: 30,
    description: 'Longer speech is cut into utterances of this length.',
  }),
  num_threads: Type.Integer({ minimum: 1, maximum: 8, default: 1, description: 'Inference threads.' }),
  provider: Type.Literal('cpu', { default: 'cpu', description: 'Execution provider (CPU only here).' }),
  debug: Type.Boolean({ default: false, description: 'Accepted for StreamKit compatibility; no effect.' }),
});
export type VadParams = Static<typeof VadParams>;

/** The model file a VAD param selects: the configured one, or the shipped Silero for the absent default. */
export function vadModelPath(services: NodeServices, modelPath: string): string {
  const path = resolveModelPath(services, modelPath);
  if (!existsSync(path) && modelPath === DEFAULT_MODEL) return bundledModel(SILERO_MODEL);
  return path;
}

function vadEvent(eventType: 'speech_start' | 'speech_end', atMs: number, durationMs: number | null): Packet {
  return {
    kind: 'custom',
    typeId: VAD_EVENT_TYPE,
    encoding: 'json',
    data: { event_type: eventType, timestamp_ms: atMs, duration_ms: durationMs },
    meta: { timestampUs: atMs * 1000 },
  };
}

const ms = (samples: number) => Math.round((samples * 1000) / SPEECH_RATE);

class VadRun {
  private readonly input16k = new Mono16k();
  private readonly detector: VoiceDetector;
  private speaking = false;

  constructor(
    private readonly params: VadParams,
    private readonly ctx: NodeContext,
  ) {
    this.detector = new VoiceDetector({
      model: vadModelPath(ctx.services, params.model_path),
      threshold: params.threshold,
      minSilenceS: params.min_silence_duration_s,
      minSpeechS: params.min_speech_duration_s,
      maxSpeechS: params.max_speech_duration_s,
      windowSize: params.window_size,
      numThreads: params.num_threads,
      provider: params.provider,
    });
  }

  async run(): Promise<void> {
    const out = this.ctx.output('out');
    this.ctx.setState('Running');
    const end = await forEachPacket(this.ctx.input('in'), async (p) => {
      if (p.kind !== 'audio') throw new Error(`accepts audio only, got a ${p.kind} packet`);
      const segments = this.detector.accept(await this.input16k.push(p));
      return this.send(out, segments);
    });
    if (end === 'stopped') return this.ctx.setState({ Stopped: { reason: 'output_closed' } });
    const tail = this.input16k.flush();
    const last = this.detector.accept(tail);
    await this.send(out, [...last, ...this.detector.flush()], true);
  }

  private async send(
    out: ReturnType<NodeContext['output']>,
    segments: SpeechSegment[],
    ending = false,
  ): Promise<boolean> {
    const packets: Packet[] = [];
    const events = this.params.output_mode === 'events';
    const w = this.params.window_size;
    const minSpeech = Math.round(this.params.min_speech_duration_s * SPEECH_RATE);
    if (!this.speaking && this.detector.speaking) {
      this.speaking = true;
      // Where the detector will say this utterance began (its own rule: two windows and the minimum speech back).
      const at = Math.max(0, this.detector.received - 2 * w - minSpeech);
      if (events) packets.push(vadEvent('speech_start', ms(at), null));
      this.ctx.telemetry('vad.speech_start', { timestamp_ms: ms(at) });
    }
    for (const s of segments) {
      const startMs = ms(s.start);
      const endMs = ms(s.start + s.samples.length);
      if (events) packets.push(vadEvent('speech_end', endMs, endMs - startMs));
      else {
        packets.push({
          kind: 'audio',
          sampleRate: SPEECH_RATE,
          channels: 1,
          samples: s.samples,
          meta: { timestampUs: startMs * 1000, durationUs: (endMs - startMs) * 1000 },
          owned: true,
        });
      }
      this.ctx.telemetry('vad.speech_end', { timestamp_ms: endMs, duration_ms: endMs - startMs });
    }
    if (segments.length > 0 || ending) this.speaking = this.detector.speaking && !ending;
    for (const p of packets) {
      const w = out.send(p);
      if (w !== undefined && !(await w)) return false;
    }
    return true;
  }
}

export const vadNode: NodeDefinition<VadParams> = {
  kind: 'plugin::native::vad',
  categories: ['audio', 'ml'],
  description:
    'Voice activity detection (Silero / TEN VAD): utterance start and end events, or the speech alone as audio.',
  params: VadParams,
  pins: (params) => ({
    inputs: [inputPin('in', [rawAudio(0, 0, 'F32')])],
    outputs: [
      outputPin(
        'out',
        params.output_mode === 'filtered_audio'
          ? rawAudio(SPEECH_RATE, 1, 'F32')
          : { Custom: { type_id: VAD_EVENT_TYPE } },
      ),
    ],
  }),
  validate(params, services) {
    if (params.model_path === DEFAULT_MODEL) {
      try {
        if (!existsSync(resolveModelPath(services, DEFAULT_MODEL))) return [];
      } catch {
        return [];
      }
    }
    return checkModel('plugin::native::vad', 'model_path', params.model_path, services, 'file');
  },
  create(params, ctx) {
    const run = new VadRun(params, ctx);
    return { run: () => run.run() };
  },
};
