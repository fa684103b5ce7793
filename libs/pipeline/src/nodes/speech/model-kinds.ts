// StreamKit's model-backed speech kinds (Whisper, SenseVoice, Kokoro, Piper, Matcha, NLLB, Helsinki) with
// their names, pins and params, so StreamKit's speech samples validate here: a pipeline naming one of them
// gets a validation error that names the kind, the model path it expects and `skit models pull`, never a
// failure mid-run. Their inference engines are not part of this build yet: with the model present the error
// says so instead.
import { type TObject, Type } from '../../core/typebox';
import { inputPin, outputPin } from '../../core/helpers';
import type { AnyNodeDefinition, NodeServices } from '../../core/node';
import { type PinType, rawAudio } from '../../core/pin-types';
import { type ModelShape, checkModel } from './models';

interface ModelKindSpec {
  kind: string;
  categories: string[];
  description: string;
  params: TObject;
  accepts: PinType[];
  produces: PinType;
  models: { field: string; shape: ModelShape; required?: string[] }[];
  engine: string;
}

const num = (def: number, minimum: number, maximum: number, description: string) =>
  Type.Number({ default: def, minimum, maximum, description });
const int = (def: number, minimum: number, maximum: number, description: string) =>
  Type.Integer({ default: def, minimum, maximum, description });
const str = (def: string, description: string) => Type.String({ default: def, description });
const bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });

const VAD_SEGMENTING = {
  vad_model_path: str('models/silero_vad.onnx', 'Silero VAD model that cuts utterances.'),
  vad_threshold: num(0.5, 0, 1, 'Speech probability threshold.'),
  min_silence_duration_ms: int(700, 100, 5000, 'Silence that ends an utterance.'),
  max_segment_duration_secs: num(30, 5, 120, 'Longer speech is cut.'),
};

const TTS_COMMON = {
  speed: num(1, 0.5, 2, 'Speaking rate.'),
  num_threads: int(4, 1, 16, 'Inference threads.'),
  min_sentence_length: int(10, 1, 1000, 'Bytes gathered before a sentence is spoken.'),
};

const SPECS: ModelKindSpec[] = [
  {
    kind: 'plugin::native::whisper',
    categories: ['ml', 'speech', 'transcription'],
    description: 'Speech to text with Whisper (whisper.cpp GGML models), VAD-segmented.',
    params: Type.Object({
      model_path: str('models/ggml-base.en-q5_1.bin', 'Whisper GGML model file.'),
      language: str('en', 'Language decoded (and reported).'),
      ...VAD_SEGMENTING,
      n_threads: int(0, 0, 32, '0: the engine default.'),
      use_gpu: bool(false, 'Use a GPU when the engine has one.'),
      gpu_device: int(0, 0, 7, 'GPU index.'),
      suppress_blank: bool(true, 'Suppress blank output.'),
      suppress_non_speech_tokens: bool(true, 'Suppress [MUSIC] and similar tokens.'),
      emit_vad_events: bool(false, 'Report vad.speech_start / vad.speech_end as telemetry.'),
    }),
    accepts: [rawAudio(16000, 1, 'F32')],
    produces: 'Transcription',
    models: [
      { field: 'model_path', shape: 'file' },
      { field: 'vad_model_path', shape: 'file' },
    ],
    engine: 'whisper.cpp',
  },
  {
    kind: 'plugin::native::sensevoice',
    categories: ['ml', 'speech', 'transcription'],
    description: 'Multilingual speech to text with SenseVoice (zh, en, ja, ko, yue).',
    params: Type.Object({
      model_dir: str(
        'models/sherpa-onnx-sense-voice-zh-en-ja-ko-yue-int8-2025-09-09',
        'SenseVoice model directory.',
      ),
      language: Type.Union(
        ['auto', 'zh', 'en', 'ja', 'ko', 'yue'].map((l) => Type.Literal(l)),
        {
          default: 'auto',
          description: 'Language, or auto-detect.',
        },
      ),
      use_itn: bool(true, 'Inverse text normalisation (punctuation, numbers).'),
      num_threads: int(4, 1, 16, 'Inference threads.'),
      execution_provider: str('cpu', 'Execution provider.'),
      use_vad: bool(true, 'Cut utterances with Silero VAD.'),
      ...VAD_SEGMENTING,
    }),
    accepts: [rawAudio(16000, 1, 'F32')],
    produces: 'Transcription',
    models: [{ field: 'model_dir', shape: 'dir', required: ['model.int8.onnx', 'tokens.txt'] }],
    engine: 'sherpa-onnx SenseVoice',
  },
  {
    kind: 'plugin::native::kokoro',
    categories: ['audio', 'tts'],
    description: 'Text to speech with Kokoro (103 voices, en and zh), 24 kHz mono.',
    params: Type.Object({
      model_dir: str('models/kokoro-multi-lang-v1_1', 'Kokoro model directory.'),
      speaker_id: int(50, 0, 102, 'Voice.'),
      ...TTS_COMMON,
      execution_provider: str('cpu', 'Execution provider.'),
      emit_telemetry: bool(false, 'Report tts.start / tts.done telemetry.'),
      telemetry_preview_chars: int(80, 0, 1000, 'Characters of text in telemetry.'),
    }),
    accepts: ['Text', 'Binary'],
    produces: rawAudio(24000, 1, 'F32'),
    models: [{ field: 'model_dir', shape: 'dir', required: ['model.onnx', 'voices.bin', 'tokens.txt'] }],
    engine: 'sherpa-onnx Kokoro',
  },
  {
    kind: 'plugin::native::piper',
    categories: ['audio', 'tts'],
    description: 'Text to speech with Piper (VITS) voices.',
    params: Type.Object({
      model_dir: str('models/vits-piper-en_US-libritts_r-medium', 'Piper voice directory.'),
      speaker_id: int(0, 0, 903, 'Speaker of a multi-speaker voice.'),
      ...TTS_COMMON,
      noise_scale: num(0.667, 0, 1, 'Noise scale.'),
      noise_scale_w: num(0.8, 0, 1, 'Noise scale W.'),
      length_scale: num(1, 0.5, 2, 'Length scale.'),
    }),
    accepts: ['Text', 'Binary'],
    produces: rawAudio(22050, 1, 'F32'),
    models: [{ field: 'model_dir', shape: 'dir', required: ['tokens.txt', 'espeak-ng-data'] }],
    engine: 'sherpa-onnx VITS',
  },
  {
    kind: 'plugin::native::matcha',
    categories: ['audio', 'tts'],
    description: 'Text to speech with Matcha-TTS and the Vocos vocoder.',
    params: Type.Object({
      model_dir: str('models/matcha-icefall-en_US-ljspeech', 'Matcha model directory.'),
      speaker_id: int(0, 0, 1000, 'Speaker.'),
      ...TTS_COMMON,
      noise_scale: num(0.667, 0, 1, 'Noise scale.'),
      length_scale: num(1, 0.5, 2, 'Length scale.'),
      execution_provider: str('cpu', 'Execution provider.'),
    }),
    accepts: ['Text', 'Binary'],
    produces: rawAudio(22050, 1, 'F32'),
    models: [
      {
        field: 'model_dir',
        shape: 'dir',
        required: ['model-steps-3.onnx', 'vocos-22khz-univ.onnx', 'tokens.txt', 'espeak-ng-data'],
      },
    ],
    engine: 'sherpa-onnx Matcha',
  },
  {
    kind: 'plugin::native::nllb',
    categories: ['ml', 'translation', 'text'],
    description: 'Translation between ~200 languages with NLLB-200 (CTranslate2).',
    params: Type.Object({
      model_path: str('models/nllb-200-distilled-600M-ct2-int8', 'CTranslate2 model directory.'),
      source_language: str('eng_Latn', 'FLORES-200 code of the source.'),
      target_language: str('spa_Latn', 'FLORES-200 code of the target.'),
      beam_size: int(1, 1, 10, 'Beam size.'),
      num_threads: int(0, 0, 32, '0: the engine default.'),
      device: Type.Union([Type.Literal('cpu'), Type.Literal('cuda'), Type.Literal('auto')], {
        default: 'cpu',
        description: 'Device.',
      }),
      device_index: int(0, 0, 7, 'Device index.'),
    }),
    accepts: ['Text', 'Transcription'],
    produces: 'Text',
    models: [{ field: 'model_path', shape: 'dir' }],
    engine: 'CTranslate2',
  },
  {
    kind: 'plugin::native::helsinki',
    categories: ['ml', 'translation', 'text'],
    description: 'English <-> Spanish translation with Helsinki-NLP OPUS-MT (Marian).',
    params: Type.Object({
      model_dir: str('models/opus-mt-en-es', 'OPUS-MT model directory (safetensors).'),
      source_language: Type.Union([Type.Literal('en'), Type.Literal('es')], {
        default: 'en',
        description: 'Source.',
      }),
      target_language: Type.Union([Type.Literal('en'), Type.Literal('es')], {
        default: 'es',
        description: 'Target.',
      }),
      device: Type.Union([Type.Literal('cpu'), Type.Literal('cuda'), Type.Literal('auto')], {
        default: 'cpu',
        description: 'Device.',
      }),
      device_index: int(0, 0, 7, 'Device index.'),
      max_length: int(512, 32, 2048, 'Decode step limit.'),
      warmup: bool(false, 'Translate once at creation.'),
    }),
    accepts: ['Text', 'Transcription'],
    produces: 'Text',
    models: [{ field: 'model_dir', shape: 'dir', required: ['model.safetensors'] }],
    engine: 'Marian (Candle)',
  },
];

function definition(spec: ModelKindSpec): AnyNodeDefinition {
  return {
    kind: spec.kind,
    categories: spec.categories,
    description: spec.description,
    params: spec.params,
    pins: () => ({ inputs: [inputPin('in', spec.accepts)], outputs: [outputPin('out', spec.produces)] }),
    validate(params: Record<string, unknown>, services: NodeServices) {
      const problems = spec.models.flatMap((m) =>
        checkModel(spec.kind, m.field, String(params[m.field]), services, m.shape, m.required),
      );
      if (spec.kind === 'plugin::native::helsinki' && params.source_language === params.target_language) {
        problems.push({
          path: '/target_language',
          message: `${spec.kind}: target_language must differ from source_language`,
        });
      }
      if (problems.length > 0) return problems;
      return [
        {
          path: `/${spec.models[0].field}`,
          message: `${spec.kind}: the model is present, but this server does not include the ${spec.engine} engine yet`,
        },
      ];
    },
    create() {
      throw new Error(`${spec.kind}: the ${spec.engine} engine is not included in this server`);
    },
  };
}

export const modelKindDefinitions: AnyNodeDefinition[] = SPECS.map(definition);
