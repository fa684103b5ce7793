#!/usr/bin/env node
// Builds the example native plugin offline with node-gyp (headers from npm's `nodedir`, e.g. /usr):
// `node plugins/examples/native-gain/build.mjs` writes build/Release/gain.node.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Use the machine's Node headers when npm is not already told where they are: no header download needed.
const env = { ...process.env };
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) env.npm_config_nodedir = '/usr';
execFileSync('npx', ['node-gyp', 'rebuild', '--loglevel', 'warn'], { stdio: 'inherit', cwd: here, env });
console.log(`built ${join(here, 'build', 'Release', 'gain.node')}`);
