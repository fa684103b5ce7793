// The default registry: every built-in family (core, audio, containers, script, speech). Plugins register later.
import { audioNodeDefinitions } from '../nodes/audio';
import { containerNodeDefinitions } from '../nodes/containers';
import { coreNodeDefinitions } from '../nodes/core';
import { scriptNodeDefinitions } from '../nodes/script';
import { speechNodeDefinitions } from '../nodes/speech';
import { NodeRegistry } from './registry';

export function createDefaultRegistry(): NodeRegistry {
  return new NodeRegistry([
    ...coreNodeDefinitions,
    ...audioNodeDefinitions,
    ...containerNodeDefinitions,
    ...scriptNodeDefinitions,
    ...speechNodeDefinitions,
  ]);
}
