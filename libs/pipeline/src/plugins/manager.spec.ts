// PluginManager with the engine registry: install/upload, use in a node and a oneshot pipeline, unload
// (also while a node runs), native addons from the directory, and refusals with their HTTP status.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AudioPacket, Packet } from '../core/packets';
import { createDefaultRegistry } from '../registry/default';
import { NodeRegistry } from '../registry/registry';
import { collectNodeOutputs, runOneshotGraph } from '../testing';
import { exampleNativeGain, exampleWasmGain } from '../testing/plugin-examples';
import { PluginManager, pluginTypeForFileName } from './manager';
import { PluginError } from './types';

let wasmPath: string;
let nativePath: string;
const dirs: string[] = [];

before(() => {
  wasmPath = exampleWasmGain();
  nativePath = exampleNativeGain();
});

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sk-plugins-'));
  dirs.push(d);
  return d;
}

function frames(count: number, amplitude = 0.5): AudioPacket[] {
  return Array.from({ length: count }, (_, f) => {
    const samples = new Float32Array(1920);
    for (let i = 0; i < 960; i++)
      samples[2 * i] = samples[2 * i + 1] =
        amplitude * Math.sin((2 * Math.PI * 1000 * (f * 960 + i)) / 48000);
    return { kind: 'audio' as const, sampleRate: 48000, channels: 2, samples, meta: { sequence: f } };
  });
}

function peak(packets: Packet[]): number {
  let p = 0;
  for (const pk of packets) if (pk.kind === 'audio') for (const v of pk.samples) p = Math.max(p, Math.abs(v));
  return p;
}

async function refused(promise: Promise<unknown>, status: number, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof PluginError, String(err));
    assert.equal(err.status, status, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

test('upload the WASM example, list it, run it as a node, unload it', async () => {
  const dir = tempDir();
  const registry = new NodeRegistry();
  const manager = new PluginManager({ directory: dir, registry });
  const summary = await manager.install('gain.wasm', readFileSync(wasmPath));
  assert.equal(summary.kind, 'plugin::wasm::gain');
  assert.equal(summary.original_kind, 'gain');
  assert.equal(summary.file_name, 'gain.wasm');
  assert.equal(summary.plugin_type, 'wasm');
  assert.deepEqual(summary.categories, ['audio', 'filters', 'example']);
  assert.ok(Math.abs(summary.loaded_at_ms - Date.now()) < 10_000);
  assert.ok(existsSync(join(dir, 'wasm', 'gain.wasm')));
  assert.deepEqual(manager.list(), [summary]);

  const schema = registry.schemaNodes().find((n) => n.kind === 'plugin::wasm::gain');
  assert.ok(schema, 'the kind appears in /schema/nodes at once');
  assert.deepEqual(
    schema.inputs.map((p) => p.name),
    ['in'],
  );
  assert.deepEqual(registry.tunableParams('plugin::wasm::gain'), ['gain_db']);
  assert.match(
    registry.checkParams('plugin::wasm::gain', { gain_db: 99 }).problems[0]?.message ?? '',
    /gain_db/,
  );

  const def = registry.get('plugin::wasm::gain');
  assert.ok(def);
  const res = await collectNodeOutputs(def, { gain_db: -12 }, frames(10));
  assert.equal(res.packets.length, 10);
  assert.ok(Math.abs(peak(res.packets) - 0.5 * 10 ** (-12 / 20)) < 1e-3);
  assert.deepEqual(res.states.at(-1), { Stopped: { reason: 'input_closed' } });

  await refused(
    manager.install('gain.wasm', readFileSync(wasmPath)),
    422,
    /belongs to the loaded plugin plugin::wasm::gain/,
  );
  await refused(
    manager.install('gain-copy.wasm', readFileSync(wasmPath)),
    422,
    /'plugin::wasm::gain' is already registered; refusing to overwrite/,
  );
  assert.equal(existsSync(join(dir, 'wasm', 'gain-copy.wasm')), false, 'a refused upload leaves no file');

  const removed = await manager.unload('plugin::wasm::gain');
  assert.equal(removed.kind, 'plugin::wasm::gain');
  assert.equal(registry.has('plugin::wasm::gain'), false);
  assert.equal(existsSync(join(dir, 'wasm', 'gain.wasm')), false);
  await refused(manager.unload('plugin::wasm::gain'), 422, /plugin kind 'plugin::wasm::gain' is not loaded/);
});

test('a malformed upload is refused (422) and removed; bad file names are 400', async () => {
  const dir = tempDir();
  const manager = new PluginManager({ directory: dir, registry: new NodeRegistry() });
  await refused(
    manager.install('evil.wasm', new TextEncoder().encode('not wasm at all')),
    422,
    /evil\.wasm: not a WebAssembly module/,
  );
  await refused(
    manager.install('evil.node', new Uint8Array(1024).fill(0x7f)),
    422,
    /evil\.node: not a loadable Node-API addon/,
  );
  assert.equal(existsSync(join(dir, 'wasm', 'evil.wasm')), false);
  assert.equal(existsSync(join(dir, 'native', 'evil.node')), false);
  for (const name of ['../x.wasm', 'a/b.wasm', '.hidden.wasm', '', 'x'.repeat(256) + '.wasm']) {
    assert.throws(
      () => pluginTypeForFileName(name),
      (err: unknown) => err instanceof PluginError && err.status === 400,
      name,
    );
  }
  assert.throws(() => pluginTypeForFileName('gain.so'), /Node-API addons \(\.node\)/);
  assert.throws(() => pluginTypeForFileName('gain.txt'), /must end in \.wasm or \.node/);
  assert.equal(pluginTypeForFileName('Gain.WASM'), 'wasm');
  assert.deepEqual(manager.list(), []);
});

test('loadAll: the native example and the WASM example from the plugins directory; broken files are skipped', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'native'), { recursive: true });
  mkdirSync(join(dir, 'wasm'), { recursive: true });
  copyFileSync(nativePath, join(dir, 'native', 'gain.node'));
  copyFileSync(wasmPath, join(dir, 'wasm', 'gain.wasm'));
  writeFileSync(join(dir, 'wasm', 'broken.wasm'), 'garbage');
  const warnings: string[] = [];
  const registry = new NodeRegistry();
  const manager = new PluginManager({
    directory: dir,
    registry,
    log: { info: () => {}, warn: (m) => warnings.push(m) },
  });
  const { loaded, failed } = await manager.loadAll();
  assert.deepEqual(
    loaded.map((s) => `${s.plugin_type} ${s.kind} ${s.file_name}`),
    ['native plugin::native::gain gain.node', 'wasm plugin::wasm::gain gain.wasm'],
  );
  assert.deepEqual(
    failed.map((f) => f.file),
    [join('wasm', 'broken.wasm')],
  );
  assert.match(warnings[0], /broken\.wasm not loaded: broken\.wasm: not a WebAssembly module/);

  const native = registry.get('plugin::native::gain');
  assert.ok(native);
  const input = frames(5);
  const res = await collectNodeOutputs(native, { gain_db: -6 }, input);
  assert.equal(res.packets.length, 5);
  assert.ok(Math.abs(peak(res.packets) - 0.5 * 10 ** (-6 / 20)) < 1e-3);
  assert.ok(Math.abs(peak(input) - 0.5) < 1e-3, 'the native plugin does not modify its input');

  await manager.unload('plugin::native::gain', { keepFile: true });
  assert.ok(existsSync(join(dir, 'native', 'gain.node')), 'keep_file keeps the file');
  const again = await manager.loadFile('native', 'gain.node');
  assert.equal(again.kind, 'plugin::native::gain', 'a native addon can be loaded again after unload');
});

test('unloading while a node runs: the running node finishes, new nodes of the kind are refused', async () => {
  const dir = tempDir();
  const registry = new NodeRegistry();
  const manager = new PluginManager({ directory: dir, registry });
  await manager.install('gain.wasm', readFileSync(wasmPath));
  const def = registry.get('plugin::wasm::gain');
  assert.ok(def);
  let unloaded: Promise<unknown> | undefined;
  const res = await collectNodeOutputs(def, { gain_db: -6 }, frames(200), {
    channelCapacity: 4,
    onStart: () => {
      unloaded = manager.unload('plugin::wasm::gain');
    },
  });
  await unloaded;
  assert.equal(res.packets.length, 200);
  assert.deepEqual(res.states.at(-1), { Stopped: { reason: 'input_closed' } });
  assert.match(
    registry.checkParams('plugin::wasm::gain', {}).problems[0].message,
    /unknown kind 'plugin::wasm::gain'/,
  );
});

test('oneshot pipeline: WAV in, plugin::wasm::gain, WAV out', async () => {
  const dir = tempDir();
  const registry = createDefaultRegistry();
  const manager = new PluginManager({ directory: dir, registry });
  await manager.install('gain.wasm', readFileSync(wasmPath));
  const wav = readFileSync(
    join(__dirname, '../../../../../samples/audio/system/tone_1khz_48k_mono_f32_2s.wav'),
  );
  const yaml = `
mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::wav::demuxer
  - kind: plugin::wasm::gain
    params: { gain_db: -6 }
  - kind: containers::wav::muxer
  - kind: streamkit::http_output
`;
  const result = await runOneshotGraph(registry, yaml, { input: wav });
  assert.equal(result.contentType, 'audio/wav');
  const outPeak = wavPeak(result.output);
  const inPeak = wavPeak(wav);
  assert.ok(Math.abs(20 * Math.log10(outPeak / inPeak) + 6) < 0.05, `${inPeak} -> ${outPeak}`);
  await manager.unload('plugin::wasm::gain');
});

/** Peak of a float or 16-bit PCM WAV file (enough for the fixture and the muxer's output). */
function wavPeak(buf: Uint8Array): number {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 12;
  let format = 0;
  let bits = 0;
  while (pos + 8 <= b.length) {
    const id = b.toString('ascii', pos, pos + 4);
    const size = b.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      format = b.readUInt16LE(pos + 8);
      bits = b.readUInt16LE(pos + 22);
      if (format === 0xfffe) format = b.readUInt16LE(pos + 32);
    } else if (id === 'data') {
      let peak = 0;
      const end = Math.min(b.length, pos + 8 + size);
      for (let i = pos + 8; i + bits / 8 <= end; i += bits / 8) {
        const v =
          format === 3
            ? b.readFloatLE(i)
            : bits === 16
              ? b.readInt16LE(i) / 32768
              : b.readIntLE(i, 3) / 8388608;
        peak = Math.max(peak, Math.abs(v));
      }
      return peak;
    }
    pos += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}
