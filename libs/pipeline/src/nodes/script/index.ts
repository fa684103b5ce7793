// Node kinds of this family, registered by the engine's default registry.
import type { AnyNodeDefinition } from '../../core/node';

export const scriptNodeDefinitions: AnyNodeDefinition[] = [];
