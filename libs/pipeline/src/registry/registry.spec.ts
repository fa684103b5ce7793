import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '../core/typebox';
import { inputPin, outputPin } from '../core/helpers';
import { rawAudio } from '../core/pin-types';
import type { AnyNodeDefinition } from '../core/node';
import { NodeRegistry, RegistryError } from './registry';
import { createDefaultRegistry } from './default';
import { packetTypesSchema } from './packet-types';

const gain: AnyNodeDefinition = {
  kind: 't::gain',
  categories: ['audio', 'filters'],
  description: 'gain',
  params: Type.Object({
    gain: Type.Number({ default: 1, minimum: 0, maximum: 4, tunable: true, description: 'factor' }),
    mode: Type.Union([Type.Literal('linear'), Type.Literal('db')], { default: 'linear' }),
    clocked: Type.Optional(
      Type.Object({ rate: Type.Integer({ default: 48000 }) }, { additionalProperties: false }),
    ),
  }),
  pins: () => ({ inputs: [inputPin('in', [rawAudio()])], outputs: [outputPin('out', rawAudio())] }),
  validate: (p) =>
    p.mode === 'db' && p.gain > 2 ? [{ path: '/gain', message: 'in db mode gain must be <= 2' }] : [],
  create: () => ({ run: async () => {} }),
};

describe('NodeRegistry', () => {
  it('applies defaults without touching the input object', () => {
    const r = new NodeRegistry([gain]);
    const input = { clocked: {} };
    const res = r.checkParams('t::gain', input);
    assert.deepEqual(res.problems, []);
    assert.deepEqual(res.params, { gain: 1, mode: 'linear', clocked: { rate: 48000 } });
    assert.deepEqual(input, { clocked: {} });
    assert.deepEqual(r.checkParams('t::gain', null).params, { gain: 1, mode: 'linear' });
  });

  it('names the key of unknown params, wrong types, ranges and custom checks', () => {
    const r = new NodeRegistry([gain], { strictParams: true });
    const res = r.checkParams('t::gain', { gain: 'loud', volume: 2, clocked: { rate: 'x' } });
    assert.deepEqual(res.problems.map((p) => p.path).sort(), ['/clocked/rate', '/gain', '/volume']);
    assert.ok(res.problems.some((p) => p.message === "unknown param 'volume'"));
    assert.ok(res.problems.some((p) => p.message === 'param \'gain\' must be number (got "loud")'));
    assert.ok(res.problems.some((p) => /param 'clocked.rate' must be integer/.test(p.message)));
    assert.equal(
      r.checkParams('t::gain', { gain: 5 }).problems[0].message,
      "param 'gain' must be <= 4 (got 5)",
    );
    assert.equal(
      r.checkParams('t::gain', { gain: 3, mode: 'db' }).problems[0].message,
      'in db mode gain must be <= 2',
    );
    assert.equal(r.checkParams('t::gain', 'x').problems[0].message, 'params must be an object');
  });

  it('ignores unknown params with a warning naming them (StreamKit), unless strictParams', () => {
    const r = new NodeRegistry([gain]);
    const res = r.checkParams('t::gain', { gain: 2, backoff_cap: 4, clocked: { rate: 8000 } });
    assert.deepEqual(res.problems, []);
    assert.deepEqual(res.params, { gain: 2, mode: 'linear', clocked: { rate: 8000 } });
    assert.deepEqual(res.warnings, [
      { path: '/backoff_cap', message: "unknown param 'backoff_cap' ignored (not a parameter of t::gain)" },
    ]);
    // Known params keep their checks: the unknown key is still only a warning next to the error.
    const bad = r.checkParams('t::gain', { gain: 9, max_retries: 5 });
    assert.deepEqual(
      bad.problems.map((p) => p.path),
      ['/gain'],
    );
    assert.deepEqual(
      bad.warnings.map((p) => p.path),
      ['/max_retries'],
    );
    r.strictParams = true;
    const strict = r.checkParams('t::gain', { gain: 2, backoff_cap: 4 });
    assert.deepEqual(strict.warnings, []);
    assert.deepEqual(strict.problems, [{ path: '/backoff_cap', message: "unknown param 'backoff_cap'" }]);
  });

  it('merges tunes, rejecting non-tunable keys and out-of-range values', () => {
    const r = new NodeRegistry([gain]);
    const cur = r.checkParams('t::gain', { gain: 2 }).params;
    const ok = r.tuneParams('t::gain', cur, { gain: 3 });
    assert.deepEqual(ok.params, { gain: 3, mode: 'linear' });
    assert.deepEqual(ok.changed, { gain: 3 });
    assert.match(
      r.tuneParams('t::gain', cur, { mode: 'db' }).problems[0].message,
      /param 'mode' cannot be changed while running \(tunable: gain\)/,
    );
    assert.match(r.tuneParams('t::gain', cur, { gain: 7 }).problems[0].message, /must be <= 4/);
    assert.deepEqual(r.tunableParams('t::gain'), ['gain']);
  });

  it('registers and unregisters at runtime, refusing duplicates', () => {
    const r = new NodeRegistry();
    const seen: string[] = [];
    r.onChange((k, c) => seen.push(`${c}:${k}`));
    r.register(gain);
    assert.throws(
      () => r.register(gain),
      (e: unknown) => e instanceof RegistryError && e.code === 'conflict',
    );
    assert.equal(r.unregister('t::gain'), true);
    assert.equal(r.has('t::gain'), false);
    assert.deepEqual(seen, ['registered:t::gain', 'unregistered:t::gain']);
  });

  it('produces StreamKit /schema/nodes entries', () => {
    const [entry] = new NodeRegistry([gain]).schemaNodes();
    assert.equal(entry.kind, 't::gain');
    assert.deepEqual(entry.categories, ['audio', 'filters']);
    assert.equal(entry.bidirectional, false);
    assert.deepEqual(entry.inputs, [{ name: 'in', accepts_types: [rawAudio()], cardinality: 'One' }]);
    const props = entry.param_schema.properties as Record<string, Record<string, unknown>>;
    assert.equal(props.gain.tunable, true);
    assert.equal(props.gain.maximum, 4);
    assert.doesNotThrow(() => JSON.stringify(entry));
  });

  it('lists the core kinds and the synthetic oneshot kinds in the default registry', () => {
    const entries = createDefaultRegistry().schemaNodes();
    const kinds = entries.map((e) => e.kind);
    for (const k of [
      'core::passthrough',
      'core::sink',
      'core::file_reader',
      'core::file_writer',
      'core::json_serialize',
      'core::text_chunker',
      'core::pacer',
      'core::telemetry_tap',
      'core::telemetry_out',
      'transport::http::fetcher',
      'streamkit::http_input',
      'streamkit::http_output',
    ]) {
      assert.ok(kinds.includes(k), k);
    }
    const input = entries.find((e) => e.kind === 'streamkit::http_input');
    assert.equal(input?.oneshot_only, true);
    assert.deepEqual(input?.outputs, [{ name: 'out', produces_type: 'Binary', cardinality: 'Broadcast' }]);
    const pacer = entries.find((e) => e.kind === 'core::pacer');
    assert.equal(
      (pacer?.param_schema.properties as Record<string, { tunable?: boolean }>).speed.tunable,
      true,
    );
  });

  it('serves the /schema/packets table', () => {
    const t = packetTypesSchema();
    assert.deepEqual(
      t.map((x) => x.id),
      ['Any', 'Binary', 'Text', 'OpusAudio', 'RawAudio', 'Transcription', 'Custom'],
    );
    assert.equal(t[4].display_template, 'Raw Audio ({sample_rate|*}Hz, {channels|*}ch, {sample_format})');
  });
});
