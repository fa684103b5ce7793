// Test/bench support: paths of the example plugins, built on demand (AssemblyScript via `asc`, the addon via
// node-gyp) when the artifact is missing or older than its sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'plugins', 'examples'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('plugins/examples not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function ensureBuilt(exampleDir: string, artifact: string, sources: string[]): string {
  const out = join(exampleDir, artifact);
  const stale =
    !existsSync(out) || sources.some((s) => newestMtime(join(exampleDir, s)) > statSync(out).mtimeMs);
  if (stale)
    execFileSync(process.execPath, [join(exampleDir, 'build.mjs')], { stdio: 'inherit', cwd: exampleDir });
  return out;
}

/** Path of `plugins/examples/wasm-gain/build/gain.wasm`. */
export function exampleWasmGain(): string {
  const root = repoRoot();
  return ensureBuilt(join(root, 'plugins/examples/wasm-gain'), 'build/gain.wasm', [
    'assembly',
    '../../sdk/assemblyscript',
  ]);
}

/** Path of `plugins/examples/native-gain/build/Release/gain.node`. */
export function exampleNativeGain(): string {
  return ensureBuilt(join(repoRoot(), 'plugins/examples/native-gain'), 'build/Release/gain.node', [
    'src',
    'binding.gyp',
  ]);
}
