// Turns a node kind's JSON Schema (`param_schema`) into form field descriptions, with the inline check of a
// field being edited. A pipeline's params are checked by the engine's code (lib/validate.ts).
import type { JsonSchema } from '../api/types';

export type FieldKind = 'range' | 'number' | 'boolean' | 'enum' | 'string' | 'text' | 'object' | 'json';

export interface FieldSpec {
  key: string;
  path: string[];
  label: string;
  description?: string;
  kind: FieldKind;
  integer: boolean;
  nullable: boolean;
  /** The value must be written: required by the schema and without a default. */
  required: boolean;
  tunable: boolean;
  default?: unknown;
  min?: number;
  max?: number;
  step?: number;
  options?: { value: unknown; label: string }[];
  fields?: FieldSpec[];
  schema: JsonSchema;
}

function refTarget(root: JsonSchema, ref: string): JsonSchema | undefined {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return undefined;
  const table = m[1] === '$defs' ? root.$defs : root.definitions;
  return table?.[decodeURIComponent(m[2])];
}

/** Resolves `$ref`, single-entry `allOf`, and `T | null` unions to one schema plus a nullable flag. */
export function resolveSchema(
  root: JsonSchema,
  schema: JsonSchema,
): { schema: JsonSchema; nullable: boolean } {
  let s = schema;
  for (let guard = 0; guard < 16; guard++) {
    if (s.$ref) {
      const target = refTarget(root, s.$ref);
      if (!target) break;
      const { $ref: _ref, ...rest } = s;
      s = { ...target, ...rest };
    } else if (s.allOf && s.allOf.length === 1) {
      const { allOf, ...rest } = s;
      s = { ...allOf[0], ...rest };
    } else break;
  }
  const union = s.anyOf ?? s.oneOf;
  if (union) {
    const nonNull = union.filter((u) => u.type !== 'null');
    const nullable = nonNull.length < union.length;
    if (nonNull.length === 1) {
      const { anyOf: _a, oneOf: _o, ...rest } = s;
      const inner = resolveSchema(root, nonNull[0]);
      return { schema: { ...inner.schema, ...rest }, nullable: nullable || inner.nullable };
    }
    if (nonNull.length > 0 && nonNull.every((u) => u.const !== undefined || u.enum?.length === 1)) {
      return {
        schema: { ...s, enum: nonNull.map((u) => (u.const !== undefined ? u.const : u.enum?.[0])) },
        nullable,
      };
    }
    return { schema: s, nullable };
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    const nullable = types.length < s.type.length;
    return { schema: { ...s, type: types.length === 1 ? types[0] : types }, nullable };
  }
  return { schema: s, nullable: false };
}

const looksLikeScript = (key: string, s: JsonSchema) =>
  key === 'script' || key.endsWith('_script') || /javascript/i.test(s.description ?? '');

function sliderStep(s: JsonSchema, integer: boolean, min: number, max: number): number {
  if (s.multipleOf) return s.multipleOf;
  if (integer) return 1;
  const span = max - min;
  return span > 0 ? Number((span / 100).toPrecision(2)) : 0.01;
}

export function describeField(
  root: JsonSchema,
  key: string,
  raw: JsonSchema,
  path: string[],
  required: boolean,
): FieldSpec {
  const { schema: s, nullable } = resolveSchema(root, raw);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const fallback = s.default !== undefined ? s.default : raw.default;
  const base: FieldSpec = {
    key,
    path,
    label: s.title ?? key,
    description: s.description,
    kind: 'json',
    integer: type === 'integer',
    nullable,
    // A property with a default never has to be written (schema generators list it as required anyway).
    required: required && fallback === undefined,
    tunable: s.tunable === true || raw.tunable === true,
    default: fallback,
    schema: s,
  };
  if (s.enum) {
    return { ...base, kind: 'enum', options: s.enum.map((v) => ({ value: v, label: String(v) })) };
  }
  if (type === 'boolean') return { ...base, kind: 'boolean' };
  if (type === 'number' || type === 'integer') {
    const min = s.minimum ?? s.exclusiveMinimum;
    const max = s.maximum ?? s.exclusiveMaximum;
    if (min !== undefined && max !== undefined && Number.isFinite(min) && Number.isFinite(max)) {
      return { ...base, kind: 'range', min, max, step: sliderStep(s, type === 'integer', min, max) };
    }
    return { ...base, kind: 'number', min, max, step: s.multipleOf ?? (type === 'integer' ? 1 : undefined) };
  }
  if (type === 'string') return { ...base, kind: looksLikeScript(key, s) ? 'text' : 'string' };
  if (type === 'object' && s.properties) {
    const req = new Set(s.required ?? []);
    const fields = Object.entries(s.properties).map(([k, v]) =>
      describeField(root, k, v, [...path, k], req.has(k)),
    );
    return { ...base, kind: 'object', fields };
  }
  return base;
}

/** Top-level fields of a kind's parameter schema (empty for `{}` or non-object schemas). */
export function describeParams(schema: JsonSchema | undefined): FieldSpec[] {
  if (!schema?.properties) return [];
  const req = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([k, v]) => describeField(schema, k, v, [k], req.has(k)));
}

/** Params for a freshly dropped node: only what must be written, as an empty value of its type. */
export function initialParams(schema: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of describeParams(schema)) {
    if (!f.required) continue;
    if (f.kind === 'string' || f.kind === 'text') out[f.key] = '';
    else if (f.kind === 'boolean') out[f.key] = false;
    else if (f.kind === 'enum') out[f.key] = f.options?.[0]?.value;
    else if (f.kind === 'range' || f.kind === 'number') out[f.key] = f.min ?? 0;
  }
  return out;
}

export function getAt(obj: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Immutable set; `undefined` removes the key (and empty parent objects). */
export function setAt(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  const next = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next;
  }
  const child = next[head];
  const inner = setAt(
    typeof child === 'object' && child !== null && !Array.isArray(child)
      ? (child as Record<string, unknown>)
      : {},
    rest,
    value,
  );
  if (Object.keys(inner).length === 0) delete next[head];
  else next[head] = inner;
  return next;
}

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;

/** Problems of `value` against a field, as `path: message` strings (empty when valid). */
export function checkField(f: FieldSpec, value: unknown): string[] {
  const where = f.path.join('.');
  if (value === undefined) return f.required ? [`${where} is required`] : [];
  if (value === null) return f.nullable ? [] : [`${where} cannot be null`];
  const t = typeOf(value);
  switch (f.kind) {
    case 'enum':
      return f.options?.some((o) => o.value === value)
        ? []
        : [`${where} must be one of ${f.options?.map((o) => JSON.stringify(o.value)).join(', ')}`];
    case 'boolean':
      return t === 'boolean' ? [] : [`${where} must be true or false`];
    case 'range':
    case 'number': {
      if (t !== 'number' && t !== 'integer') return [`${where} must be a number`];
      const n = value as number;
      if (f.integer && !Number.isInteger(n)) return [`${where} must be an integer`];
      const s = f.schema;
      if (s.minimum !== undefined && n < s.minimum) return [`${where} must be ≥ ${s.minimum} (got ${n})`];
      if (s.maximum !== undefined && n > s.maximum) return [`${where} must be ≤ ${s.maximum} (got ${n})`];
      if (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum)
        return [`${where} must be > ${s.exclusiveMinimum} (got ${n})`];
      if (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum)
        return [`${where} must be < ${s.exclusiveMaximum} (got ${n})`];
      return [];
    }
    case 'string':
    case 'text':
      if (t !== 'string') return [`${where} must be a string`];
      return f.required && value === '' ? [`${where} is required`] : [];
    case 'object':
      if (t !== 'object') return [`${where} must be a mapping`];
      return (f.fields ?? []).flatMap((c) => checkField(c, (value as Record<string, unknown>)[c.key]));
    default:
      return [];
  }
}
