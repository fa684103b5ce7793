// WebAssembly plugins (ABI v1, plugins/ABI.md): the module is validated and compiled once at load; every
// node instance gets a fresh instance on its own capped memory, so a plugin's state and crashes stay per node.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { parsePluginMetadata } from './metadata';
import {
  PLUGIN_ABI_VERSION,
  PluginError,
  type LoadedPluginModule,
  type PluginInstance,
  type PluginLogSink,
  type PluginMetadata,
} from './types';
import { WasmPluginInstance } from './wasm-instance';
import type { WasmProbeAnswer, WasmProbeInput } from './wasm-probe';
import { WASM_PAGE_BYTES, wasmApi, type WasmModule } from './wasm-api';

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
