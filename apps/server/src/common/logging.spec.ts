// Log outputs from `[log]`: JSON and text files at their own levels (console output is covered by the CLI tests).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../config';
import { createLogger, NestPinoLogger } from './logging';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'skit-log-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('JSON file logging honours file_level', () => {
  const path = join(dir, 'nested', 'skit.json.log');
  const log = createLogger({
    ...defaultConfig().log,
    console_enable: false,
    file_path: path,
    file_format: 'json',
    file_level: 'warn',
  });
  log.info('not written');
  log.warn({ key: 'server.adress' }, 'Unknown configuration key');
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  const entry = JSON.parse(lines[0]) as { level: number; msg: string; key: string };
  assert.equal(entry.level, 40);
  assert.equal(entry.msg, 'Unknown configuration key');
  assert.equal(entry.key, 'server.adress');
});

test('text file logging is colourless, one line per entry; Nest messages go through it', () => {
  const path = join(dir, 'skit.log');
  const log = createLogger({
    ...defaultConfig().log,
    console_enable: false,
    file_path: path,
    file_level: 'debug',
  });
  log.info({ method: 'GET', path: '/healthz', status: 200, duration_ms: 1.5 }, 'GET /healthz 200 1.5ms');
  new NestPinoLogger(log).warn('Something to look at', 'SessionsService');
  const text = readFileSync(path, 'utf8');
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /INFO: GET \/healthz 200 1\.5ms$/);
  assert.match(lines[1], /WARN: Something to look at \{"context":"SessionsService"\}$/);
  assert.equal(text.includes('\u001b['), false, 'no ANSI colour codes');
});
