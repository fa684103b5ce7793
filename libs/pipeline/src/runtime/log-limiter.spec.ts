// NodeLogLimiter: a burst passes, the rest is counted and summarized; long lines are cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../core/node';
import { MAX_LOG_LINE_CHARS, NodeLogLimiter } from './log-limiter';

function recorder(): {
  log: Logger;
  lines: { level: string; msg: string; fields?: Record<string, unknown> }[];
} {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    lines.push({ level, msg, fields });
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

test('a burst passes, the rest is dropped and summarized once with the count', async () => {
  const { log, lines } = recorder();
  const limiter = new NodeLogLimiter(log, 'spammer', 1, 5, 50);
  const started = performance.now();
  for (let i = 0; i < 10_000; i++) limiter.logger.error(`line ${i}`);
  // One token per second of the loop comes back (none on a quiet machine).
  const refilled = Math.floor((performance.now() - started) / 1000);
  assert.equal(lines.length, 5 + refilled);
  assert.deepEqual(lines[0], { level: 'error', msg: 'line 0', fields: { node_id: 'spammer' } });
  assert.equal(limiter.dropped, 10_000 - lines.length);
  await new Promise((r) => setTimeout(r, 120));
  const summary = lines[lines.length - 1];
  assert.equal(summary.level, 'warn');
  assert.match(summary.msg, /^\d+ log lines of this node suppressed by the log rate limit \(1\/s, burst 5/);
  assert.deepEqual(summary.fields, {
    node_id: 'spammer',
    suppressed: limiter.dropped,
    suppressed_total: limiter.dropped,
  });
  limiter.flush();
});

test('tokens come back with time', async () => {
  const { log, lines } = recorder();
  const limiter = new NodeLogLimiter(log, 'n', 20, 1);
  limiter.logger.info('first');
  limiter.logger.info('dropped');
  await new Promise((r) => setTimeout(r, 100));
  limiter.logger.info('again');
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['first', 'again'],
  );
  limiter.flush();
});

test('flush writes the pending summary at once; long lines are cut with what was left out', () => {
  const { log, lines } = recorder();
  const limiter = new NodeLogLimiter(log, 'n', 1, 1);
  limiter.logger.warn('x'.repeat(MAX_LOG_LINE_CHARS + 10), { target: 'script' });
  assert.equal(lines[0].msg.length, MAX_LOG_LINE_CHARS + '… (10 more characters)'.length);
  assert.deepEqual(lines[0].fields, { node_id: 'n', target: 'script' });
  limiter.logger.warn('dropped');
  limiter.flush();
  assert.match(lines[1].msg, /^1 log line of this node suppressed/);
  limiter.flush();
  assert.equal(lines.length, 2);
});
