#!/usr/bin/env node
// `npm run fuzz`: builds, then runs every fuzz suite (`*.fuzz.spec.ts`, anywhere under apps/ and libs/) for
// longer than `npm test` does: FUZZ_SECONDS per property (default 60) and a fresh seed unless FUZZ_SEED is
// set. The suites read their settings through libs/pipeline/src/testing/fuzz.ts (`fuzzParams`).
//
//   npm run fuzz                       # 60 s per property
//   FUZZ_SECONDS=600 npm run fuzz      # longer
//   FUZZ_SEED=1234 npm run fuzz        # replay a failure (fast-check prints seed and path)
//   npm run fuzz -- yaml               # only suites whose path contains "yaml"
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv[2] ?? '';

function find(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.fuzz.spec.js')) out.push(p);
  }
  return out;
}

const build = spawnSync('npm', ['run', 'build:server', '--silent'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const suites = find(join(root, 'dist'))
  .filter((p) => relative(root, p).includes(filter))
  .map((p) => relative(root, p))
  .sort();
if (suites.length === 0) {
  console.error(`no fuzz suites found${filter ? ` matching '${filter}'` : ''}`);
  process.exit(1);
}
const env = { ...process.env, FUZZ_SECONDS: process.env.FUZZ_SECONDS || '60' };
console.log(`fuzzing ${suites.length} suites, ${env.FUZZ_SECONDS} s per property`);
const res = spawnSync('node', ['--test', '--test-concurrency=1', '--test-reporter=spec', ...suites], {
  cwd: root,
  stdio: 'inherit',
  env,
});
process.exit(res.status ?? 1);
