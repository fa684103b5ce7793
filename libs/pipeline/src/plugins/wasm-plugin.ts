// WebAssembly plugins (ABI v1, plugins/ABI.md): the module is validated and compiled once at load; every
// node instance gets a fresh instance on its own capped memory, so a plugin's state and crashes stay per node.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Packet, PacketMetadata } from '../core/packets';
import { parsePluginMetadata } from './metadata';
import {
  AbiPacketKind,
  EmitBudget,
  PLUGIN_ABI_VERSION,
  PluginCallError,
  PluginError,
  type LoadedPluginModule,
  type PluginInstance,
  type PluginLogSink,
  type PluginMetadata,
  type PluginOutput,
} from './types';
import type { WasmProbeAnswer, WasmProbeInput } from './wasm-probe';
import { WASM_PAGE_BYTES, wasmApi, type WasmImports, type WasmMemory, type WasmModule } from './wasm-api';

export const DEFAULT_WASM_MEMORY_LIMIT_MB = 64;
/** Instantiating a new module and reading its metadata must finish within this (it runs in a worker). */
export const WASM_PROBE_TIMEOUT_MS = 5000;

const REQUIRED_EXPORTS = [
  'sk_abi_version',
  'sk_alloc',
  'sk_free',
  'sk_metadata',
  'sk_create',
  'sk_process',
  'sk_destroy',
  'sk_last_error',
];
const HOST_FUNCTIONS = new Set(['sk_emit', 'sk_log', 'sk_telemetry', 'abort']);
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

interface PluginExports {
  sk_abi_version(): number;
  sk_alloc(size: number): number;
  sk_free(ptr: number, size: number): void;
  sk_metadata(): number;
  sk_create(ptr: number, len: number): number;
  sk_process(
    handle: number,
    pin: number,
    kind: number,
    ptr: number,
    len: number,
    rate: number,
    channels: number,
  ): number;
  sk_update_params?(handle: number, ptr: number, len: number): number;
  sk_flush?(handle: number): number;
  sk_destroy(handle: number): void;
  sk_last_error(): number;
}

interface MemoryLimits {
  initial: number;
  maximum?: number;
  shared: boolean;
}

function readUleb(bytes: Uint8Array, pos: { at: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos.at >= bytes.length) throw new Error('truncated LEB128');
    const b = bytes[pos.at++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
    if (shift > 35) throw new Error('LEB128 too long');
  }
}

/** The limits of the `env.memory` import, read from the binary (WebAssembly.Module.imports has no limits). */
function memoryImportLimits(bytes: Uint8Array): MemoryLimits | undefined {
  const pos = { at: 8 };
  const skipName = () => {
    const len = readUleb(bytes, pos);
    pos.at += len;
  };
  const readLimits = (): MemoryLimits => {
    const flags = bytes[pos.at++];
    const initial = readUleb(bytes, pos);
    const maximum = flags & 1 ? readUleb(bytes, pos) : undefined;
    return { initial, maximum, shared: (flags & 2) !== 0 };
  };
  while (pos.at < bytes.length) {
    const id = bytes[pos.at++];
    const size = readUleb(bytes, pos);
    const end = pos.at + size;
    if (id !== 2) {
      pos.at = end;
      continue;
    }
    const count = readUleb(bytes, pos);
    for (let i = 0; i < count; i++) {
      skipName();
      skipName();
      const kind = bytes[pos.at++];
      if (kind === 0) readUleb(bytes, pos);
      else if (kind === 1) {
        pos.at++;
        readLimits();
      } else if (kind === 2) return readLimits();
      else if (kind === 3) pos.at += 2;
      else if (kind === 4) {
        pos.at++;
        readUleb(bytes, pos);
      } else throw new Error(`unknown import kind ${kind}`);
    }
    return undefined;
  }
  return undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** A compiled, validated WASM plugin. */
export class WasmPlugin implements LoadedPluginModule {
  readonly type = 'wasm' as const;

  private constructor(
    private readonly module: WasmModule,
    readonly metadata: PluginMetadata,
    private readonly memory: { initialPages: number; maximumPages: number },
  ) {}

  /**
   * Validates and compiles `bytes`, checks imports/exports and memory against the cap, and reads the metadata
   * from a throwaway instance. Every refusal is a `PluginError('invalid_plugin')` naming the problem.
   */
  static async load(
    bytes: Uint8Array,
    fileName: string,
    options: { memoryLimitMb?: number; probeTimeoutMs?: number } = {},
  ): Promise<WasmPlugin> {
    const memoryLimitMb = options.memoryLimitMb ?? DEFAULT_WASM_MEMORY_LIMIT_MB;
    const bad = (msg: string, cause?: unknown) =>
      new PluginError('invalid_plugin', `${fileName}: ${msg}`, { cause });
    if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
      throw bad('not a WebAssembly module (missing the \\0asm header)');
    }
    let module: WasmModule;
    try {
      module = await wasmApi.compile(bytes);
    } catch (err) {
      throw bad(`invalid WebAssembly: ${(err as Error).message}`, err);
    }
    const exported = new Set(
      wasmApi.Module.exports(module)
        .filter((e) => e.kind === 'function')
        .map((e) => e.name),
    );
    const missing = REQUIRED_EXPORTS.filter((n) => !exported.has(n));
    if (missing.length > 0)
      throw bad(`missing ABI v${PLUGIN_ABI_VERSION} exports: ${missing.join(', ')} (see plugins/ABI.md)`);

    let importsMemory = false;
    for (const imp of wasmApi.Module.imports(module)) {
      if (imp.module === 'env' && imp.name === 'memory' && imp.kind === 'memory') importsMemory = true;
      else if (!(imp.module === 'env' && imp.kind === 'function' && HOST_FUNCTIONS.has(imp.name))) {
        throw bad(
          `imports ${imp.module}.${imp.name} (${imp.kind}), which the host does not provide (it provides env.memory, ${[...HOST_FUNCTIONS].map((n) => `env.${n}`).join(', ')})`,
        );
      }
    }
    if (!importsMemory)
      throw bad(
        'must import its memory as env.memory so the host can cap it (AssemblyScript: --importMemory)',
      );
    let limits: MemoryLimits | undefined;
    try {
      limits = memoryImportLimits(bytes);
    } catch (err) {
      throw bad(`unreadable import section: ${(err as Error).message}`, err);
    }
    const capPages = Math.floor((memoryLimitMb * 1048576) / WASM_PAGE_BYTES);
    if (!limits) throw bad('env.memory import not found in the import section');
    if (limits.shared) throw bad('shared memory (threads) is not supported');
    if (limits.initial > capPages) {
      throw bad(
        `needs ${limits.initial} memory pages at start; the limit is ${capPages} pages (${memoryLimitMb} MiB)`,
      );
    }
    const maximumPages = Math.min(capPages, limits.maximum ?? capPages);
    const memory = { initialPages: Math.max(limits.initial, 1), maximumPages };

    const probe = await probeInWorker(bytes, memory, options.probeTimeoutMs ?? WASM_PROBE_TIMEOUT_MS).catch(
      (err: unknown) => {
        throw bad((err as Error).message, err);
      },
    );
    if (probe.version !== PLUGIN_ABI_VERSION) {
      throw bad(`ABI version ${probe.version}; this server speaks version ${PLUGIN_ABI_VERSION}`);
    }
    const metadata = parsePluginMetadata(probe.metadata, 'wasm');
    return new WasmPlugin(module, metadata, memory);
  }

  createInstance(params: Record<string, unknown>, sink: PluginLogSink): PluginInstance {
    const inst = new WasmPluginInstance(this.module, this.memory, this.metadata, sink);
    inst.create(params);
    return inst;
  }
}

// The first run of an unknown module happens in a worker thread (`wasm-probe.ts`) that is terminated after a
// timeout: a module that loops at load cannot hang the server.
const PROBE_ENTRY = join(__dirname, 'wasm-probe.js');

function probeInWorker(
  bytes: Uint8Array,
  memory: { initialPages: number; maximumPages: number },
  timeoutMs: number,
): Promise<{ version: number; metadata: string }> {
  return new Promise((resolve, reject) => {
    const input: WasmProbeInput = { bytes, initial: memory.initialPages, maximum: memory.maximumPages };
    const worker = new Worker(PROBE_ENTRY, {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(
        new Error(`did not instantiate and return its metadata within ${timeoutMs} ms (a loop at load?)`),
      );
    }, timeoutMs);
    worker.once('message', (m: WasmProbeAnswer) => {
      clearTimeout(timer);
      void worker.terminate();
      if ('error' in m)
        reject(new Error(`failed at load (start, sk_abi_version or sk_metadata): ${m.error}`));
      else resolve(m);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`failed at load: ${err.message}`));
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`failed at load: the probe exited with code ${code}`));
    });
  });
}

/** One instance of a WASM plugin: its own memory, a reusable input buffer, and the emitted-packet collector. */
class WasmPluginInstance implements PluginInstance {
  private readonly memory: WasmMemory;
  private readonly fns: PluginExports;
  private handle = 0;
  private inPtr = 0;
  private inCap = 0;
  private out: PluginOutput[] | undefined;
  private outMeta: PacketMetadata | undefined;
  private dead = false;
  private readonly budget: EmitBudget;

  constructor(
    module: WasmModule,
    limits: { initialPages: number; maximumPages: number },
    private readonly metadata: PluginMetadata,
    private readonly sink: PluginLogSink,
  ) {
    this.budget = new EmitBudget(sink);
    this.memory = new wasmApi.Memory({ initial: limits.initialPages, maximum: limits.maximumPages });
    const imports: WasmImports = {
      env: {
        memory: this.memory,
        sk_emit: (pin: number, kind: number, ptr: number, len: number, rate: number, ch: number) =>
          this.emit(pin, kind, ptr, len, rate, ch),
        sk_log: (level: number, ptr: number, len: number) =>
          this.sink.log(LOG_LEVELS[level] ?? 'info', this.readText(ptr, len)),
        sk_telemetry: (tp: number, tl: number, jp: number, jl: number) => this.telemetry(tp, tl, jp, jl),
        abort: (msg: number, file: number, line: number, col: number) => {
          throw new Error(
            `plugin aborted: ${this.readAsString(msg)} at ${this.readAsString(file)}:${line}:${col}`,
          );
        },
      },
    };
    try {
      this.fns = new wasmApi.Instance(module, imports).exports as unknown as PluginExports;
    } catch (err) {
      throw new PluginError('invalid_plugin', `plugin failed to instantiate: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  private readText(ptr: number, len: number): string {
    const b = this.bytes();
    if (ptr < 0 || len < 0 || ptr + len > b.length) return '';
    return decoder.decode(b.subarray(ptr, ptr + len));
  }

  /** A `[u32 length][utf-8]` buffer returned by the plugin. */
  private readPrefixed(ptr: number): string {
    const b = this.bytes();
    if (ptr <= 0 || ptr + 4 > b.length) return '';
    const len = new DataView(this.memory.buffer).getUint32(ptr, true);
    return this.readText(ptr + 4, len);
  }

  /** AssemblyScript strings (UTF-16, byte length at ptr-4), only for `abort` messages. */
  private readAsString(ptr: number): string {
    const b = this.bytes();
    if (ptr < 4 || ptr > b.length) return '?';
    const len = new DataView(this.memory.buffer).getUint32(ptr - 4, true);
    if (ptr + len > b.length) return '?';
    return Buffer.from(b.subarray(ptr, ptr + len)).toString('utf16le');
  }

  private call<T>(what: string, fn: () => T): T {
    if (this.dead)
      throw new PluginCallError(`plugin instance is dead after an earlier trap; ${what} refused`, true);
    try {
      return fn();
    } catch (err) {
      if (err instanceof PluginCallError) throw err;
      this.dead = true;
      throw new PluginCallError(`plugin trapped in ${what}: ${(err as Error).message}`, true, { cause: err });
    }
  }

  private lastError(fallback: string): string {
    return this.readPrefixed(this.fns.sk_last_error()) || fallback;
  }

  /** Copies bytes into the plugin-owned input buffer, growing it when needed. */
  private stage(data: Uint8Array): number {
    if (data.byteLength > this.inCap) {
      if (this.inPtr) this.fns.sk_free(this.inPtr, this.inCap);
      const cap = Math.max(data.byteLength, 8192);
      this.inPtr = this.fns.sk_alloc(cap);
      if (!this.inPtr)
        throw new PluginCallError(`plugin could not allocate ${cap} bytes (memory limit)`, false);
      this.inCap = cap;
    }
    this.bytes().set(data, this.inPtr);
    return this.inPtr;
  }

  create(params: Record<string, unknown>): void {
    const json = encoder.encode(JSON.stringify(params));
    this.handle = this.call('sk_create', () => {
      const ptr = this.stage(json);
      return this.fns.sk_create(ptr, json.byteLength);
    });
    if (!this.handle)
      throw new PluginCallError(
        `plugin failed to create an instance: ${this.lastError('no reason given')}`,
        false,
      );
  }

  process(pin: number, packet: Packet, out: PluginOutput[]): void {
    let kind: AbiPacketKind;
    let data: Uint8Array;
    let rate = 0;
    let channels = 0;
    switch (packet.kind) {
      case 'audio':
        kind = AbiPacketKind.Audio;
        data = new Uint8Array(packet.samples.buffer, packet.samples.byteOffset, packet.samples.byteLength);
        rate = packet.sampleRate;
        channels = packet.channels;
        break;
      case 'text':
        kind = AbiPacketKind.Text;
        data = encoder.encode(packet.text);
        break;
      case 'binary':
      case 'opus':
        kind = AbiPacketKind.Binary;
        data = packet.data;
        break;
      case 'custom':
        kind = AbiPacketKind.Custom;
        data = encoder.encode(JSON.stringify({ type_id: packet.typeId, data: packet.data }));
        break;
      case 'transcription':
        kind = AbiPacketKind.Transcription;
        data = encoder.encode(
          JSON.stringify({ text: packet.text, segments: packet.segments, language: packet.language }),
        );
        break;
    }
    this.out = out;
    this.outMeta = packet.meta;
    this.budget.reset();
    try {
      const rc = this.call('sk_process', () => {
        const ptr = this.stage(data);
        return this.fns.sk_process(this.handle, pin, kind, ptr, data.byteLength, rate, channels);
      });
      if (rc !== 0)
        throw new PluginCallError(
          this.budget.explain(`plugin process failed: ${this.lastError(`error code ${rc}`)}`),
          false,
        );
    } finally {
      this.out = undefined;
      this.outMeta = undefined;
    }
  }

  updateParams(params: Record<string, unknown>): void {
    const update = this.fns.sk_update_params;
    if (!update)
      throw new PluginCallError('plugin does not support parameter updates (no sk_update_params)', false);
    const json = encoder.encode(JSON.stringify(params));
    const rc = this.call('sk_update_params', () => update(this.handle, this.stage(json), json.byteLength));
    if (rc !== 0)
      throw new PluginCallError(`plugin rejected the params: ${this.lastError(`error code ${rc}`)}`, false);
  }

  flush(out: PluginOutput[]): void {
    const flush = this.fns.sk_flush;
    if (!flush) return;
    this.out = out;
    this.budget.reset();
    try {
      const rc = this.call('sk_flush', () => flush(this.handle));
      if (rc !== 0)
        throw new PluginCallError(
          this.budget.explain(`plugin flush failed: ${this.lastError(`error code ${rc}`)}`),
          false,
        );
    } finally {
      this.out = undefined;
    }
  }

  destroy(): void {
    if (this.dead || !this.handle) return;
    const handle = this.handle;
    this.handle = 0;
    this.call('sk_destroy', () => this.fns.sk_destroy(handle));
  }

  private emit(pin: number, kind: number, ptr: number, len: number, rate: number, channels: number): number {
    const out = this.out;
    const outputs = this.metadata.outputs.length;
    const b = this.bytes();
    if (!out || pin < 0 || pin >= outputs || ptr < 0 || len < 0 || ptr + len > b.length) {
      this.sink.log('warn', `plugin emitted on invalid pin ${pin} or outside its memory; packet dropped`);
      return 1;
    }
    if (!this.budget.take(len)) return 1;
    const meta = this.outMeta ? { ...this.outMeta } : undefined;
    switch (kind) {
      case AbiPacketKind.Audio: {
        if (len % 4 !== 0 || !(rate > 0) || !(channels > 0) || (len / 4) % channels !== 0) {
          this.sink.log(
            'warn',
            `plugin emitted malformed audio (${len} bytes, ${rate} Hz, ${channels} ch); packet dropped`,
          );
          return 1;
        }
        const samples = new Float32Array(len / 4);
        new Uint8Array(samples.buffer).set(b.subarray(ptr, ptr + len));
        out.push({ pin, packet: { kind: 'audio', sampleRate: rate, channels, samples, meta } });
        return 0;
      }
      case AbiPacketKind.Text:
        out.push({ pin, packet: { kind: 'text', text: decoder.decode(b.subarray(ptr, ptr + len)), meta } });
        return 0;
      case AbiPacketKind.Binary:
        out.push({ pin, packet: { kind: 'binary', data: b.slice(ptr, ptr + len), meta } });
        return 0;
      case AbiPacketKind.Custom: {
        try {
          const c = JSON.parse(decoder.decode(b.subarray(ptr, ptr + len))) as {
            type_id?: unknown;
            data?: unknown;
          };
          if (typeof c.type_id !== 'string') throw new Error('missing type_id');
          out.push({
            pin,
            packet: { kind: 'custom', typeId: c.type_id, encoding: 'json', data: c.data ?? null, meta },
          });
          return 0;
        } catch (err) {
          this.sink.log(
            'warn',
            `plugin emitted a malformed Custom packet (${(err as Error).message}); packet dropped`,
          );
          return 1;
        }
      }
      default:
        this.sink.log('warn', `plugin emitted unknown packet kind ${kind}; packet dropped`);
        return 1;
    }
  }

  private telemetry(tp: number, tl: number, jp: number, jl: number): number {
    let data: Record<string, unknown> | undefined;
    try {
      const v = JSON.parse(this.readText(jp, jl)) as unknown;
      data =
        typeof v === 'object' && v !== null && !Array.isArray(v)
          ? (v as Record<string, unknown>)
          : { value: v };
    } catch {
      return 0;
    }
    return this.sink.telemetry(this.readText(tp, tl), data) ? 1 : 0;
  }
}
