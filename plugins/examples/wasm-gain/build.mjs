#!/usr/bin/env node
// Builds the example plugin with the AssemblyScript compiler from npm: `node plugins/examples/wasm-gain/build.mjs`
// writes build/gain.wasm (ABI v1: imports its memory from the host, so the host sets the memory cap).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outFile = join(here, 'build', 'gain.wasm');
mkdirSync(dirname(outFile), { recursive: true });
execFileSync(
  'npx',
  [
    'asc',
    join(here, 'assembly', 'index.ts'),
    '--outFile',
    outFile,
    '--optimize',
    '--runtime',
    'incremental',
    '--importMemory',
    '--initialMemory',
    '1',
    '--noExportMemory',
    '--use',
    'abort=',
  ],
  { stdio: 'inherit', cwd: here },
);
console.log(`built ${outFile}`);
