// The product version, read once from the repository's package.json (reported by /healthz and --version).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findPackageJson(): { path: string; version: string } {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'streamkit-ts' && pkg.version) return { path: candidate, version: pkg.version };
    }
    const parent = dirname(dir);
    if (parent === dir) return { path: '', version: '0.0.0' };
    dir = parent;
  }
}

const found = findPackageJson();

export const VERSION: string = found.version;
/** The repository root (where package.json lives); falls back to the working directory. */
export const REPO_ROOT: string = found.path ? dirname(found.path) : process.cwd();
