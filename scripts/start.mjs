#!/usr/bin/env node
// `npm start [-- flags]`: builds whatever is missing (server, UI), then runs `skit serve` with the flags.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(join(root, 'dist/apps/server/src/main.js'))) sh('npm', ['run', 'build:server']);
if (!existsSync(join(root, 'apps/ui/dist/index.html'))) sh('npm', ['run', 'build:ui']);
const args = process.argv.slice(2);
const r = spawnSync(
  process.execPath,
  [join(root, 'bin/skit.js'), ...(args[0] === 'serve' ? args : ['serve', ...args])],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 1);
