// A catalog of node kinds built from `GET /api/v1/schema/nodes` entries, for compiling a pipeline where the
// registry is not (the web UI). Params are checked with the same code as the registry (param-check.ts); pins
// are the listed ones, which the server computed from default params. Browser-safe.
import type { InputPinSpec, OutputPinSpec } from '../core/pin-types';
import {
  checkParamsWith,
  compileParamSchema,
  createParamAjv,
  type AjvClass,
  type CheckedParams,
} from './param-check';
import type { KindCatalog, KindInfo } from './types';

/** What the catalog needs of one `/schema/nodes` entry. */
export interface SchemaKind {
  kind: string;
  /** The kind's params as JSON Schema. */
  param_schema: object;
  inputs: InputPinSpec[];
  outputs: OutputPinSpec[];
  bidirectional: boolean;
  oneshot_only?: boolean;
}

/** Checks one node's params against its kind's schema entry. */
export type SchemaParamChecker = (entry: SchemaKind, params: unknown) => CheckedParams;

/** Accepts params as written (connection checks while editing, where only pins matter). */
export const trustParams: SchemaParamChecker = (_entry, params) => ({
  params:
    typeof params === 'object' && params !== null && !Array.isArray(params)
      ? (params as Record<string, unknown>)
      : {},
  problems: [],
  warnings: [],
});

/**
 * The registry's param check over schema entries: each schema compiled on first use and kept while its
 * entry object lives. Not strict, as the server by default: unknown keys are warnings.
 */
export function schemaParamChecker(AjvCtor: AjvClass): SchemaParamChecker {
  const ajv = createParamAjv(AjvCtor);
  const compiled = new WeakMap<object, ReturnType<typeof compileParamSchema>>();
  return (entry, params) => {
    let validate = compiled.get(entry.param_schema);
    if (!validate) {
      try {
        validate = compileParamSchema(ajv, entry.param_schema);
      } catch (err) {
        return {
          params: {},
          problems: [{ path: '', message: `the kind's param schema is unusable: ${(err as Error).message}` }],
          warnings: [],
        };
      }
      compiled.set(entry.param_schema, validate);
    }
    return checkParamsWith(validate, entry.kind, params, false);
  };
}

export function schemaCatalog(
  lookup: (kind: string) => SchemaKind | undefined,
  checkParams: SchemaParamChecker,
): KindCatalog {
  return {
    describe(kind): KindInfo | undefined {
      const entry = lookup(kind);
      if (!entry) return undefined;
      return {
        kind,
        bidirectional: entry.bidirectional,
        oneshotOnly: entry.oneshot_only === true,
        checkParams: (params) => checkParams(entry, params),
        pins: () => ({ inputs: entry.inputs, outputs: entry.outputs }),
      };
    },
  };
}
