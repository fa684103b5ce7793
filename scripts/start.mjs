#!/usr/bin/env node
// `npm start [-- flags]`: builds whatever is missing (server, UI), then runs `skit serve` with the flags.
// SIGTERM and SIGINT are passed on to the server (which drains and shuts down); this wrapper exits with the
// server's status. SKIT_START_NO_BUILD=1 skips the build step (the server then serves without a UI if none
// was built).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(join(root, 'dist/apps/server/src/main.js'))) sh('npm', ['run', 'build:server']);
if (process.env.SKIT_START_NO_BUILD !== '1' && !existsSync(join(root, 'apps/ui/dist/index.html'))) {
  sh('npm', ['run', 'build:ui']);
}
const args = process.argv.slice(2);
const server = spawn(
  process.execPath,
  [join(root, 'bin/skit.js'), ...(args[0] === 'serve' ? args : ['serve', ...args])],
  { cwd: root, stdio: 'inherit' },
);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (server.exitCode === null && server.signalCode === null) server.kill(signal);
  });
}
server.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
