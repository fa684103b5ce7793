// Builds the effective Config from its layers: defaults < TOML file < `SK_` environment variables
// (`__` separates nesting levels) < command-line flags; then validates cross-key rules.
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseToml } from 'smol-toml';
import type { TSchema } from '@streamkit/pipeline/core/typebox';
import { Value } from '@streamkit/pipeline/core/typebox';
import { ConfigSchema, type Config, type DeepPartial } from './schema';
import {
  ConfigError,
  checkLayer,
  clone,
  complete,
  isTable,
  kindOf,
  merge,
  schemaAt,
  type Table,
} from './schema-walk';

export { ConfigError };

/** Values given on the command line; they win over every other layer. */
export interface ConfigFlags {
  address?: string;
}

export interface ConfigLayers {
  /** The parsed TOML file (or any object of the same shape). */
  file?: unknown;
  /** Where `file` came from, for messages. */
  fileName?: string;
  /** Environment variables; only `SK_*` names containing `__` are config keys. */
  env?: Record<string, string | undefined>;
  flags?: ConfigFlags;
}

export interface LoadedConfig {
  config: Config;
  /** Unknown keys and other non-fatal findings, one sentence each. */
  warnings: string[];
  /** The config file that was read, if any. */
  file?: string;
}

/** A fresh copy of the built-in defaults. */
export function defaultConfig(): Config {
  return clone(DEFAULTS);
}

/** Every key's default (TypeBox builds the nested tables from the schema's `default`s). */
const DEFAULTS = Value.Create(ConfigSchema) as Config;

/** Merges the layers over the defaults, validating each. Throws ConfigError (naming the key) on bad values. */
export function resolveConfig(layers: ConfigLayers = {}): LoadedConfig {
  const warnings: string[] = [];
  let merged: unknown = clone(DEFAULTS);
  if (layers.file !== undefined) {
    const source = layers.fileName ?? 'config file';
    merged = merge(merged, checkLayer(ConfigSchema, layers.file, [], warnings, source));
  }
  if (layers.env) merged = merge(merged, envLayer(layers.env, warnings));
  if (layers.flags?.address !== undefined) {
    merged = merge(
      merged,
      checkLayer(ConfigSchema, { server: { address: layers.flags.address } }, [], warnings, '--address'),
    );
  }
  const config = complete(ConfigSchema, merged, []) as Config;
  normalize(config);
  validate(config);
  return { config, warnings };
}

/**
 * Reads the TOML file and resolves all layers. A missing file is a warning when it is the default
 * `skit.toml`, and an error when it was named explicitly.
 */
export function loadConfig(options: {
  path?: string;
  explicit?: boolean;
  env?: Record<string, string | undefined>;
  flags?: ConfigFlags;
}): LoadedConfig {
  const path = options.path ?? 'skit.toml';
  let file: unknown;
  const warnings: string[] = [];
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    try {
      file = parseToml(text);
    } catch (err) {
      throw new ConfigError(
        '',
        `Failed to parse ${path}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  } else if (options.explicit) {
    throw new ConfigError('', `Config file ${path} does not exist`);
  } else {
    warnings.push(`Config file ${path} not found; using defaults`);
  }
  const loaded = resolveConfig({ file, fileName: path, env: options.env, flags: options.flags });
  return {
    ...loaded,
    warnings: [...warnings, ...loaded.warnings],
    file: file === undefined ? undefined : path,
  };
}

/** Builds a partial config from `SK_SECTION__KEY=value` variables, typed by the schema. */
function envLayer(env: Record<string, string | undefined>, warnings: string[]): unknown {
  const layer: Table = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('SK_') || !name.includes('__') || raw === undefined) continue;
    const path = name.slice(3).toLowerCase().split('__');
    const schema = schemaAt(ConfigSchema, path);
    if (!schema || path.some((p) => p === '')) {
      warnings.push(
        `Unknown configuration key '${path.join('.')}' in environment variable ${name} (ignored)`,
      );
      continue;
    }
    let node = layer;
    for (const key of path.slice(0, -1)) {
      if (!isTable(node[key])) node[key] = {};
      node = node[key] as Table;
    }
    node[path[path.length - 1]] = coerceEnv(schema, raw, path.join('.'), name);
  }
  return checkLayer(ConfigSchema, layer, [], warnings, 'environment');
}

function coerceEnv(schema: TSchema, raw: string, key: string, name: string): unknown {
  const bad = (what: string): never => {
    throw new ConfigError(
      key,
      `Invalid configuration (environment): ${name}='${raw}' must be ${what} for '${key}'`,
    );
  };
  const text = raw.trim();
  switch (kindOf(schema)) {
    case 'Boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return bad('true or false');
    case 'Integer':
      return /^-?\d+$/.test(text) ? Number(text) : bad('an integer');
    case 'Number':
      return text !== '' && Number.isFinite(Number(text)) ? Number(text) : bad('a number');
    case 'String':
    case 'Union':
      return raw;
    case 'Array':
      if (text.startsWith('[')) return parseInline(text) ?? bad('an array such as ["a", "b"]');
      return text === '' ? [] : text.split(',').map((s) => s.trim());
    default:
      return parseInline(text) ?? bad('a TOML value such as { key = "value" }');
  }
}

/** Parses a TOML inline value (array, table, scalar); JSON arrays are valid TOML too. */
function parseInline(text: string): unknown {
  try {
    return parseToml(`v = ${text}`).v;
  } catch {
    return undefined;
  }
}

/** Canonical forms StreamKit also applies after loading (base_path, sample allow-list prefixes). */
function normalize(config: Config): void {
  const base = config.server.base_path?.trim().replace(/\/+$/, '');
  if (base === undefined || base === '' || base === '/') delete config.server.base_path;
  else config.server.base_path = base.startsWith('/') ? base : `/${base}`;

  const samplesDir = config.server.samples_dir.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  const prefixes = ['samples/pipelines/', './samples/pipelines/', `${samplesDir}/`, `./${samplesDir}/`];
  for (const role of Object.values(config.permissions.roles)) {
    role.allowed_samples = role.allowed_samples.map((pattern) => {
      if (pattern === '*' || pattern === '') return pattern;
      const p = pattern.replace(/\\/g, '/');
      const prefix = prefixes.find((pre) => p.startsWith(pre));
      return prefix ? p.slice(prefix.length) : pattern;
    });
  }
}

/** Parses `ip:port` / `[v6]:port`; undefined when malformed. */
export function parseAddress(address: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (!isIP(m[1]) || port > 65535) return undefined;
  return { host: m[1], port };
}

function validate(config: Config): void {
  if (!parseAddress(config.server.address)) {
    throw new ConfigError(
      'server.address',
      `Invalid configuration: 'server.address' must be an IP address and port such as 127.0.0.1:4545 or [::1]:4545, got '${config.server.address}'`,
    );
  }
  if (config.server.tls) {
    for (const key of ['cert_path', 'key_path'] as const) {
      if (config.server[key] === '') {
        throw new ConfigError(
          `server.${key}`,
          `Invalid configuration: 'server.${key}' must be set when server.tls = true`,
        );
      }
    }
  }
  if (!(config.permissions.default_role in config.permissions.roles)) {
    throw new ConfigError(
      'permissions.default_role',
      `Invalid configuration: 'permissions.default_role' names role '${config.permissions.default_role}', which is not defined in [permissions.roles]`,
    );
  }
}

/** Resolves a partial config (tests, embedding) exactly as if it were the file layer. */
export function configFrom(
  partial: DeepPartial<Config> = {},
  env?: Record<string, string | undefined>,
): Config {
  return resolveConfig({ file: partial, fileName: 'overrides', env }).config;
}
