// Node kinds of this family, registered by the engine's default registry.
import type { AnyNodeDefinition } from '../../core/node';
import { oggDemuxerNode } from './ogg-demuxer';
import { oggMuxerNode } from './ogg-muxer';
import { wavDemuxerNode } from './wav-demuxer';
import { wavMuxerNode } from './wav-muxer';
import { webmMuxerNode } from './webm-muxer';

export const containerNodeDefinitions: AnyNodeDefinition[] = [
  oggDemuxerNode,
  oggMuxerNode,
  wavDemuxerNode,
  wavMuxerNode,
  webmMuxerNode,
];
