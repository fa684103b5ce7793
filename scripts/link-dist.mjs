#!/usr/bin/env node
// Makes the compiled libs resolvable by their package names from anything under dist/:
// dist/node_modules/@streamkit/{pipeline,moq} -> the compiled lib folders. Node walks up to dist/node_modules
// for bare specifiers, so `@streamkit/pipeline/security` needs no import rewriting after tsc.
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const scope = join(root, 'dist/node_modules/@streamkit');
mkdirSync(scope, { recursive: true });
for (const lib of ['pipeline', 'moq']) {
  const link = join(scope, lib);
  const target = `../../libs/${lib}/src`;
  if (existsSync(link) || lstatSync(link, { throwIfNoEntry: false })) {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) continue;
    rmSync(link, { recursive: true, force: true });
  }
  symlinkSync(target, link, 'dir');
}
