/**
 * Test harness: starts the real server in-process on 127.0.0.1 with a free port.
 *
 *   const server = await startTestServer({ config: { permissions: { role_header: 'x-role' } } });
 *   try {
 *     const res = await fetch(`${server.url}/api/v1/permissions`, { headers: { 'x-role': 'user' } });
 *   } finally {
 *     await server.close();
 *   }
 *
 * Options:
 * - `config`: a partial config, applied like a skit.toml over the defaults (tables merge, arrays replace).
 * - `env`: variables applied like the process environment: `SK_SECTION__KEY` config overrides, and
 *   `SK_ROLE` for role resolution (the real `process.env` is not consulted).
 * - `tempDirs: true`: a fresh temp directory holding `samples/pipelines/{oneshot,dynamic,user}` and `plugins`,
 *   used as `server.samples_dir` and `plugins.directory` (unless `config` sets them) and deleted on close.
 * - `logs`: quiet by default; `true` logs to the console at debug (or give a level).
 * - `modules`: extra Nest modules to mount (e.g. a test-only controller).
 * - `nodeModules`: CommonJS modules exporting `nodeDefinitions` (test node kinds), loaded on the main thread and
 *   in every engine worker.
 * `server.address` is always `127.0.0.1:0`; file logging is off.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, silentLogger } from '../common/logging';
import { resolveConfig, type Config, type DeepPartial } from '../config';
import { merge } from '../config/schema-walk';
import { startServer } from '../main';

export interface TestServerOptions {
  config?: DeepPartial<Config>;
  env?: Record<string, string>;
  tempDirs?: boolean;
  logs?: boolean | 'trace' | 'debug' | 'info' | 'warn' | 'error';
  modules?: Type[];
  nodeModules?: string[];
}

export interface TestServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  app: NestFastifyApplication;
  /** The effective config the server runs with. */
  config: Config;
  /** The temp root when `tempDirs` was asked for (samples at `<dir>/samples/pipelines`, plugins at `<dir>/plugins`). */
  tempDir?: string;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  let tempDir: string | undefined;
  let overrides: unknown = options.config ?? {};
  if (options.tempDirs) {
    tempDir = mkdtempSync(join(tmpdir(), 'skit-test-'));
    const samples = join(tempDir, 'samples', 'pipelines');
    for (const sub of ['oneshot', 'dynamic', 'user']) mkdirSync(join(samples, sub), { recursive: true });
    mkdirSync(join(tempDir, 'plugins'));
    overrides = merge(
      { server: { samples_dir: samples }, plugins: { directory: join(tempDir, 'plugins') } },
      overrides,
    );
  }
  const level = options.logs === true ? 'debug' : options.logs || undefined;
  overrides = merge(overrides, {
    server: { address: '127.0.0.1:0' },
    log: { file_enable: false, console_enable: level !== undefined, console_level: level ?? 'info' },
  });
  const env = options.env ?? {};
  const removeTemp = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  try {
    const { config } = resolveConfig({ file: overrides, fileName: 'test overrides', env });
    config.server.address = '127.0.0.1:0';
    const logger = level ? createLogger(config.log) : silentLogger();
    const running = await startServer(config, {
      logger,
      env,
      modules: options.modules,
      nodeModules: options.nodeModules,
    });
    let closed = false;
    return {
      url: running.url,
      port: running.port,
      app: running.app,
      config,
      tempDir,
      async close() {
        if (closed) return;
        closed = true;
        try {
          await running.close();
        } finally {
          removeTemp();
        }
      },
    };
  } catch (err) {
    removeTemp();
    throw err;
  }
}
