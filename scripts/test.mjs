#!/usr/bin/env node
// Runs the whole test suite: type-checked build, lint, node:test suites (engine, server, integration),
// the UI's Vitest suite and the Playwright e2e suite, then prints one closing line `N passed, N failed`.
//
// Flags: --only node|ui|e2e|lint (repeatable), --filter TEXT (node specs whose path contains TEXT),
// --no-build (reuse dist/), --no-lint.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = [];
let filter = '';
let build = true;
let lint = true;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only.push(args[++i]);
  else if (args[i] === '--filter') filter = args[++i];
  else if (args[i] === '--no-build') build = false;
  else if (args[i] === '--no-lint') lint = false;
}
const wants = (stage) => only.length === 0 || only.includes(stage);
const totals = { passed: 0, failed: 0, skipped: 0 };
const problems = [];

function run(cmd, cmdArgs, opts = {}) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(' ')}`);
  const res = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } });
  return res.status ?? 1;
}

function findSpecs(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) findSpecs(p, out);
    else if (name.endsWith('.spec.js')) out.push(p);
  }
  return out;
}

// The reference tools and the browser the suites use come from Debian (scripts/system-packages.txt, installed by
// .ci/run). Missing ones would fail dozens of specs with unrelated-looking errors: name them and the one
// command that installs them, then stop.
const TOOLS = {
  node: [
    'ffmpeg',
    'ffprobe',
    'opusenc',
    'opusdec',
    'flac',
    'mpg123',
    'sox',
    'openssl',
    'espeak-ng',
    'flite',
    'pocketsphinx_continuous',
  ],
  e2e: ['/usr/bin/chromium', 'ffmpeg'],
};
function onPath(tool) {
  if (tool.startsWith('/')) return existsSync(tool);
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, tool)));
}
const missing = [
  ...new Set(Object.entries(TOOLS).flatMap(([stage, tools]) => (wants(stage) ? tools : []))),
].filter((t) => !onPath(t));
if (missing.length > 0) {
  const packages = readFileSync(join(root, 'scripts/system-packages.txt'), 'utf8')
    .split(/\s+/)
    .filter(Boolean);
  console.error(
    `npm test needs ${missing.join(', ')} (Debian packages). Install them once with:\n\n` +
      `  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}\n\n` +
      '(or run `bash .ci/run` as root, which installs them and runs the tests as CI does)',
  );
  process.exit(1);
}

if (build && (wants('node') || wants('e2e'))) {
  if (run('node', ['scripts/link-dist.mjs']) !== 0) problems.push('linking dist/node_modules failed');
  if (run('npx', ['tsc', '-p', 'tsconfig.build.json']) !== 0) problems.push('TypeScript build failed');
  else if (run('node', ['scripts/bundle-vendor.mjs']) !== 0) problems.push('bundling TypeBox failed');
}
if (build && (wants('ui') || wants('e2e'))) {
  if (run('npx', ['tsc', '-p', 'apps/ui/tsconfig.json', '--noEmit']) !== 0)
    problems.push('UI type check failed');
  if (run('npx', ['vite', 'build', '--config', 'apps/ui/vite.config.ts', '--logLevel', 'warn']) !== 0)
    problems.push('UI build failed');
  // The e2e suite gets the UI as users do: with the Brotli and gzip copies the server prefers.
  else if (run('node', ['scripts/compress-ui.mjs']) !== 0) problems.push('UI asset compression failed');
}
if (lint && only.length === 0) {
  if (run('npx', ['eslint', '.']) !== 0) problems.push('ESLint found problems');
  if (run('npx', ['prettier', '--check', '.', '--log-level', 'warn']) !== 0)
    problems.push('Prettier found unformatted files');
  if (run('node', ['scripts/check-cycles.mjs']) !== 0) problems.push('modules import each other in a circle');
}

const reports = join(root, 'test-results');
mkdirSync(reports, { recursive: true });

if (wants('node')) {
  // Example plugins are built once here: specs in parallel processes would otherwise race to build them.
  if (run('npm', ['run', 'build:plugins', '--silent']) !== 0)
    problems.push('building the example plugins failed');
  const specs = findSpecs(join(root, 'dist'))
    .filter((p) => !p.includes(`${join('dist', 'apps', 'ui')}`))
    .filter((p) => !filter || relative(root, p).includes(filter))
    .sort();
  // Fuzz suites saturate the cores on purpose and assert the server stays responsive meanwhile: they run after
  // the rest, one at a time, so neither they nor the timing assertions of other specs measure each other.
  const fuzz = specs.filter((p) => p.endsWith('.fuzz.spec.js'));
  const batches = [
    { name: 'node', specs: specs.filter((p) => !fuzz.includes(p)), concurrency: 2 },
    { name: 'node-fuzz', specs: fuzz, concurrency: 1 },
  ].filter((b) => b.specs.length > 0);
  if (specs.length === 0) problems.push('no node test files found');
  for (const batch of batches) {
    const tap = join(reports, `${batch.name}.tap`);
    rmSync(tap, { force: true });
    const status = run('node', [
      '--test',
      `--test-concurrency=${batch.concurrency}`,
      '--test-timeout=120000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...batch.specs.map((p) => relative(root, p)),
    ]);
    const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
    const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)`, 'm'))?.[1] ?? 0);
    totals.passed += count('pass');
    totals.failed += count('fail') + count('cancelled');
    totals.skipped += count('skipped') + count('todo');
    if (status !== 0 && count('fail') + count('cancelled') === 0)
      problems.push(`${batch.name} test runner failed`);
  }
}

if (wants('ui') && existsSync(join(root, 'apps/ui/vite.config.ts'))) {
  const out = join(reports, 'vitest.json');
  rmSync(out, { force: true });
  const status = run('npx', [
    'vitest',
    'run',
    '--config',
    'apps/ui/vite.config.ts',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests ?? 0;
    totals.failed += r.numFailedTests ?? 0;
    totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  }
  if (status !== 0 && !existsSync(out)) problems.push('vitest failed to run');
  else if (status !== 0) problems.push('vitest reported failures');
}

if (wants('e2e') && existsSync(join(root, 'e2e/playwright.config.ts'))) {
  const out = join(reports, 'playwright.json');
  rmSync(out, { force: true });
  const status = run('npx', ['playwright', 'test', '--config', 'e2e/playwright.config.ts'], {
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: out },
  });
  if (existsSync(out)) {
    const s = JSON.parse(readFileSync(out, 'utf8')).stats ?? {};
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
  }
  if (status !== 0) problems.push('playwright reported failures');
}

for (const p of problems) console.log(`problem: ${p}`);
const failed = totals.failed + (problems.length > 0 && totals.failed === 0 ? problems.length : 0);
console.log(`\n${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exit(problems.length > 0 || totals.failed > 0 ? 1 : 0);
