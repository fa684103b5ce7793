// Public surface of the pipeline engine (framework-free).
export * from './core/packets';
export * from './core/pin-types';
export * from './core/node';
export * from './core/helpers';
export * from './core/media-error';
export * from './core/listeners';
export * from './definition/types';
export * from './definition/yaml';
export * from './definition/yaml-bounds';
export * from './definition/compile';
export * from './definition/limits';
export * from './definition/graph-algorithms';
export * from './definition/param-check';
export * from './definition/oneshot-rules';
export * from './definition/schema-catalog';
export * from './definition/references';
export * from './registry/registry';
export * from './registry/packet-types';
export * from './registry/default';
export * from './runtime/channel';
export * from './runtime/telemetry';
export * from './runtime/byte-stream';
export * from './runtime/graph';
export * from './runtime/node-runner';
export * from './runtime/oneshot';
export * from './nodes/core';
export * from './runtime/session-types';
export {
  commandOperations,
  commandPermission,
  type CommandResults,
  type SessionCommand,
} from './runtime/commands';
export * from './runtime/session';
export * from './runtime/session-host';
export * from './runtime/yaml-thread';
export * from './runtime/workers';
