// Public surface of the configuration: schema and types, loader, printer, injection tokens.
export * from './schema';
export * from './tokens';
export { ConfigError, configFrom, defaultConfig, loadConfig, parseAddress, resolveConfig } from './loader';
export type { ConfigFlags, ConfigLayers, LoadedConfig } from './loader';
export { printConfigToml } from './toml-printer';
