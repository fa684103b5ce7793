// Where speech models live and how a node's model param finds its file: `[models].dir` (default `./models`),
// as StreamKit mounts them, so StreamKit's params (`models/ggml-base.en-q5_1.bin`) resolve unchanged. A
// missing model is a validation problem naming the kind, the expected path and the command that fetches it.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { NodeServices } from '../../core/node';
import { modelForFile } from './catalog';

/** Services key of the models settings (`ModelServices`). */
export const MODELS_SERVICE_KEY = 'models';

export interface ModelServices {
  /** Absolute directory holding the models. */
  dir: string;
}

export function modelServices(services: NodeServices): ModelServices {
  const m = services[MODELS_SERVICE_KEY] as ModelServices | undefined;
  return m ?? { dir: resolve('models') };
}

/**
 * The file a model param names. StreamKit writes model paths relative to its working directory with a
 * `models/` prefix; here they resolve under `[models].dir`. A path may not leave that directory: an absolute
 * path elsewhere must pass `[security].allowed_file_paths`. Throws with the reason.
 */
export function resolveModelPath(services: NodeServices, param: string): string {
  const { dir } = modelServices(services);
  if (param.trim() === '') throw new Error('is empty');
  if (isAbsolute(param)) {
    const inside = relative(dir, param);
    if (!inside.startsWith('..') && !isAbsolute(inside)) return param;
    if (!services.resolveReadPath) throw new Error(`'${param}' is outside the models directory ${dir}`);
    return services.resolveReadPath(param);
  }
  const rel = param.replace(/^(\.\/)+/, '').replace(/^models\//, '');
  const path = resolve(dir, rel);
  const inside = relative(dir, path);
  if (inside.startsWith('..') || isAbsolute(inside) || inside === '') {
    throw new Error(`'${param}' leaves the models directory ${dir}`);
  }
  return path;
}

export type ModelShape = 'file' | 'dir';

export interface ModelProblem {
  path: string;
  message: string;
}

/**
 * Problems with the model `param` of `kind` (at param path `field`): unresolvable, missing, or a file where a
 * directory is expected (and the reverse), each naming the expected path and `skit models pull NAME`.
 */
export function checkModel(
  kind: string,
  field: string,
  param: string,
  services: NodeServices,
  shape: ModelShape,
  required: readonly string[] = [],
): ModelProblem[] {
  let path: string;
  try {
    path = resolveModelPath(services, param);
  } catch (err) {
    return [{ path: `/${field}`, message: `${kind}: model path ${(err as Error).message}` }];
  }
  const known = modelForFile(param);
  const pull = known ? `run \`skit models pull ${known.name}\`` : 'place the model there';
  if (!existsSync(path)) {
    return [{ path: `/${field}`, message: `${kind}: model not found at ${path}; ${pull}` }];
  }
  const isDir = statSync(path).isDirectory();
  if (shape === 'dir' && !isDir) {
    return [{ path: `/${field}`, message: `${kind}: ${path} must be a model directory` }];
  }
  if (shape === 'file' && isDir) {
    return [{ path: `/${field}`, message: `${kind}: ${path} is a directory, expected a model file` }];
  }
  const missing = required.filter((f) => !existsSync(join(path, f)));
  if (missing.length > 0) {
    return [
      {
        path: `/${field}`,
        message: `${kind}: model directory ${path} lacks ${missing.join(', ')}; ${pull}`,
      },
    ];
  }
  return [];
}

/** The engine's own copy of a model (`libs/pipeline/models/NAME`), from the source tree or its dist/ build. */
export function bundledModel(name: string): string {
  const marker = `${sep}libs${sep}pipeline${sep}`;
  const at = __dirname.lastIndexOf(marker);
  let root = at >= 0 ? __dirname.slice(0, at) : resolve(__dirname, '../../../../..');
  if (root.endsWith(`${sep}dist`)) root = root.slice(0, -`${sep}dist`.length);
  return join(root, 'libs', 'pipeline', 'models', name);
}
