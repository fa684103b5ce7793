// Generic walks over the config schema: per-layer type checks (errors name the key, unknown
// keys become warnings), merging and completion of record/array entries. Knows TypeBox kinds, not config keys.
import { Kind, OptionalKind, type TSchema } from '@streamkit/pipeline/core/typebox';
import { Value } from '@streamkit/pipeline/core/typebox';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Table = { [key: string]: unknown };

/** A configuration problem tied to a dotted key path (`server.address`). */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const kindOf = (s: TSchema): string => s[Kind];
export const isOptional = (s: TSchema): boolean => s[OptionalKind] === 'Optional';
export const isTable = (v: unknown): v is Table =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Properties of an Object schema, in declaration order. */
export function properties(s: TSchema): [string, TSchema][] {
  return Object.entries((s.properties ?? {}) as Record<string, TSchema>);
}

/** The value schema of a Record schema. */
export function recordValue(s: TSchema): TSchema {
  return Object.values(s.patternProperties as Record<string, TSchema>)[0];
}

/** The schema at a key path, or undefined when no such key exists. */
export function schemaAt(root: TSchema, path: readonly string[]): TSchema | undefined {
  let s: TSchema | undefined = root;
  for (const key of path) {
    if (!s) return undefined;
    if (kindOf(s) === 'Object') s = (s.properties as Record<string, TSchema>)[key];
    else if (kindOf(s) === 'Record') s = recordValue(s);
    else return undefined;
  }
  return s;
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

const describe = (v: unknown): string => {
  if (Array.isArray(v)) return 'an array';
  if (isTable(v)) return 'a table';
  return `${typeof v} ${JSON.stringify(v)}`;
};

export function expected(s: TSchema): string {
  switch (kindOf(s)) {
    case 'String':
      return 'a string';
    case 'Integer':
      return 'an integer';
    case 'Number':
      return 'a number';
    case 'Boolean':
      return 'a boolean (true or false)';
    case 'Array':
      return `an array of ${expected(s.items as TSchema).replace(/^an? /, '')}s`;
    case 'Object':
    case 'Record':
      return 'a table';
    case 'Union':
      return `one of ${(s.anyOf as TSchema[]).map((o) => JSON.stringify(o.const)).join(', ')}`;
    default:
      return 'a value';
  }
}

/**
 * Checks one layer (file, environment) against the schema. Objects may be partial. Unknown keys are removed
 * and reported in `warnings`; a wrong type throws a ConfigError naming the key.
 */
export function checkLayer(
  s: TSchema,
  value: unknown,
  path: string[],
  warnings: string[],
  source: string,
): unknown {
  const key = path.join('.');
  const fail = (): never => {
    throw new ConfigError(
      key,
      `Invalid configuration (${source}): '${key}' must be ${expected(s)}, got ${describe(value)}`,
    );
  };
  switch (kindOf(s)) {
    case 'Object': {
      if (!isTable(value)) return fail();
      const props = s.properties as Record<string, TSchema>;
      const out: Table = {};
      for (const [k, v] of Object.entries(value)) {
        if (!(k in props)) {
          warnings.push(`Unknown configuration key '${[...path, k].join('.')}' in ${source} (ignored)`);
          continue;
        }
        out[k] = checkLayer(props[k], v, [...path, k], warnings, source);
      }
      return out;
    }
    case 'Record': {
      if (!isTable(value)) return fail();
      const inner = recordValue(s);
      const out: Table = {};
      for (const [k, v] of Object.entries(value))
        out[k] = checkLayer(inner, v, [...path, k], warnings, source);
      return out;
    }
    case 'Array': {
      if (!Array.isArray(value)) return fail();
      return value.map((item, i) =>
        checkLayer(s.items as TSchema, item, [...path, String(i)], warnings, source),
      );
    }
    case 'String':
      return typeof value === 'string' ? value : fail();
    case 'Boolean':
      return typeof value === 'boolean' ? value : fail();
    case 'Integer':
    case 'Number': {
      if (typeof value === 'bigint') value = Number(value);
      if (typeof value !== 'number' || (kindOf(s) === 'Integer' && !Number.isInteger(value))) return fail();
      if (typeof s.minimum === 'number' && value < s.minimum) {
        throw new ConfigError(
          key,
          `Invalid configuration (${source}): '${key}' must be at least ${s.minimum}, got ${value}`,
        );
      }
      return value;
    }
    case 'Union': {
      const options = (s.anyOf as TSchema[]).map((o) => o.const as unknown);
      return options.includes(value) ? value : fail();
    }
    default:
      return value;
  }
}

/** Deep merge: tables merge recursively, arrays and scalars from `over` replace. */
export function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return clone(base);
  if (isTable(base) && isTable(over)) {
    const out: Table = clone(base);
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
    return out;
  }
  return clone(over);
}

/**
 * Fills entries of records and arrays of objects (roles, fetch rules, secrets) with their per-key defaults
 * and reports required keys that are still missing.
 */
export function complete(s: TSchema, value: unknown, path: string[]): unknown {
  switch (kindOf(s)) {
    case 'Object': {
      if (!isTable(value)) return value;
      const out: Table = { ...value };
      for (const [k, prop] of properties(s)) {
        if (out[k] === undefined) {
          const d = Value.Default(prop, undefined);
          if (d !== undefined) out[k] = d;
          else if (!isOptional(prop)) {
            const key = [...path, k].join('.');
            throw new ConfigError(key, `Invalid configuration: '${key}' is required`);
          }
        }
        if (out[k] !== undefined) out[k] = complete(prop, out[k], [...path, k]);
      }
      return out;
    }
    case 'Record': {
      if (!isTable(value)) return value;
      const inner = recordValue(s);
      const out: Table = {};
      for (const [k, v] of Object.entries(value)) out[k] = complete(inner, v, [...path, k]);
      return out;
    }
    case 'Array':
      return Array.isArray(value)
        ? value.map((item, i) => complete(s.items as TSchema, item, [...path, String(i)]))
        : value;
    default:
      return value;
  }
}
