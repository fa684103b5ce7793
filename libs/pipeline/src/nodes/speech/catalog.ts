// The models StreamKit's speech kinds use, where upstream publishes them, and which kind needs which.
// `skit models list` prints this against what `[models].dir` holds; `skit models pull NAME` fetches one.
// Browser-safe data only.

export interface ModelEntry {
  /** Short name for `skit models pull`. */
  name: string;
  /** Path under the models directory (a file, or a directory for archives). */
  path: string;
  kinds: string[];
  /** Download URL (a single file, or a `.tar.bz2` that unpacks to `path`). */
  url: string;
  /** Approximate download size in MB, for the listing. */
  sizeMb: number;
  licence: string;
  /** Extra file fetched into the directory after unpacking (Matcha's vocoder). */
  extra?: { url: string; file: string };
  /** Set when no single download exists (the model must be converted by hand): the how-to. */
  manual?: string;
}

const HF_WHISPER = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';
const K2 = 'https://github.com/k2-fsa/sherpa-onnx/releases/download';

export const MODEL_CATALOG: readonly ModelEntry[] = [
  {
    name: 'whisper-base-en-q5_1',
    path: 'ggml-base.en-q5_1.bin',
    kinds: ['plugin::native::whisper'],
    url: `${HF_WHISPER}/ggml-base.en-q5_1.bin`,
    sizeMb: 58,
    licence: 'MIT',
  },
  {
    name: 'whisper-tiny-en-q5_1',
    path: 'ggml-tiny.en-q5_1.bin',
    kinds: ['plugin::native::whisper'],
    url: `${HF_WHISPER}/ggml-tiny.en-q5_1.bin`,
    sizeMb: 32,
    licence: 'MIT',
  },
  {
    name: 'whisper-base-en',
    path: 'ggml-base.en.bin',
    kinds: ['plugin::native::whisper'],
    url: `${HF_WHISPER}/ggml-base.en.bin`,
    sizeMb: 148,
    licence: 'MIT',
  },
  {
    name: 'whisper-base-q5_1',
    path: 'ggml-base-q5_1.bin',
    kinds: ['plugin::native::whisper'],
    url: `${HF_WHISPER}/ggml-base-q5_1.bin`,
    sizeMb: 60,
    licence: 'MIT',
  },
  {
    name: 'silero-vad',
    path: 'silero_vad.onnx',
    kinds: ['plugin::native::whisper', 'plugin::native::sensevoice'],
    url: 'https://raw.githubusercontent.com/snakers4/silero-vad/master/src/silero_vad/data/silero_vad.onnx',
    sizeMb: 2,
    licence: 'MIT',
  },
  {
    name: 'ten-vad',
    path: 'ten-vad.onnx',
    kinds: ['plugin::native::vad'],
    url: `${K2}/asr-models/ten-vad.onnx`,
    sizeMb: 1,
    licence: 'Apache-2.0 (TEN VAD terms)',
  },
  {
    name: 'sensevoice',
    path: 'sherpa-onnx-sense-voice-zh-en-ja-ko-yue-int8-2025-09-09',
    kinds: ['plugin::native::sensevoice'],
    url: `${K2}/asr-models/sherpa-onnx-sense-voice-zh-en-ja-ko-yue-int8-2025-09-09.tar.bz2`,
    sizeMb: 160,
    licence: 'FunASR model licence',
  },
  {
    name: 'kokoro',
    path: 'kokoro-multi-lang-v1_1',
    kinds: ['plugin::native::kokoro'],
    url: `${K2}/tts-models/kokoro-multi-lang-v1_1.tar.bz2`,
    sizeMb: 360,
    licence: 'Apache-2.0',
  },
  {
    name: 'piper-en',
    path: 'vits-piper-en_US-libritts_r-medium',
    kinds: ['plugin::native::piper'],
    url: `${K2}/tts-models/vits-piper-en_US-libritts_r-medium.tar.bz2`,
    sizeMb: 80,
    licence: 'MIT (Piper voices: see the voice card)',
  },
  {
    name: 'piper-es',
    path: 'vits-piper-es_MX-claude-high',
    kinds: ['plugin::native::piper'],
    url: `${K2}/tts-models/vits-piper-es_MX-claude-high.tar.bz2`,
    sizeMb: 65,
    licence: 'see the voice card',
  },
  {
    name: 'matcha',
    path: 'matcha-icefall-en_US-ljspeech',
    kinds: ['plugin::native::matcha'],
    url: `${K2}/tts-models/matcha-icefall-en_US-ljspeech.tar.bz2`,
    sizeMb: 75,
    licence: 'Apache-2.0 (LJSpeech: public domain)',
    extra: { url: `${K2}/vocoder-models/vocos-22khz-univ.onnx`, file: 'vocos-22khz-univ.onnx' },
  },
  {
    name: 'nllb',
    path: 'nllb-200-distilled-600M-ct2-int8',
    kinds: ['plugin::native::nllb'],
    url: 'https://huggingface.co/entai2965/nllb-200-distilled-600M-ctranslate2',
    sizeMb: 1200,
    licence: 'CC-BY-NC-4.0 (non-commercial)',
    manual:
      'a Hugging Face snapshot, not one file: `huggingface-cli download entai2965/nllb-200-distilled-600M-ctranslate2 --local-dir models/nllb-200-distilled-600M-ct2-int8`',
  },
  {
    name: 'helsinki-en-es',
    path: 'opus-mt-en-es',
    kinds: ['plugin::native::helsinki'],
    url: 'https://huggingface.co/Helsinki-NLP/opus-mt-en-es',
    sizeMb: 300,
    licence: 'Apache-2.0',
    manual:
      "converted from the Hugging Face model with StreamKit's plugins/native/helsinki/download-models.py",
  },
];

/** The catalog entry whose path a model param names (`models/ggml-base.en-q5_1.bin`, `./models/kokoro-...`). */
export function modelForFile(param: string): ModelEntry | undefined {
  const rel = param
    .replace(/^(\.\/)+/, '')
    .replace(/^models\//, '')
    .replace(/\/+$/, '');
  return MODEL_CATALOG.find((m) => m.path === rel || rel.endsWith(`/${m.path}`));
}
