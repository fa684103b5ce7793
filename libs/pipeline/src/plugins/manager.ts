// PluginManager: loads plugins from `[plugins].directory` (`native/*.node`, then `wasm/*.wasm`), installs
// uploaded files, unloads kinds, and keeps the registry in step. Framework-free; the server's plugins module
// wraps it with HTTP (status codes come from `PluginError.status`).
import { randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { AnyNodeDefinition, Logger } from '../core/node';
import { registeredKind } from './metadata';
import { NativePlugin } from './native-plugin';
import { pluginNodeDefinition } from './plugin-node';
import { PluginError, type LoadedPluginModule, type PluginSummary, type PluginType } from './types';
import { DEFAULT_WASM_MEMORY_LIMIT_MB, WasmPlugin } from './wasm-plugin';

/** The part of the engine's `NodeRegistry` the manager uses. */
export interface PluginRegistry {
  register(def: AnyNodeDefinition): void;
  unregister(kind: string): boolean;
  has(kind: string): boolean;
}

export interface PluginManagerOptions {
  /** `[plugins].directory`; `native/` and `wasm/` are created inside it. */
  directory: string;
  registry: PluginRegistry;
  log?: Pick<Logger, 'info' | 'warn'>;
  /** Memory cap of each WASM plugin instance. */
  wasmMemoryLimitMb?: number;
}

interface LoadedEntry {
  summary: PluginSummary;
  path: string;
  module: LoadedPluginModule;
}

const NATIVE_EXT = '.node';
const WASM_EXT = '.wasm';

/** The plugin type a file name implies; throws `bad_request` for names the API refuses. */
export function pluginTypeForFileName(fileName: string): PluginType {
  if (
    fileName.length < 1 ||
    fileName.length > 255 ||
    fileName !== basename(fileName) ||
    fileName.includes('/') ||
    fileName.includes('\\')
  ) {
    throw new PluginError(
      'bad_request',
      `invalid plugin file name '${fileName}': use a plain file name (1-255 characters, no path)`,
    );
  }
  if (fileName.includes('..') || fileName.startsWith('.') || fileName.includes('\0')) {
    throw new PluginError(
      'bad_request',
      `invalid plugin file name '${fileName}': no leading dot, '..' or NUL`,
    );
  }
  const ext = extname(fileName).toLowerCase();
  if (ext === WASM_EXT) return 'wasm';
  if (ext === NATIVE_EXT) return 'native';
  if (ext === '.so' || ext === '.dylib' || ext === '.dll') {
    throw new PluginError(
      'bad_request',
      `'${fileName}': native plugins are Node-API addons (.node); C-ABI ${ext} libraries are not supported`,
    );
  }
  throw new PluginError('bad_request', `'${fileName}': a plugin file must end in .wasm or .node`);
}

export class PluginManager {
  private readonly loaded = new Map<string, LoadedEntry>();
  private readonly directory: string;
  private readonly registry: PluginRegistry;
  private readonly log: Pick<Logger, 'info' | 'warn'> | undefined;
  private readonly wasmMemoryLimitMb: number;

  constructor(options: PluginManagerOptions) {
    this.directory = options.directory;
    this.registry = options.registry;
    this.log = options.log;
    this.wasmMemoryLimitMb = options.wasmMemoryLimitMb ?? DEFAULT_WASM_MEMORY_LIMIT_MB;
  }

  private subdir(type: PluginType): string {
    return join(this.directory, type);
  }

  /** Loads every plugin in the directory (native first); failures are logged and returned, never thrown. */
  async loadAll(): Promise<{ loaded: PluginSummary[]; failed: { file: string; error: string }[] }> {
    const loaded: PluginSummary[] = [];
    const failed: { file: string; error: string }[] = [];
    for (const type of ['native', 'wasm'] as const) {
      const dir = this.subdir(type);
      await mkdir(dir, { recursive: true });
      const ext = type === 'native' ? NATIVE_EXT : WASM_EXT;
      const names = (await readdir(dir))
        .filter((n) => n.toLowerCase().endsWith(ext) && !n.startsWith('.'))
        .sort();
      for (const name of names) {
        try {
          loaded.push(await this.loadFile(type, name));
        } catch (err) {
          const error = (err as Error).message;
          failed.push({ file: join(type, name), error });
          this.log?.warn(`plugin ${type}/${name} not loaded: ${error}`);
        }
      }
    }
    return { loaded, failed };
  }

  /** Loads one file already in `<directory>/<type>/` and registers its kind. */
  async loadFile(type: PluginType, fileName: string): Promise<PluginSummary> {
    if (pluginTypeForFileName(fileName) !== type) {
      throw new PluginError('bad_request', `'${fileName}' is not a ${type} plugin file`);
    }
    const path = join(this.subdir(type), fileName);
    for (const entry of this.loaded.values()) {
      if (entry.path === path) {
        throw new PluginError('conflict', `'${fileName}' is already loaded as ${entry.summary.kind}`);
      }
    }
    const module: LoadedPluginModule =
      type === 'wasm'
        ? await WasmPlugin.load(await readFile(path), fileName, { memoryLimitMb: this.wasmMemoryLimitMb })
        : NativePlugin.load(path, fileName);
    const kind = registeredKind(module.metadata.kind, type);
    if (this.registry.has(kind)) {
      throw new PluginError(
        'conflict',
        `plugin kind '${kind}' is already registered; refusing to overwrite it (unload it first)`,
      );
    }
    try {
      this.registry.register(pluginNodeDefinition(kind, module));
    } catch (err) {
      throw new PluginError(
        'invalid_plugin',
        `${fileName}: cannot register ${kind}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const summary: PluginSummary = {
      kind,
      original_kind: module.metadata.kind,
      file_name: fileName,
      categories: module.metadata.categories,
      loaded_at_ms: Date.now(),
      plugin_type: type,
    };
    this.loaded.set(kind, { summary, path, module });
    this.log?.info(`plugin ${kind} loaded from ${type}/${fileName}`);
    return summary;
  }

  /**
   * Installs an uploaded plugin: `source` is the file's bytes or the path of a temporary file (moved in).
   * On any load failure the file is removed and the error (422) says why.
   */
  async install(fileName: string, source: Uint8Array | { path: string }): Promise<PluginSummary> {
    const type = pluginTypeForFileName(fileName);
    const dir = this.subdir(type);
    await mkdir(dir, { recursive: true });
    const target = join(dir, fileName);
    for (const entry of this.loaded.values()) {
      if (entry.path === target) {
        throw new PluginError(
          'conflict',
          `'${fileName}' belongs to the loaded plugin ${entry.summary.kind}; delete it first`,
        );
      }
    }
    // Write under a temporary name first so a half-written file is never picked up by loadAll.
    const staging = join(dir, `.upload-${randomUUID()}`);
    try {
      if (source instanceof Uint8Array) await writeFile(staging, source);
      else await moveFile(source.path, staging);
      if (type === 'native') await chmod(staging, 0o755);
      await rename(staging, target);
    } catch (err) {
      await unlink(staging).catch(() => undefined);
      throw err;
    }
    try {
      return await this.loadFile(type, fileName);
    } catch (err) {
      await unlink(target).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Unregisters a kind (new nodes of it are refused from now on) and deletes its file unless `keepFile`.
   * Nodes already running keep their plugin instance until they stop: the compiled module or addon stays
   * referenced by them.
   */
  async unload(kind: string, options: { keepFile?: boolean } = {}): Promise<PluginSummary> {
    const entry = this.loaded.get(kind);
    if (!entry) {
      const known = [...this.loaded.keys()];
      throw new PluginError(
        'not_found',
        `plugin kind '${kind}' is not loaded${known.length ? ` (loaded: ${known.join(', ')})` : ''}`,
      );
    }
    this.registry.unregister(kind);
    this.loaded.delete(kind);
    if (!options.keepFile) await unlink(entry.path).catch(() => undefined);
    this.log?.info(`plugin ${kind} unloaded${options.keepFile ? ' (file kept)' : ''}`);
    return entry.summary;
  }

  list(): PluginSummary[] {
    return [...this.loaded.values()].map((e) => e.summary);
  }

  get(kind: string): PluginSummary | undefined {
    return this.loaded.get(kind)?.summary;
  }
}

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await unlink(from);
  }
}
