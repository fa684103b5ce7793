// Node kinds of this family, registered by the engine's default registry.
import type { AnyNodeDefinition } from '../../core/node';
import { flacDecoderNode, mp3DecoderNode } from './file-decoders';
import { gainNode } from './gain';
import { mixerNode } from './mixer';
import { opusDecoderNode } from './opus-decoder';
import { opusEncoderNode } from './opus-encoder';
import { audioPacerNode } from './pacer';
import { resamplerNode } from './resampler';

export const audioNodeDefinitions: AnyNodeDefinition[] = [
  gainNode,
  mixerNode,
  resamplerNode,
  audioPacerNode,
  opusDecoderNode,
  opusEncoderNode,
  flacDecoderNode,
  mp3DecoderNode,
];
