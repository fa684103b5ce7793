// parseBoundedYaml: hostile YAML (alias bombs, deep nesting, huge mappings, oversize text) is refused quickly
// with the limit named; ordinary documents parse as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_YAML_LIMITS, parseBoundedYaml, utf8Length, YamlError } from './yaml-bounds';

function refusal(fn: () => unknown): YamlError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof YamlError, String(err));
    return err;
  }
  assert.fail('expected a YamlError');
}

/** Runs `fn` and returns how long it took, in ms. */
function timed(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** `a0: &a0 [x, ...]`, then each level aliases the previous one `width` times: width^levels expanded nodes. */
function aliasBomb(levels: number, width: number): string {
  let text = `a0: &a0 [${Array(width).fill('x').join(', ')}]\n`;
  for (let i = 1; i < levels; i++)
    text += `a${i}: &a${i} [${Array(width)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  return text;
}

test('an ordinary pipeline document parses to values and a document that keeps comments', () => {
  const text =
    '# gain\nname: g\nnodes:\n  a: {kind: core::passthrough}\n  b:\n    kind: audio::gain\n    params: {gain: 0.5}\n    needs: a\n';
  const { value, document } = parseBoundedYaml(text);
  assert.deepEqual(value, {
    name: 'g',
    nodes: {
      a: { kind: 'core::passthrough' },
      b: { kind: 'audio::gain', params: { gain: 0.5 }, needs: 'a' },
    },
  });
  document.set('name', 'h');
  assert.match(document.toString(), /^# gain\nname: h\n/);
});

test('a few aliases of a small anchor are fine and resolve', () => {
  const { value } = parseBoundedYaml('base: &b {gain: 2}\nx: *b\ny: *b\n');
  assert.deepEqual(value, { base: { gain: 2 }, x: { gain: 2 }, y: { gain: 2 } });
});

test('an alias bomb (9 levels of 9 aliases) is refused by its expansion in milliseconds', () => {
  let err: YamlError | undefined;
  const ms = timed(() => (err = refusal(() => parseBoundedYaml(aliasBomb(9, 9)))));
  assert.equal(err?.kind, 'limit');
  assert.equal(err?.limit, 'maxYamlNodes');
  assert.match(err?.message ?? '', /expands to more than 10000 nodes.*\[engine\.limits\] max_yaml_nodes/);
  assert.ok(ms < 500, `took ${ms} ms`);
});

test('more alias uses than max_yaml_aliases are refused before parsing', () => {
  const text = `a: &a 1\nlist: [${Array(101).fill('*a').join(', ')}]\n`;
  const err = refusal(() => parseBoundedYaml(text));
  assert.equal(err.limit, 'maxYamlAliases');
  assert.match(
    err.message,
    /more than 100 aliases \(line 2\); the limit is 100 \(\[engine\.limits\] max_yaml_aliases\)/,
  );
  assert.doesNotThrow(() => parseBoundedYaml(text, { maxYamlAliases: 200 }));
});

test('a self-referencing alias is refused, not expanded forever', () => {
  const err = refusal(() => parseBoundedYaml('a: &x [1, *x]\n'));
  assert.equal(err.kind, 'limit');
});

test('deep flow and block nesting is refused before the recursive composer sees it (no crash)', () => {
  for (const depth of [65, 1000, 100_000]) {
    const flow = '['.repeat(depth) + ']'.repeat(depth);
    let err: YamlError | undefined;
    const ms = timed(() => (err = refusal(() => parseBoundedYaml(flow, { maxYamlBytes: 1 << 22 }))));
    // 100,000 brackets are over the node limit too, which the character count sees first.
    assert.equal(err?.limit, depth === 100_000 ? 'maxYamlNodes' : 'maxYamlDepth');
    assert.ok(ms < 1000, `flow depth ${depth}: ${ms} ms`);
  }
  let block = '';
  for (let i = 0; i < 200; i++) block += `${' '.repeat(i)}- \n`;
  const err = refusal(() => parseBoundedYaml(block));
  assert.equal(err.limit, 'maxYamlDepth');
  assert.match(err.message, /nests deeper than 64 levels \(line \d+\).*max_yaml_depth/);
  let compact = '';
  for (let i = 0; i < 100; i++) compact += '- ';
  assert.equal(refusal(() => parseBoundedYaml(`${compact}x\n`)).limit, 'maxYamlDepth');
  // Well within the limit: parses.
  assert.doesNotThrow(() => parseBoundedYaml(`${'['.repeat(30)}1${']'.repeat(30)}`));
});

test('36,000 nodes in a 1.4 MB mapping are refused by max_yaml_nodes without parsing the rest', () => {
  let text = 'nodes:\n  src: {kind: core::file_reader, params: {path: a.wav}}\n';
  for (let i = 0; i < 36_000; i++) text += `  s${i}: {kind: core::sink, needs: src}\n`;
  parseBoundedYaml('warm: [up]\n');
  let err: YamlError | undefined;
  const ms = timed(() => (err = refusal(() => parseBoundedYaml(text, { maxYamlBytes: 2 << 20 }))));
  assert.equal(err?.limit, 'maxYamlNodes');
  assert.match(err?.message ?? '', /more than 10000 nodes/);
  // Refused from a character count, not after the seconds a full parse of this text takes.
  assert.ok(ms < 100, `took ${ms} ms`);
  // Just over the limit (not far enough for the character count alone): the lexer stops at the limit.
  const over = text.split('\n').slice(0, 2300).join('\n');
  let near: YamlError | undefined;
  const lexMs = timed(() => (near = refusal(() => parseBoundedYaml(over))));
  assert.equal(near?.limit, 'maxYamlNodes');
  assert.match(near?.message ?? '', /more than 10000 nodes \(line \d+\)/);
  assert.ok(lexMs < 1000, `took ${lexMs} ms`);
});

test('a text over max_yaml_bytes is refused by size, counted in UTF-8 bytes', () => {
  const err = refusal(() => parseBoundedYaml(`a: "${'x'.repeat(DEFAULT_YAML_LIMITS.maxYamlBytes)}"\n`));
  assert.equal(err.limit, 'maxYamlBytes');
  assert.match(
    err.message,
    /larger than 1048576 bytes; the limit is 1048576 \(\[engine\.limits\] max_yaml_bytes\)/,
  );
  const euro = 'a: "€€€€"\n';
  assert.equal(utf8Length(euro), Buffer.byteLength(euro));
  assert.equal(utf8Length('😀é'), Buffer.byteLength('😀é'));
  assert.equal(refusal(() => parseBoundedYaml(euro, { maxYamlBytes: 17 })).limit, 'maxYamlBytes');
  assert.doesNotThrow(() => parseBoundedYaml(euro, { maxYamlBytes: 18 }));
});

test('duplicate keys are a syntax error naming the key and its line', () => {
  const err = refusal(() => parseBoundedYaml('nodes:\n  a: {kind: x}\n  a: {kind: y}\n'));
  assert.equal(err.kind, 'syntax');
  assert.match(err.message, /'a' appears twice \(line 3\)/);
});

test('syntax errors carry the parser message', () => {
  const err = refusal(() => parseBoundedYaml('a: [1, 2\nb: }'));
  assert.equal(err.kind, 'syntax');
  assert.ok(err.message.length > 0);
});

test('keys that are Object.prototype names stay plain own keys', () => {
  const { value } = parseBoundedYaml('__proto__: {kind: a}\ntoString: {kind: b}\nconstructor: {kind: c}\n');
  const v = value as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['__proto__', 'toString', 'constructor']);
  assert.ok(Object.hasOwn(v, '__proto__'));
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});

test('library warnings (a collection as a key) do not reach process warnings', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    for (let i = 0; i < 3; i++) parseBoundedYaml('? [a, b]\n: 1\n');
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(warnings, []);
});
