import { describe, expect, it } from 'vitest';
import { lookup } from '../testing/fixtures';
import type { JsonSchema } from '../api/types';
import { checkField, describeParams, getAt, initialParams, resolveSchema, setAt } from './schema-form';

/** The inline problems the form shows for each field of `params`. */
const checkParams = (schema: JsonSchema | undefined, params: Record<string, unknown>) =>
  describeParams(schema).flatMap((f) => checkField(f, params[f.key]));

const schemaOf = (kind: string) => lookup(kind)?.param_schema as JsonSchema;

describe('describeParams', () => {
  it('makes a slider for a ranged number, with its default and tunable flag', () => {
    const [gain] = describeParams(schemaOf('audio::gain'));
    expect(gain).toMatchObject({
      key: 'gain',
      kind: 'range',
      min: 0,
      max: 4,
      step: 0.04,
      default: 1,
      tunable: true,
      integer: false,
    });
  });

  it('uses multipleOf as the slider step for integers', () => {
    const [bitrate] = describeParams(schemaOf('audio::opus::encoder'));
    expect(bitrate).toMatchObject({
      kind: 'range',
      integer: true,
      step: 1000,
      min: 6000,
      max: 510000,
      tunable: false,
    });
  });

  it('makes enums, strings, open numbers, booleans and script text areas', () => {
    const mux = describeParams(schemaOf('containers::webm::muxer'));
    expect(mux.find((f) => f.key === 'streaming_mode')).toMatchObject({
      kind: 'enum',
      options: [{ value: 'live' }, { value: 'file' }],
    });
    expect(mux.find((f) => f.key === 'sample_rate')).toMatchObject({ kind: 'number', integer: true });
    const peer = describeParams(schemaOf('transport::moq::peer'));
    expect(peer.find((f) => f.key === 'allow_reconnect')?.kind).toBe('boolean');
    expect(peer.find((f) => f.key === 'gateway_path')?.kind).toBe('string');
    expect(describeParams(schemaOf('core::script')).find((f) => f.key === 'script')?.kind).toBe('text');
  });

  it('unwraps nullable unions, type arrays and $ref objects into nested fields', () => {
    const mixer = describeParams(schemaOf('audio::mixer'));
    expect(mixer.find((f) => f.key === 'num_inputs')).toMatchObject({
      kind: 'number',
      nullable: true,
      integer: true,
    });
    expect(mixer.find((f) => f.key === 'sync_timeout_ms')).toMatchObject({
      kind: 'number',
      nullable: true,
      default: 100,
    });
    const clocked = mixer.find((f) => f.key === 'clocked');
    expect(clocked).toMatchObject({ kind: 'object', nullable: true });
    expect(clocked?.fields?.map((f) => [f.path.join('.'), f.kind])).toEqual([
      ['clocked.sample_rate', 'range'],
      ['clocked.generate_silence', 'boolean'],
    ]);
  });

  it('turns a oneOf of consts into an enum', () => {
    const s: JsonSchema = { oneOf: [{ const: 'a' }, { const: 'b' }] };
    expect(resolveSchema(s, s).schema.enum).toEqual(['a', 'b']);
  });
});

describe('checkField (inline form feedback) and initialParams', () => {
  it('checks types, ranges, enums, required fields and nested objects', () => {
    expect(checkParams(schemaOf('audio::gain'), { gain: 2 })).toEqual([]);
    expect(checkParams(schemaOf('audio::gain'), { gain: 'loud' })).toEqual(['gain must be a number']);
    expect(checkParams(schemaOf('audio::opus::encoder'), { bitrate: 1.5 })).toEqual([
      'bitrate must be an integer',
    ]);
    expect(checkParams(schemaOf('containers::webm::muxer'), { streaming_mode: 'vod' })).toEqual([
      'streaming_mode must be one of "live", "file"',
    ]);
    expect(checkParams(schemaOf('core::file_reader'), {})).toEqual(['path is required']);
    expect(checkParams(schemaOf('audio::mixer'), { clocked: { sample_rate: 1 } })).toEqual([
      'clocked.sample_rate must be ≥ 8000 (got 1)',
    ]);
    expect(checkParams(schemaOf('audio::mixer'), { clocked: null, num_inputs: null })).toEqual([]);
    expect(checkParams(schemaOf('core::pacer'), { speed: 0 })).toEqual(['speed must be > 0 (got 0)']);
  });

  it('gives a new node only its required params', () => {
    expect(initialParams(schemaOf('core::file_reader'))).toEqual({ path: '' });
    expect(initialParams(schemaOf('audio::gain'))).toEqual({});
    expect(initialParams(schemaOf('audio::resampler'))).toEqual({ target_sample_rate: 1 });
  });

  it('does not force properties that have a default, even when the schema lists them as required', () => {
    const s: JsonSchema = {
      type: 'object',
      properties: { bitrate: { type: 'integer', default: 64000 }, path: { type: 'string' } },
      required: ['bitrate', 'path'],
    };
    expect(describeParams(s).map((f) => [f.key, f.required])).toEqual([
      ['bitrate', false],
      ['path', true],
    ]);
    expect(initialParams(s)).toEqual({ path: '' });
    expect(checkParams(s, { path: '' })).toEqual(['path is required']);
    expect(checkParams(s, { path: 'a.ogg' })).toEqual([]);
  });

  it('sets and clears nested values immutably', () => {
    const a = { clocked: { sample_rate: 48000 } };
    const b = setAt(a, ['clocked', 'generate_silence'], false);
    expect(b).toEqual({ clocked: { sample_rate: 48000, generate_silence: false } });
    expect(a).toEqual({ clocked: { sample_rate: 48000 } });
    expect(
      setAt(setAt(b, ['clocked', 'sample_rate'], undefined), ['clocked', 'generate_silence'], undefined),
    ).toEqual({});
    expect(getAt(b, ['clocked', 'sample_rate'])).toBe(48000);
  });
});
