// Script benchmark: cost per call of core::script on 20 ms stereo frames (1920 f32 samples) running a gain
// script, in the main thread and in a worker thread (postMessage round trip), next to a plain JS function doing
// the same work, the WASM and native example plugins, and the whole node through the engine.
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import type { AudioPacket } from '../libs/pipeline/src/core/packets';
import { ScriptSandbox } from '../libs/pipeline/src/nodes/script/sandbox';
import { scriptNodeDefinition } from '../libs/pipeline/src/nodes/script/script-node';
import { exampleNativeGain, exampleWasmGain } from '../libs/pipeline/src/testing/plugin-examples';
import { NativePlugin } from '../libs/pipeline/src/plugins/native-plugin';
import type { PluginOutput } from '../libs/pipeline/src/plugins/types';
import { WasmPlugin } from '../libs/pipeline/src/plugins/wasm-plugin';
import { collectNodeOutputs } from '../libs/pipeline/src/testing';

const CALLS = 3000;
const WARMUP = 300;
const GAIN_SCRIPT = `
  const gain = 0.5;
  function process(packet) {
    const s = packet.samples;
    for (let i = 0; i < s.length; i++) s[i] *= gain;
    return packet;
  }`;

function frame(seq = 0): AudioPacket {
  const samples = new Float32Array(1920);
  for (let i = 0; i < 960; i++)
    samples[2 * i] = samples[2 * i + 1] = 0.5 * Math.sin((2 * Math.PI * 440 * (seq * 960 + i)) / 48000);
  return { kind: 'audio', sampleRate: 48000, channels: 2, samples, meta: { sequence: seq } };
}

async function perCall(label: string, fn: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const t = performance.now();
  for (let i = 0; i < CALLS; i++) await fn();
  const us = ((performance.now() - t) * 1000) / CALLS;
  console.log(`${label.padEnd(58)} ${us.toFixed(1).padStart(8)} us/call`);
  return us;
}

/** The reference: what the script does, as a plain JS function (copy, then scale). */
function plainGain(p: AudioPacket): AudioPacket {
  const s = p.samples.slice();
  for (let i = 0; i < s.length; i++) s[i] *= 0.5;
  return { ...p, samples: s };
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ScriptSandbox } = require(workerData.sandboxPath);
ScriptSandbox.create({ source: workerData.source, timeoutMs: 100, memoryLimitMb: 64 }).then((sb) => {
  parentPort.on('message', (samples) => {
    const o = sb.process({ kind: 'audio', sampleRate: 48000, channels: 2, samples });
    const out = o.kind === 'packet' ? o.packet.samples : samples;
    parentPort.postMessage(out, [out.buffer]);
  });
  parentPort.postMessage('ready');
});`;

async function workerRoundTrip(input: AudioPacket): Promise<number> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      sandboxPath: require.resolve('../libs/pipeline/src/nodes/script/sandbox'),
      source: GAIN_SCRIPT,
    },
  });
  let resolveNext: ((v: unknown) => void) | undefined;
  worker.on('message', (m) => resolveNext?.(m));
  const next = () => new Promise((r) => (resolveNext = r));
  await next();
  const us = await perCall('script sandbox in a worker thread (gain, round trip)', async () => {
    const copy = input.samples.slice();
    const reply = next();
    worker.postMessage(copy, [copy.buffer]);
    await reply;
  });
  await worker.terminate();
  return us;
}

async function main(): Promise<void> {
  console.log(
    `core::script cost per call, 20 ms stereo frames (1920 samples), ${CALLS} calls after ${WARMUP} warm-up\n`,
  );
  const input = frame();
  const jsUs = await perCall('reference: plain JS function (copy + gain)', () => plainGain(input));

  const gain = await ScriptSandbox.create({ source: GAIN_SCRIPT, timeoutMs: 100, memoryLimitMb: 64 });
  const mainUs = await perCall('script sandbox, main thread (gain on packet.samples)', () =>
    gain.process(input),
  );
  gain.dispose();
  const viaDsp = await ScriptSandbox.create({
    source: 'function process(p) { p.samples = dsp.gain(p.samples, 0.5); return p; }',
    timeoutMs: 100,
    memoryLimitMb: 64,
  });
  const dspUs = await perCall('script sandbox, main thread (gain with dsp.gain)', () =>
    viaDsp.process(input),
  );
  viaDsp.dispose();
  const forward = await ScriptSandbox.create({
    source: 'function process(p) { return p; }',
    timeoutMs: 100,
    memoryLimitMb: 64,
  });
  const forwardUs = await perCall('script sandbox, main thread (forward, samples untouched)', () =>
    forward.process(input),
  );
  forward.dispose();
  const meta = await ScriptSandbox.create({
    source: 'function process(p) { return p.metadata.frames > 0 ? p : null; }',
    timeoutMs: 100,
    memoryLimitMb: 64,
  });
  const metaUs = await perCall('script sandbox, main thread (reads metadata only)', () =>
    meta.process(input),
  );
  meta.dispose();
  const workerUs = await workerRoundTrip(input);

  const sink = { log: () => {}, telemetry: () => false };
  const out: PluginOutput[] = [];
  const wasm = (await WasmPlugin.load(readFileSync(exampleWasmGain()), 'gain.wasm')).createInstance(
    { gain_db: -6 },
    sink,
  );
  const wasmUs = await perCall('plugin::wasm::gain (AssemblyScript example)', () => {
    out.length = 0;
    wasm.process(0, input, out);
  });
  wasm.destroy();
  const native = NativePlugin.load(exampleNativeGain(), 'gain.node').createInstance({ gain_db: -6 }, sink);
  const nativeUs = await perCall('plugin::native::gain (Node-API example)', () => {
    out.length = 0;
    native.process(0, input, out);
  });
  native.destroy();

  const frames = Array.from({ length: CALLS }, (_, i) => frame(i));
  const t = performance.now();
  const res = await collectNodeOutputs(scriptNodeDefinition, { script: GAIN_SCRIPT }, frames, {
    timeoutMs: 120_000,
  });
  const nodeUs = ((performance.now() - t) * 1000) / CALLS;
  if (res.packets.length !== CALLS) throw new Error(`node emitted ${res.packets.length} of ${CALLS} packets`);
  console.log(
    `${'core::script node through the engine (gain, per packet)'.padEnd(58)} ${nodeUs.toFixed(1).padStart(8)} us/call`,
  );

  const budget = 20_000 / mainUs;
  console.log(
    `\nA 20 ms frame leaves room for ~${Math.floor(budget)} gain scripts per core in real time (main thread).`,
  );
  console.log(
    `BENCH script us_per_call=${mainUs.toFixed(1)} dsp_gain_us_per_call=${dspUs.toFixed(1)} forward_us_per_call=${forwardUs.toFixed(1)} metadata_us_per_call=${metaUs.toFixed(1)} ` +
      `worker_us_per_call=${workerUs.toFixed(1)} node_us_per_packet=${nodeUs.toFixed(1)} js_reference_us_per_call=${jsUs.toFixed(2)} ` +
      `wasm_plugin_us_per_call=${wasmUs.toFixed(2)} native_plugin_us_per_call=${nativeUs.toFixed(2)}`,
  );
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
