// Speech nodes: voice activity detection, speech-to-text and text-to-speech with engines that run here out of
// the box (shipped Silero VAD, Debian's espeak-ng and pocketsphinx), and StreamKit's model-backed speech kinds.
import type { AnyNodeDefinition } from '../../core/node';
import { modelKindDefinitions } from './model-kinds';
import { sttNode } from './stt-node';
import { ttsNode } from './tts-node';
import { vadNode } from './vad-node';

export { MODEL_CATALOG, type ModelEntry } from './catalog';
export { MODELS_SERVICE_KEY, type ModelServices } from './models';

export const speechNodeDefinitions: AnyNodeDefinition[] = [
  vadNode,
  sttNode,
  ttsNode,
  ...modelKindDefinitions,
];
