#!/usr/bin/env node
// Fails when TypeScript modules import each other in a circle (issue #20: "no import circles, checked in CI").
// Every relative or workspace (`@streamkit/*`) import of apps/ and libs/ sources counts, `import type` included:
// a type-only circle still ties two modules together. Prints each circle as a path of files.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const SOURCES = ['apps/server/src', 'apps/ui/src', 'libs/pipeline/src', 'libs/moq/src', 'bench', 'e2e'];
const WORKSPACE = { '@streamkit/pipeline': 'libs/pipeline/src', '@streamkit/moq': 'libs/moq/src' };

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveFile(base) {
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
    join(base, 'index.tsx'),
  ]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function target(from, spec) {
  if (spec.startsWith('.')) return resolveFile(resolve(dirname(from), spec.replace(/\.js$/, '')));
  for (const [pkg, dir] of Object.entries(WORKSPACE)) {
    if (spec === pkg) return resolveFile(join(root, dir, 'index'));
    if (spec.startsWith(`${pkg}/`)) return resolveFile(join(root, dir, spec.slice(pkg.length + 1)));
  }
  return undefined;
}

const files = SOURCES.flatMap((d) => walk(join(root, d)));
const edges = new Map();
for (const file of files) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const to = new Set();
  for (const ref of info.importedFiles) {
    const t = target(file, ref.fileName);
    if (t && t !== file) to.add(t);
  }
  edges.set(file, [...to]);
}

// Tarjan's strongly connected components, iteratively (no recursion limit on long chains).
let index = 0;
const idx = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const cycles = [];
for (const start of files) {
  if (idx.has(start)) continue;
  const work = [[start, 0]];
  idx.set(start, index);
  low.set(start, index++);
  stack.push(start);
  onStack.add(start);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    const [v, i] = frame;
    const next = (edges.get(v) ?? [])[i];
    if (next !== undefined) {
      frame[1]++;
      if (!edges.has(next)) continue;
      if (!idx.has(next)) {
        idx.set(next, index);
        low.set(next, index++);
        stack.push(next);
        onStack.add(next);
        work.push([next, 0]);
      } else if (onStack.has(next)) low.set(v, Math.min(low.get(v), idx.get(next)));
      continue;
    }
    work.pop();
    if (work.length > 0) {
      const parent = work[work.length - 1][0];
      low.set(parent, Math.min(low.get(parent), low.get(v)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc);
    }
  }
}

if (cycles.length === 0) {
  console.log(`no import circles among ${files.length} modules`);
} else {
  for (const scc of cycles) {
    console.log(
      `import circle of ${scc.length} modules:\n  ${scc
        .map((f) => relative(root, f))
        .sort()
        .join('\n  ')}`,
    );
  }
  process.exit(1);
}
