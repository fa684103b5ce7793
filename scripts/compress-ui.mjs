#!/usr/bin/env node
// Writes Brotli (`.br`) and gzip (`.gz`) copies of the built UI's text assets next to them, for the server to
// send to browsers that accept them (common/static-ui.ts): the JavaScript of a view shrinks to about a quarter.
// Run after `vite build`; files under 1 KiB and ones that would not shrink are left as they are.
import { readFileSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../apps/ui/dist/', import.meta.url).pathname;
const TEXT = new Set([
  '.js',
  '.mjs',
  '.css',
  '.svg',
  '.json',
  '.map',
  '.txt',
  '.webmanifest',
  '.wasm',
  '.xml',
]);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

let before = 0;
let after = 0;
for (const file of walk(root)) {
  if (!TEXT.has(extname(file))) continue;
  const data = readFileSync(file);
  for (const stale of [`${file}.br`, `${file}.gz`]) rmSync(stale, { force: true });
  if (data.length < 1024) continue;
  const br = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  const gz = gzipSync(data, { level: 9 });
  if (br.length < data.length) writeFileSync(`${file}.br`, br);
  if (gz.length < data.length) writeFileSync(`${file}.gz`, gz);
  before += data.length;
  after += Math.min(br.length, data.length);
}
console.log(
  `compressed UI assets: ${(before / 1024).toFixed(0)} KiB -> ${(after / 1024).toFixed(0)} KiB (brotli)`,
);
