// The registry of node kinds: params validated with Ajv (definition/param-check.ts: defaults applied, unknown
// keys dropped with a warning or refused when `strictParams`), pins, and the `/schema/nodes` listing. Kinds can
// be registered and unregistered at runtime (plugins).
import { Listeners } from '../core/listeners';
import type { default as Ajv, ValidateFunction } from 'ajv';
import type { AnyNodeDefinition, NodeServices } from '../core/node';
import type { InputPinSpec, OutputPinSpec, PinSet } from '../core/pin-types';
import type { KindCatalog, KindInfo } from '../definition/types';
import {
  checkParamsWith,
  compileParamSchema,
  createParamAjv,
  type AjvClass,
  type CheckedParams,
  type ParamProblem,
} from '../definition/param-check';

export type { CheckedParams, ParamProblem } from '../definition/param-check';

/** One entry of StreamKit's `GET /api/v1/schema/nodes`. */
export interface NodeSchemaEntry {
  kind: string;
  description?: string;
  param_schema: Record<string, unknown>;
  inputs: InputPinSpec[];
  outputs: OutputPinSpec[];
  categories: string[];
  bidirectional: boolean;
  /** Ours: only usable in oneshot pipelines. */
  oneshot_only?: boolean;
}

export interface NodeRegistryOptions {
  /**
   * Refuse unknown params (`[engine].strict_params`). Off by default: like StreamKit, an unknown key is
   * ignored, but reported as a warning naming the node and the key.
   */
  strictParams?: boolean;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly code: 'conflict' | 'not_found' | 'invalid',
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

interface Entry {
  def: AnyNodeDefinition;
  /** Compiled on first use: compiling every kind up front makes registry creation slow. */
  validate: ValidateFunction | undefined;
  tunable: Set<string>;
  info: KindInfo;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class NodeRegistry implements KindCatalog {
  /** Created with the first validator: loading Ajv is a good part of an engine worker's start-up. */
  private ajvInstance: Ajv | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Listeners<[kind: string, change: 'registered' | 'unregistered']>(
    'node kind',
  );

  /** See NodeRegistryOptions; may change at run time (a new value applies to the next validation). */
  strictParams: boolean;

  constructor(definitions: AnyNodeDefinition[] = [], options: NodeRegistryOptions = {}) {
    this.strictParams = options.strictParams === true;
    for (const def of definitions) this.register(def);
  }

  /** Add a kind. A kind that is already registered is a `conflict` unless `replace` is set. */
  register(def: AnyNodeDefinition, options: { replace?: boolean } = {}): void {
    if (this.entries.has(def.kind) && !options.replace) {
      throw new RegistryError(`Node kind '${def.kind}' is already registered`, 'conflict');
    }
    const props = (def.params.properties ?? {}) as Record<string, { tunable?: unknown }>;
    const tunable = new Set(Object.keys(props).filter((k) => props[k].tunable === true));
    const entry: Entry = {
      def,
      validate: undefined,
      tunable,
      info: {
        kind: def.kind,
        bidirectional: def.bidirectional === true,
        oneshotOnly: def.oneshotOnly === true,
        checkParams: (params, services) =>
          this.checkParams(def.kind, params, services as NodeServices | undefined),
        pins: (params) => def.pins(params),
      },
    };
    this.entries.set(def.kind, entry);
    this.listeners.emit(def.kind, 'registered');
  }

  unregister(kind: string): boolean {
    const existed = this.entries.delete(kind);
    if (existed) this.listeners.emit(kind, 'unregistered');
    return existed;
  }

  /** Be told when kinds come and go; returns the unsubscribe function. */
  onChange(listener: (kind: string, change: 'registered' | 'unregistered') => void): () => void {
    return this.listeners.add(listener);
  }

  get(kind: string): AnyNodeDefinition | undefined {
    return this.entries.get(kind)?.def;
  }

  has(kind: string): boolean {
    return this.entries.has(kind);
  }

  kinds(): string[] {
    return [...this.entries.keys()];
  }

  definitions(): AnyNodeDefinition[] {
    return [...this.entries.values()].map((e) => e.def);
  }

  describe(kind: string): KindInfo | undefined {
    return this.entries.get(kind)?.info;
  }

  tunableParams(kind: string): string[] {
    return [...(this.entries.get(kind)?.tunable ?? [])];
  }

  /**
   * Validate params (null/absent = `{}`), defaults applied; the input object is not modified. Unknown keys
   * (Ajv's `additionalProperties`, at any depth the schema closes) are dropped and reported as warnings, or
   * as errors when `strictParams`; wrong types and ranges of known keys are always errors.
   */
  checkParams(kind: string, params: unknown, services: NodeServices = {}): CheckedParams {
    const entry = this.entries.get(kind);
    if (!entry)
      return { params: {}, problems: [{ path: '', message: `unknown kind '${kind}'` }], warnings: [] };
    const checked = checkParamsWith(this.validator(entry), kind, params, this.strictParams);
    if (checked.problems.length > 0 || !entry.def.validate) return checked;
    const extra = entry.def.validate(checked.params, services);
    return { ...checked, problems: extra.map((p) => ({ path: p.path, message: p.message })) };
  }

  /**
   * Merge a partial update into current params: only tunable keys may change, the result must validate.
   * Returns the merged params and the keys whose values changed.
   */
  tuneParams(
    kind: string,
    current: Record<string, unknown>,
    patch: unknown,
    services: NodeServices = {},
  ): { params: Record<string, unknown>; changed: Record<string, unknown>; problems: ParamProblem[] } {
    const entry = this.entries.get(kind);
    if (!entry)
      return { params: current, changed: {}, problems: [{ path: '', message: `unknown kind '${kind}'` }] };
    if (!isObject(patch))
      return { params: current, changed: {}, problems: [{ path: '', message: 'params must be an object' }] };
    const problems: ParamProblem[] = [];
    const props = (entry.def.params.properties ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(patch)) {
      if (!(key in props)) problems.push({ path: `/${key}`, message: `unknown param '${key}'` });
      else if (!entry.tunable.has(key)) {
        const tunable = [...entry.tunable];
        problems.push({
          path: `/${key}`,
          message: `param '${key}' cannot be changed while running (tunable: ${tunable.length ? tunable.join(', ') : 'none'})`,
        });
      }
    }
    if (problems.length > 0) return { params: current, changed: {}, problems };
    const checked = this.checkParams(kind, { ...current, ...patch }, services);
    if (checked.problems.length > 0) return { params: current, changed: {}, problems: checked.problems };
    const changed: Record<string, unknown> = {};
    for (const key of Object.keys(patch)) changed[key] = checked.params[key];
    return { params: checked.params, changed, problems: [] };
  }

  private ajv(): Ajv {
    if (!this.ajvInstance) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see ajvInstance)
      const { default: AjvCtor } = require('ajv') as { default: AjvClass };
      this.ajvInstance = createParamAjv(AjvCtor);
    }
    return this.ajvInstance;
  }

  private validator(entry: Entry): ValidateFunction {
    if (!entry.validate)
      entry.validate = compileParamSchema(this.ajv(), entry.def.params as Record<string, unknown>);
    return entry.validate;
  }

  /** StreamKit's `/schema/nodes` entries (pins computed from default params). */
  schemaNodes(filter?: (kind: string) => boolean): NodeSchemaEntry[] {
    const out: NodeSchemaEntry[] = [];
    for (const { def } of this.entries.values()) {
      if (filter && !filter(def.kind)) continue;
      let pins: PinSet = { inputs: [], outputs: [] };
      try {
        pins = def.pins(this.checkParams(def.kind, {}).params);
      } catch {
        // Kinds whose pins need a required param list no pins until configured.
      }
      const entry: NodeSchemaEntry = {
        kind: def.kind,
        description: def.description,
        param_schema: JSON.parse(JSON.stringify(def.params)) as Record<string, unknown>,
        inputs: pins.inputs,
        outputs: pins.outputs,
        categories: def.categories,
        bidirectional: def.bidirectional === true,
      };
      if (def.oneshotOnly) entry.oneshot_only = true;
      out.push(entry);
    }
    return out;
  }
}
