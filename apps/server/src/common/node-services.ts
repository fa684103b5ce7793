// The `NodeServices` the server hands to the engine: file read/write and fetch-URL checks from `[security]`,
// the `core::script` settings from `[script]` and the models directory from `[models]` (secrets read from their environment variables once).
// Inject with `@Inject(NODE_SERVICES) services: NodeServices` and pass it to sessions and oneshot runs.
import type { NodeServices } from '@streamkit/pipeline';
import {
  SCRIPT_SERVICES_KEY,
  type ScriptSecret,
  type ScriptServices,
} from '@streamkit/pipeline/nodes/script';
import { MODELS_SERVICE_KEY, type ModelServices } from '@streamkit/pipeline/nodes/speech/models';
import { FilePathPolicy, checkFetchUrl } from '@streamkit/pipeline/security';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config, RuntimeEnv } from '../config';

export const NODE_SERVICES = Symbol('NODE_SERVICES');
/** Paths of extra CommonJS modules exporting `nodeDefinitions` (tests, benchmarks, embedding): `string[]`. */
export const NODE_MODULES = Symbol('NODE_MODULES');

const DEFAULT_FETCH_INFLIGHT = 16;

export interface NodeServicesOptions {
  /** Where relative paths resolve; defaults to the process working directory. */
  baseDir?: string;
  /** Source of secret values and `SK_SCRIPT_FETCH_MAX_INFLIGHT`; defaults to `process.env`. */
  env?: RuntimeEnv;
  log?: Logger;
}

function scriptServices(config: Config, env: RuntimeEnv, log: Logger | undefined): ScriptServices {
  const secrets: Record<string, ScriptSecret> = {};
  for (const [name, secret] of Object.entries(config.script.secrets)) {
    const value = env[secret.env];
    if (value === undefined || value === '') {
      log?.warn(`Script secret '${name}' is unavailable: environment variable ${secret.env} is not set`);
      continue;
    }
    secrets[name] = {
      value,
      type: secret.type,
      allowed_fetch_urls: secret.allowed_fetch_urls,
      description: secret.description,
    };
  }
  const inflight = Number(env.SK_SCRIPT_FETCH_MAX_INFLIGHT);
  return {
    fetchAllowlist: config.script.global_fetch_allowlist,
    secrets,
    maxInflight: Number.isInteger(inflight) && inflight > 0 ? inflight : DEFAULT_FETCH_INFLIGHT,
    defaultTimeoutMs: config.script.default_timeout_ms,
    defaultMemoryLimitMb: config.script.default_memory_limit_mb,
  };
}

export function buildNodeServices(config: Config, options: NodeServicesOptions = {}): NodeServices {
  const policy = new FilePathPolicy({
    allowedReadPaths: config.security.allowed_file_paths,
    allowedWritePaths: config.security.allowed_write_paths,
    baseDir: options.baseDir ?? process.cwd(),
  });
  const fetchPatterns = config.security.allowed_fetch_urls;
  return {
    resolveReadPath: (path: string) => policy.resolveReadPath(path),
    resolveWritePath: (path: string) => policy.resolveWritePath(path),
    checkFetchUrl: (url: string) => checkFetchUrl(fetchPatterns, url),
    [SCRIPT_SERVICES_KEY]: scriptServices(config, options.env ?? process.env, options.log),
    [MODELS_SERVICE_KEY]: {
      dir: resolve(options.baseDir ?? process.cwd(), config.models.dir),
    } satisfies ModelServices,
  };
}
