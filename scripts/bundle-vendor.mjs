#!/usr/bin/env node
// After `tsc`: replaces dist's compiled libs/pipeline/src/core/typebox.js (a re-export of @sinclair/typebox)
// with a single-file bundle of TypeBox. Loading TypeBox's ~200 CommonJS files took 105-146 ms in every
// process and engine worker; the bundle loads in ~16 ms. Uses rolldown (Vite's bundler, installed with it);
// without it the re-export stays as compiled, which works, only slower to load.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const file = join(root, 'dist/libs/pipeline/src/core/typebox.js');
if (!existsSync(file)) {
  console.error(`bundle-vendor: ${file} is missing (run tsc first)`);
  process.exit(1);
}
// tsc emits `require("@sinclair/typebox")`; a bundled file no longer requires the package.
if (!readFileSync(file, 'utf8').includes('require("@sinclair/typebox")')) process.exit(0);
let build;
try {
  ({ build } = await import('rolldown'));
} catch {
  console.warn('bundle-vendor: rolldown is not installed; TypeBox stays unbundled');
  process.exit(0);
}
const tmp = `${file}.bundle.tmp`;
// The entry re-exports TypeBox's ESM build (what core/typebox.ts re-exports): smaller and faster to load than
// bundling the CommonJS build the compiled file requires.
const entry = join(root, 'dist/libs/pipeline/src/core/.typebox-entry.mjs');
writeFileSync(
  entry,
  "export * from '@sinclair/typebox';\nexport { Value } from '@sinclair/typebox/value';\n",
);
await build({
  input: entry,
  platform: 'node',
  logLevel: 'warn',
  output: {
    format: 'cjs',
    file: tmp,
    banner: '// Bundled by scripts/bundle-vendor.mjs: TypeBox in one file.',
  },
});
rmSync(entry);
renameSync(tmp, file);
