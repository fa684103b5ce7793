// Plugins: the WASM and Node-API plugin hosts, the node kinds they register, and the manager the server uses.
export { PluginManager, pluginTypeForFileName } from './manager';
export type { PluginManagerOptions, PluginRegistry } from './manager';
export { WasmPlugin, DEFAULT_WASM_MEMORY_LIMIT_MB } from './wasm-plugin';
export { NativePlugin } from './native-plugin';
export type { NativeAddon } from './native-plugin';
export { pluginNodeDefinition } from './plugin-node';
export { parsePluginMetadata, registeredKind, simpleKind } from './metadata';
export { PLUGIN_ABI_VERSION, PluginCallError, PluginError } from './types';
export type {
  LoadedPluginModule,
  PluginErrorCode,
  PluginInstance,
  PluginLogSink,
  PluginMetadata,
  PluginOutput,
  PluginSummary,
  PluginType,
} from './types';
