// Builds the Nest application on Fastify from a loaded Config (`createApp`) and starts listening
// (`startServer`), refusing unsafe binds. The CLI (`skit serve`) and the test harness both come here.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { basePathRewriter } from './common/base-path';
import { registerHttpHooks } from './common/http-hooks';
import { createLogger, NestPinoLogger } from './common/logging';
import { buildNodeServices } from './common/node-services';
import { OriginPolicy } from './common/origin-policy';
import { PlainTextExceptionFilter } from './common/plain-text-exception.filter';
import { registerStaticUi } from './common/static-ui';
import { MoqService } from './moq/moq.service';
import { registerOpenApi } from './openapi/openapi';
import { parseAddress, type Config, type RuntimeEnv } from './config';
import { PermissionsService } from './permissions/permissions.service';

/** JSON bodies up to 2 MiB, like StreamKit (routes streaming uploads enforce their own limits). */
export const JSON_BODY_LIMIT = 2 * 1024 * 1024;

export interface CreateAppOptions {
  /** Defaults to a logger built from `[log]`. */
  logger?: Logger;
  /** Variables read per request (`SK_ROLE`); defaults to `process.env`. */
  env?: RuntimeEnv;
  /** Extra modules (tests, embedding) appended after FEATURE_MODULES. */
  modules?: Type[];
  /** CommonJS modules exporting `nodeDefinitions`, registered on the main thread and in every engine worker. */
  nodeModules?: string[];
}

export async function createApp(
  config: Config,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.log);
  const env = options.env ?? process.env;
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT,
    rewriteUrl: basePathRewriter(config.server.base_path),
    // Oneshot runs are drained before the server closes (OneshotService); whatever is left (keep-alive
    // sockets, a request whose client vanished mid-body) must not hold shutdown for the 72 s keep-alive.
    forceCloseConnections: true,
    ...(config.server.tls
      ? { https: { cert: readFileSync(config.server.cert_path), key: readFileSync(config.server.key_path) } }
      : {}),
  });
  const fastify = adapter.getInstance();
  const permissions = new PermissionsService(config, env, logger);
  const origins = new OriginPolicy(config);
  registerHttpHooks(fastify, { origins, permissions, log: logger });

  const nodeServices = buildNodeServices(config, { env, log: logger });
  const core = { config, env, logger, permissions, origins, nodeServices, nodeModules: options.nodeModules };
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(core, options.modules),
    adapter,
    {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    },
  );
  app.useGlobalFilters(new PlainTextExceptionFilter(logger));
  // Multipart bodies are streamed by the routes that take uploads (oneshot media, assets, plugins).
  await app.register(fastifyMultipart as never);
  registerOpenApi(app);
  registerStaticUi(fastify, config, logger);
  await app.init();
  return app;
}

function isLoopback(host: string): boolean {
  if (isIPv4(host)) return host.startsWith('127.');
  if (isIPv6(host)) return host === '::1' || /^::ffff:127\./i.test(host);
  return false;
}

/** Throws with the reason when binding `server.address` would expose an unauthenticated admin API. */
export function checkBindSafety(config: Config, log?: Logger): void {
  const addr = parseAddress(config.server.address);
  if (!addr || isLoopback(addr.host) || config.permissions.role_header) return;
  if (config.permissions.allow_insecure_no_auth) {
    log?.warn(
      `Listening on non-loopback ${config.server.address} without permissions.role_header: every caller gets role '${config.permissions.default_role}' (permissions.allow_insecure_no_auth = true)`,
    );
    return;
  }
  throw new Error(
    `Refusing to bind non-loopback address ${config.server.address} without authentication: every caller would get ` +
      `role '${config.permissions.default_role}'. Set permissions.role_header to a header set by an authenticating ` +
      'proxy, or set permissions.allow_insecure_no_auth = true to accept the risk.',
  );
}

export interface RunningServer {
  app: NestFastifyApplication;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Creates the app and listens on `server.address` (port 0 picks a free port). */
export async function startServer(config: Config, options: CreateAppOptions = {}): Promise<RunningServer> {
  checkBindSafety(config, options.logger);
  const addr = parseAddress(config.server.address);
  if (!addr) throw new Error(`Invalid server.address '${config.server.address}'`);
  const app = await createApp(config, options);
  try {
    await app.listen(addr.port, addr.host);
  } catch (err) {
    await app.close();
    throw err;
  }
  const bound = app.getHttpServer().address();
  const port = typeof bound === 'object' && bound ? bound.port : addr.port;
  // HTTP/3 WebTransport for MoQ binds UDP on the same port, so it can only start once the port is known.
  await app.get(MoqService).onListening(addr.host, port);
  const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  const url = `${config.server.tls ? 'https' : 'http'}://${host}:${port}`;
  return { app, url, port, close: () => app.close() };
}
