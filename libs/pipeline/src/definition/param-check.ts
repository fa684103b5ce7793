// Checks a node's params against its kind's JSON Schema with Ajv: defaults applied, unknown keys dropped with
// a warning (StreamKit ignores them) or refused when strict, errors worded with the param's path. The engine's
// registry and the web UI (with the schemas of `/api/v1/schema/nodes`) both use it. Browser-safe: the caller
// hands in the Ajv class, so neither the engine's start-up nor the UI's first paint loads Ajv.
import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';

export type ParamProblem = { path: string; message: string };

/** What a param check returns: params with defaults applied, errors, and warnings (unknown keys ignored). */
export interface CheckedParams {
  params: Record<string, unknown>;
  problems: ParamProblem[];
  /** Unknown keys that were dropped (only when not strict). */
  warnings: ParamProblem[];
}

export type AjvClass = typeof Ajv;

/** The Ajv instance params are checked with: defaults applied, every error reported, `tunable` allowed. */
export function createParamAjv(AjvCtor: AjvClass): Ajv {
  const ajv = new AjvCtor({ useDefaults: true, allErrors: true, strict: false, verbose: true });
  ajv.addKeyword({ keyword: 'tunable', schemaType: 'boolean' });
  return ajv;
}

/** Compiles a kind's param schema; a schema that does not say otherwise refuses unknown keys (see checkParamsWith). */
export function compileParamSchema(ajv: Ajv, paramSchema: object): ValidateFunction {
  const schema: Record<string, unknown> = { ...paramSchema };
  // Unknown keys are reported: StreamKit silently ignores them, hiding typos.
  if (schema.additionalProperties === undefined) schema.additionalProperties = false;
  return ajv.compile(schema);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyOf(path: string): string {
  return path.replace(/^\//, '').split('/').join('.');
}

export function describeAjvError(e: ErrorObject): ParamProblem {
  const base = e.instancePath;
  switch (e.keyword) {
    case 'additionalProperties': {
      const prop = String((e.params as { additionalProperty: string }).additionalProperty);
      return { path: `${base}/${prop}`, message: `unknown param '${keyOf(`${base}/${prop}`)}'` };
    }
    case 'required': {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      return { path: `${base}/${prop}`, message: `missing required param '${keyOf(`${base}/${prop}`)}'` };
    }
    default: {
      const data = JSON.stringify(e.data);
      const key = base === '' ? 'params' : `param '${keyOf(base)}'`;
      return {
        path: base,
        message: `${key} ${e.message ?? 'is invalid'}${data === undefined ? '' : ` (got ${data})`}`,
      };
    }
  }
}

/** Deletes the key an `additionalProperties` error names (the error's instance path leads to its object). */
function dropUnknown(root: Record<string, unknown>, e: ErrorObject): void {
  let at: unknown = root;
  for (const seg of e.instancePath.split('/').slice(1)) {
    if (!isObject(at) && !Array.isArray(at)) return;
    at = (at as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (isObject(at)) delete at[String((e.params as { additionalProperty: string }).additionalProperty)];
}

/**
 * Validate params (null/absent = `{}`), defaults applied; the input object is not modified. Unknown keys
 * (Ajv's `additionalProperties`, at any depth the schema closes) are dropped and reported as warnings, or
 * as errors when `strict`; wrong types and ranges of known keys are always errors.
 */
export function checkParamsWith(
  validate: ValidateFunction,
  kind: string,
  params: unknown,
  strict: boolean,
): CheckedParams {
  if (params !== undefined && params !== null && !isObject(params)) {
    return { params: {}, problems: [{ path: '', message: 'params must be an object' }], warnings: [] };
  }
  const copy = structuredClone(params ?? {}) as Record<string, unknown>;
  let warnings: ParamProblem[] = [];
  if (!validate(copy)) {
    const errors = validate.errors ?? [];
    const unknown = strict ? [] : errors.filter((e) => e.keyword === 'additionalProperties');
    // Unknown keys are dropped (the node never sees them) and reported as warnings.
    for (const e of unknown) dropUnknown(copy, e);
    warnings = unknown.map((e) => {
      const w = describeAjvError(e);
      return { path: w.path, message: `${w.message} ignored (not a parameter of ${kind})` };
    });
    const others = errors.filter((e) => !unknown.includes(e));
    if (others.length > 0) return { params: copy, problems: others.map(describeAjvError), warnings };
    if (!validate(copy)) {
      return { params: copy, problems: (validate.errors ?? []).map(describeAjvError), warnings };
    }
  }
  return { params: copy, problems: [], warnings };
}
