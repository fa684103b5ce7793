// Checks a plugin's metadata JSON (kind naming rules, pins with StreamKit pin-type JSON, an object params
// schema) and derives the registered kind `plugin::<type>::<kind>`.
import type { PinType } from '../core/pin-types';
import {
  PluginError,
  type PluginMetadata,
  type PluginPinIn,
  type PluginPinOut,
  type PluginType,
} from './types';

const SIMPLE_KIND = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const UNIT_PIN_TYPES = new Set(['Any', 'Passthrough', 'Binary', 'Text', 'OpusAudio', 'Transcription']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPinType(v: unknown, where: string): PinType {
  if (typeof v === 'string' && UNIT_PIN_TYPES.has(v)) return v as PinType;
  if (isObject(v) && isObject(v.RawAudio)) {
    const f = v.RawAudio;
    const intOk = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
    if (
      intOk(f.sample_rate) &&
      intOk(f.channels) &&
      (f.sample_format === 'F32' || f.sample_format === 'S16Le')
    ) {
      return {
        RawAudio: {
          sample_rate: f.sample_rate as number,
          channels: f.channels as number,
          sample_format: f.sample_format,
        },
      };
    }
  }
  if (isObject(v) && isObject(v.Custom) && typeof v.Custom.type_id === 'string' && v.Custom.type_id !== '') {
    return { Custom: { type_id: v.Custom.type_id } };
  }
  throw new PluginError(
    'invalid_plugin',
    `${where} is not a pin type (use "Any", "Text", "Binary", "OpusAudio", "Transcription", {"RawAudio": {...}} or {"Custom": {"type_id": ...}}): ${JSON.stringify(v)}`,
  );
}

/** The simple kind from a declared one: a `plugin::<type>::` prefix is accepted and stripped. */
export function simpleKind(declared: string, type: PluginType): string {
  const prefix = `plugin::${type}::`;
  const name = declared.startsWith(prefix) ? declared.slice(prefix.length) : declared;
  // Rejects `core::x`, another type's prefix and any other namespacing: the host owns the namespace.
  if (name.includes('::')) {
    throw new PluginError(
      'invalid_plugin',
      `plugin kind '${declared}' must be a simple name without '::' (it is registered as ${prefix}<name>)`,
    );
  }
  if (!SIMPLE_KIND.test(name)) {
    throw new PluginError(
      'invalid_plugin',
      `plugin kind '${declared}' must be 1-64 letters, digits, '_', '-' or '.'`,
    );
  }
  return name;
}

export function registeredKind(simple: string, type: PluginType): string {
  return `plugin::${type}::${simple}`;
}

/** Parses and checks metadata JSON; every problem names the field. */
export function parsePluginMetadata(json: string, type: PluginType): PluginMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new PluginError('invalid_plugin', `plugin metadata is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!isObject(raw)) throw new PluginError('invalid_plugin', 'plugin metadata must be a JSON object');
  if (typeof raw.kind !== 'string')
    throw new PluginError('invalid_plugin', "plugin metadata needs a string 'kind'");
  const kind = simpleKind(raw.kind, type);
  const description = typeof raw.description === 'string' ? raw.description : `${type} plugin ${kind}`;
  const categories = Array.isArray(raw.categories)
    ? raw.categories.filter((c): c is string => typeof c === 'string')
    : [];
  const params = raw.params === undefined ? { type: 'object', properties: {} } : raw.params;
  if (!isObject(params) || params.type !== 'object') {
    throw new PluginError(
      'invalid_plugin',
      'plugin metadata \'params\' must be a JSON Schema object ({"type": "object", ...})',
    );
  }
  if (!Array.isArray(raw.inputs) || !Array.isArray(raw.outputs)) {
    throw new PluginError('invalid_plugin', "plugin metadata needs 'inputs' and 'outputs' arrays");
  }
  const names = new Set<string>();
  const pinName = (v: unknown, where: string): string => {
    if (typeof v !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(v)) {
      throw new PluginError('invalid_plugin', `${where}.name must be 1-64 letters, digits or '_'`);
    }
    return v;
  };
  const inputs: PluginPinIn[] = raw.inputs.map((p: unknown, i: number) => {
    const where = `inputs[${i}]`;
    if (!isObject(p) || !Array.isArray(p.accepts_types) || p.accepts_types.length === 0) {
      throw new PluginError('invalid_plugin', `${where} needs a name and a non-empty accepts_types`);
    }
    const name = pinName(p.name, where);
    if (names.has(`in:${name}`))
      throw new PluginError('invalid_plugin', `${where}: duplicate input '${name}'`);
    names.add(`in:${name}`);
    return {
      name,
      accepts_types: p.accepts_types.map((t: unknown, j: number) =>
        checkPinType(t, `${where}.accepts_types[${j}]`),
      ),
    };
  });
  const outputs: PluginPinOut[] = raw.outputs.map((p: unknown, i: number) => {
    const where = `outputs[${i}]`;
    if (!isObject(p)) throw new PluginError('invalid_plugin', `${where} needs a name and a produces_type`);
    const name = pinName(p.name, where);
    if (names.has(`out:${name}`))
      throw new PluginError('invalid_plugin', `${where}: duplicate output '${name}'`);
    names.add(`out:${name}`);
    return { name, produces_type: checkPinType(p.produces_type, `${where}.produces_type`) };
  });
  return { kind, description, categories, params, inputs, outputs };
}
