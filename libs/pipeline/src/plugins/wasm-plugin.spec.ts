// WASM plugin host: the example AssemblyScript gain plugin end to end, and refusals of malformed modules.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AudioPacket } from '../core/packets';
import { exampleWasmGain } from '../testing/plugin-examples';
import { parsePluginMetadata } from './metadata';
import { collectNodeOutputs } from '../testing';
import { pluginNodeDefinition } from './plugin-node';
import { EmitBudget, PluginCallError, PluginError, type PluginOutput } from './types';
import { WasmPlugin } from './wasm-plugin';

let wasmBytes: Uint8Array;

before(() => {
  wasmBytes = readFileSync(exampleWasmGain());
});

function frame(amplitude = 0.5): AudioPacket {
  const samples = new Float32Array(1920);
  for (let i = 0; i < 960; i++)
    samples[2 * i] = samples[2 * i + 1] = amplitude * Math.sin((2 * Math.PI * 1000 * i) / 48000);
  return {
    kind: 'audio',
    sampleRate: 48000,
    channels: 2,
    samples,
    meta: { timestampUs: 40_000, sequence: 2 },
  };
}

function peak(s: Float32Array): number {
  let p = 0;
  for (const v of s) p = Math.max(p, Math.abs(v));
  return p;
}

const quiet = { log: () => {}, telemetry: () => false };

test('the example plugin loads with its metadata', async () => {
  const plugin = await WasmPlugin.load(wasmBytes, 'gain.wasm');
  assert.equal(plugin.metadata.kind, 'gain');
  assert.deepEqual(plugin.metadata.categories, ['audio', 'filters', 'example']);
  assert.deepEqual(plugin.metadata.inputs, [
    { name: 'in', accepts_types: [{ RawAudio: { sample_rate: 0, channels: 0, sample_format: 'F32' } }] },
  ]);
  assert.equal((plugin.metadata.params.properties as Record<string, { default: number }>).gain_db.default, 0);
});

test('create, process a 20 ms frame, update params, destroy', async () => {
  const plugin = await WasmPlugin.load(wasmBytes, 'gain.wasm');
  const events: string[] = [];
  const inst = plugin.createInstance(
    { gain_db: -6 },
    { log: () => {}, telemetry: (t, d) => (events.push(`${t} ${JSON.stringify(d)}`), true) },
  );
  const input = frame();
  const out: PluginOutput[] = [];
  inst.process(0, input, out);
  assert.equal(out.length, 1);
  assert.equal(out[0].pin, 0);
  const p = out[0].packet as AudioPacket;
  assert.equal(p.kind, 'audio');
  assert.equal(p.sampleRate, 48000);
  assert.equal(p.channels, 2);
  assert.deepEqual(p.meta, { timestampUs: 40_000, sequence: 2 });
  const db = 20 * Math.log10(peak(p.samples) / peak(input.samples));
  assert.ok(Math.abs(db + 6) < 0.01, `gain ${db} dB`);
  assert.ok(Math.abs(peak(input.samples) - 0.5) < 1e-3, 'input untouched');

  inst.updateParams({ gain_db: 0 });
  out.length = 0;
  for (let i = 0; i < 50; i++) inst.process(0, frame(), out);
  assert.ok(Math.abs(peak((out[0].packet as AudioPacket).samples) - peak(input.samples)) < 1e-6);
  assert.equal(events.length, 1, 'one peak report per second of audio');
  assert.match(events[0], /^gain\.peak \{"peak":0\.\d+\}$/);

  out.length = 0;
  assert.throws(
    () => inst.process(0, { kind: 'text', text: 'x' }, out),
    (err: unknown) => {
      return (
        err instanceof PluginCallError && !err.trapped && /gain accepts f32 audio only/.test(err.message)
      );
    },
  );
  inst.destroy();
});

test('instances are isolated: each has its own memory and params', async () => {
  const plugin = await WasmPlugin.load(wasmBytes, 'gain.wasm');
  const a = plugin.createInstance({ gain_db: -20 }, quiet);
  const b = plugin.createInstance({ gain_db: 0 }, quiet);
  const oa: PluginOutput[] = [];
  const ob: PluginOutput[] = [];
  a.process(0, frame(), oa);
  b.process(0, frame(), ob);
  assert.ok(Math.abs(peak((oa[0].packet as AudioPacket).samples) - 0.05) < 1e-3);
  assert.ok(Math.abs(peak((ob[0].packet as AudioPacket).samples) - 0.5) < 1e-3);
  a.destroy();
  b.destroy();
});

test('malformed modules are refused with a clear error', async () => {
  const refuse = async (bytes: Uint8Array, pattern: RegExp) => {
    await assert.rejects(WasmPlugin.load(bytes, 'bad.wasm'), (err: unknown) => {
      assert.ok(err instanceof PluginError, String(err));
      assert.equal(err.status, 422);
      assert.match(err.message, pattern);
      return true;
    });
  };
  await refuse(new TextEncoder().encode('#!/bin/sh\nrm -rf /\n'), /^bad\.wasm: not a WebAssembly module/);
  await refuse(wasmBytes.subarray(0, wasmBytes.length - 100), /^bad\.wasm: invalid WebAssembly: /);
  await refuse(
    new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    /missing ABI v1 exports: sk_abi_version, .*sk_process/,
  );
  await assert.rejects(
    WasmPlugin.load(wasmBytes, 'gain.wasm', { memoryLimitMb: 0 }),
    /needs 1 memory pages at start; the limit is 0 pages/,
  );
});

/**
 * A minimal ABI-shaped module, hand-assembled: imports env.memory, exports every required name;
 * `sk_abi_version` returns 1 and `sk_metadata` runs `metadataBody` (raw instruction bytes).
 */
function hostileModule(metadataBody: number[]): Uint8Array {
  const str = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id: number, content: number[]) => [id, content.length, ...content];
  const names = [
    'sk_abi_version',
    'sk_alloc',
    'sk_free',
    'sk_metadata',
    'sk_create',
    'sk_process',
    'sk_destroy',
    'sk_last_error',
  ];
  const exports = names.flatMap((n) => [...str(n), 0x00, n === 'sk_metadata' ? 1 : 0]);
  const body0 = [0x00, 0x41, 0x01, 0x0b];
  const body1 = [0x00, ...metadataBody, 0x0b];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [0x01, 0x60, 0x00, 0x01, 0x7f]),
    ...section(2, [0x01, ...str('env'), ...str('memory'), 0x02, 0x00, 0x01]),
    ...section(3, [0x02, 0x00, 0x00]),
    ...section(7, [names.length, ...exports]),
    ...section(10, [0x02, body0.length, ...body0, body1.length, ...body1]),
  ]);
}

test('a module that loops or traps at load is refused without blocking the thread', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const started = performance.now();
  try {
    // loop (br 0) end; unreachable
    await assert.rejects(
      WasmPlugin.load(hostileModule([0x03, 0x40, 0x0c, 0x00, 0x0b, 0x00]), 'spin.wasm', {
        probeTimeoutMs: 1000,
      }),
      (err: unknown) => {
        return (
          err instanceof PluginError &&
          err.status === 422 &&
          /spin\.wasm: did not instantiate and return its metadata within 1000 ms/.test(err.message)
        );
      },
    );
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 1000 && elapsed < 4000, `${elapsed} ms`);
  assert.ok(ticks > 40, `the event loop kept running (${ticks} ticks)`);
  // unreachable
  await assert.rejects(
    WasmPlugin.load(hostileModule([0x00]), 'trap.wasm'),
    /trap\.wasm: failed at load \(start, sk_abi_version or sk_metadata\): .*unreachable/,
  );
  // i32.const 0: no metadata string
  await assert.rejects(
    WasmPlugin.load(hostileModule([0x41, 0x00]), 'empty.wasm'),
    /plugin metadata is not valid JSON/,
  );
});

test('metadata rules: simple kinds, pin types, object params', () => {
  const base = {
    inputs: [{ name: 'in', accepts_types: ['Any'] }],
    outputs: [{ name: 'out', produces_type: 'Text' }],
  };
  const parse = (m: Record<string, unknown>) =>
    parsePluginMetadata(JSON.stringify({ ...base, ...m }), 'wasm');
  assert.equal(parse({ kind: 'plugin::wasm::vad' }).kind, 'vad');
  assert.throws(() => parse({ kind: 'core::gain' }), /must be a simple name without '::'/);
  assert.throws(() => parse({ kind: 'plugin::native::gain' }), /without '::'/);
  assert.throws(() => parse({ kind: 'has space' }), /must be 1-64 letters/);
  assert.throws(
    () => parse({ kind: 'x', params: { type: 'string' } }),
    /'params' must be a JSON Schema object/,
  );
  assert.throws(
    () => parse({ kind: 'x', outputs: [{ name: 'out', produces_type: 'Audio' }] }),
    /outputs\[0\]\.produces_type is not a pin type/,
  );
  assert.throws(() => parsePluginMetadata('{"kind": ', 'wasm'), /plugin metadata is not valid JSON/);
  assert.deepEqual(parse({ kind: 'x' }).params, { type: 'object', properties: {} });
});

// Issue #23 finding 1: what a plugin emits is bounded per packet and per call, before it is copied out.
test('emitted packets over max_packet_bytes or the per-call total are dropped and counted as errored', async () => {
  const plugin = await WasmPlugin.load(wasmBytes, 'gain.wasm');
  const def = pluginNodeDefinition('plugin::wasm::gain', plugin);
  const frames = Array.from({ length: 5 }, () => frame());
  const logged: string[] = [];
  const log = { debug() {}, info() {}, warn: (m: string) => logged.push(m), error() {} };
  // A 20 ms stereo frame is 7680 bytes.
  const fits = await collectNodeOutputs(def, {}, frames, { limits: { maxPacketBytes: 8192 } });
  assert.equal(fits.packets.length, 5);
  assert.equal(fits.stats.errored, 0);
  // The example plugin returns the host's refusal as its own error: the node fails, saying why.
  const tooBig = await collectNodeOutputs(def, {}, frames, { log, limits: { maxPacketBytes: 4096 } });
  assert.equal(tooBig.packets.length, 0);
  assert.equal(tooBig.stats.errored, 1);
  const refusal =
    'plugin emitted a packet of 7680 bytes; the limit is 4096 ([engine.limits] max_packet_bytes); packet dropped';
  assert.equal(logged[0], refusal);
  assert.deepEqual(tooBig.states[tooBig.states.length - 1], {
    Failed: {
      reason: `plugin process failed: error code 1 (the host refused an emitted packet: ${refusal})`,
    },
  });
  const perCall = await collectNodeOutputs(def, {}, frames, { log, limits: { maxCallOutputBytes: 4096 } });
  assert.equal(perCall.stats.errored, 1);
  assert.match(logged[logged.length - 1], /more than 4096 bytes in one call.*max_call_output_bytes/);
});

test('a flood of empty packets in one call stops at the per-call budget', () => {
  let refused = 0;
  const budget = new EmitBudget({
    log: () => {},
    telemetry: () => false,
    limits: { maxPacketBytes: 1 << 20, maxCallOutputBytes: 64 * 1000 },
    refused: () => void refused++,
  });
  let taken = 0;
  for (let i = 0; i < 1_000_000; i++) if (budget.take(0)) taken++;
  assert.equal(taken, 1000);
  assert.equal(refused, 999_000);
  budget.reset();
  assert.equal(budget.take(1000), true);
});
