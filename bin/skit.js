#!/usr/bin/env node
// The `skit` command: runs the compiled CLI (`npm run build:server` first when working from source).
require('../dist/apps/server/src/cli.js');
