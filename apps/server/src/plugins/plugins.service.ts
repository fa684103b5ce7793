// Plugins for the server: loads `[plugins].directory` at start, and uploads/deletes through the HTTP API when
// `[plugins].allow_http_management` is on. Loaded kinds go straight into the node registry, so they appear in
// `/schema/nodes` and the UI palette at once. Unloading refuses new nodes of the kind; running nodes keep their
// instance until their session ends (see plugins/ABI.md).
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  OnModuleInit,
} from '@nestjs/common';
import {
  DEFAULT_WASM_MEMORY_LIMIT_MB,
  PluginError,
  PluginManager,
  type PluginSummary,
} from '@streamkit/pipeline/plugins';
import type { NodeRegistry, SessionHost } from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileTooLargeError, sweepTempFiles, writeTemp } from '../common/atomic-file';
import type { MultipartPart } from '../common/multipart';
import { refuseTruncated } from '../common/uploads';
import { CONFIG, type Config } from '../config';
import { LOGGER } from '../common/logging';
import { NODE_REGISTRY, SESSION_HOST } from '../engine/engine.module';
import { engineLogger } from '../engine/engine-logger';
import type { Caller } from '../permissions';

@Injectable()
export class PluginsService implements OnModuleInit {
  readonly manager: PluginManager;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(NODE_REGISTRY) registry: NodeRegistry,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(SESSION_HOST) private readonly host: SessionHost,
  ) {
    this.manager = new PluginManager({
      directory: resolve(config.plugins.directory),
      registry,
      log: engineLogger(log, { component: 'plugins' }),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.sweep();
    const { loaded, failed } = await this.manager.loadAll();
    for (const summary of loaded) await this.share(summary);
    if (loaded.length > 0 || failed.length > 0) {
      this.log.info(
        `Plugins: ${loaded.length} loaded, ${failed.length} failed from ${this.config.plugins.directory}`,
      );
    }
  }

  /** Where uploads are written before the manager moves them in (the plugins directory, created if missing). */
  async uploadDir(): Promise<string> {
    const dir = resolve(this.config.plugins.directory);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Removes uploads and staging files an interrupted upload left in the plugin directories. */
  private async sweep(): Promise<void> {
    const root = resolve(this.config.plugins.directory);
    let removed = 0;
    for (const dir of [root, join(root, 'native'), join(root, 'wasm')]) {
      removed += await sweepTempFiles(dir);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      // The plugin manager stages a file as `.upload-<uuid>` before renaming it into place.
      for (const name of names.filter((n) => n.startsWith('.upload-'))) {
        await rm(join(dir, name), { force: true });
        removed++;
      }
    }
    if (removed > 0) this.log.warn(`Removed ${removed} temporary file(s) of interrupted plugin uploads`);
  }

  get maxUploadBytes(): number {
    return this.config.server.max_body_size;
  }

  list(caller: Caller): PluginSummary[] {
    return this.manager.list().filter((p) => caller.canUsePlugin(p.kind));
  }

  /** Installs an uploaded file (already streamed to `tempPath`), then applies `allowed_plugins`. */
  /**
   * An upload's `plugin` file part, written (and fsynced) beside the plugins so that moving it into place is a
   * rename, then installed; other parts are skipped. The temporary file never outlives the request.
   */
  async installUpload(caller: Caller, parts: AsyncIterable<MultipartPart>): Promise<PluginSummary> {
    const limit = this.maxUploadBytes;
    const tooLarge = () =>
      new HttpException(`Plugin upload exceeds configured max body size (${limit} bytes)`, 413);
    let saved: { fileName: string; path: string } | undefined;
    try {
      for await (const part of parts) {
        if (part.fieldname !== 'plugin') {
          if (part.type === 'file') part.file.resume();
          continue;
        }
        if (saved) throw new BadRequestException("Multiple 'plugin' fields provided");
        if (part.type !== 'file' || !part.filename) {
          throw new BadRequestException('Uploaded plugin file must include a filename');
        }
        const path = await writeTemp(
          join(await this.uploadDir(), 'upload'),
          refuseTruncated(part.file, tooLarge),
          {
            maxBytes: limit,
          },
        ).catch((err: unknown) => {
          if (err instanceof HttpException) throw err;
          if (err instanceof FileTooLargeError) throw tooLarge();
          throw new BadRequestException(`Failed to read plugin upload stream: ${(err as Error).message}`);
        });
        saved = { fileName: part.filename, path };
      }
      if (!saved) throw new BadRequestException("Missing 'plugin' file field");
      return await this.install(caller, saved.fileName, saved.path);
    } finally {
      // The manager moved it in on success; anything else is a leftover.
      if (saved) await rm(saved.path, { force: true });
    }
  }

  async install(caller: Caller, fileName: string, tempPath: string): Promise<PluginSummary> {
    this.assertCanUpload(caller);
    const summary = await this.guard(() => this.manager.install(fileName, { path: tempPath }));
    if (!caller.canUsePlugin(summary.kind)) {
      await this.manager.unload(summary.kind);
      throw new ForbiddenException(`Permission denied: plugin '${summary.kind}' not allowed`);
    }
    try {
      await this.share(summary);
    } catch (err) {
      await this.manager.unload(summary.kind);
      throw new HttpException(
        `${fileName}: loaded, but not usable in the engine workers: ${(err as Error).message}`,
        422,
      );
    }
    return summary;
  }

  async remove(caller: Caller, kind: string, keepFile: boolean): Promise<PluginSummary> {
    this.checkManagement('Plugin deletion is disabled by configuration');
    caller.require('delete_plugins');
    const summary = await this.guard(() => this.manager.unload(kind, { keepFile }));
    await this.host.removeKind(summary.kind);
    return summary;
  }

  /** Loads a plugin the registry just got wherever graphs run (every engine worker, before answering). */
  private share(summary: PluginSummary): Promise<void> {
    return this.host.addKindSource({
      type: 'plugin',
      kind: summary.kind,
      pluginType: summary.plugin_type,
      path: join(resolve(this.config.plugins.directory), summary.plugin_type, summary.file_name),
      fileName: summary.file_name,
      wasmMemoryLimitMb: DEFAULT_WASM_MEMORY_LIMIT_MB,
    });
  }

  /** The 403s of an upload (management off, no `load_plugins`), checked before the body is read. */
  assertCanUpload(caller: Caller): void {
    this.checkManagement('Plugin uploads are disabled by configuration');
    caller.require('load_plugins');
  }

  private checkManagement(what: string): void {
    if (!this.config.plugins.allow_http_management) {
      throw new ForbiddenException(`${what}. Set [plugins].allow_http_management = true to enable.`);
    }
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof PluginError) throw new HttpException(err.message, err.status);
      throw err;
    }
  }
}
