// Fuzz: the bounded YAML parser and the pipeline YAML reader never crash, never hang, and refuse hostile
// shapes (nesting, alias bombs, huge mappings) by a named limit. Settings: testing/fuzz.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { fuzzParams, fuzzTimeoutMs } from '../testing/fuzz';
import { tryParsePipelineYaml } from './yaml';
import { parseBoundedYaml, YamlError } from './yaml-bounds';

/** Characters that matter to YAML, so random text hits its syntax rather than plain scalars only. */
const YAML_CHARS = [...'abcxyz019 -:,?[]{}#&*!|>\'"%@`\n\t\\.~=', '\u00e9', '\ud83d\ude00', '\u0000', '\r\n'];

function parseOrRefuse(text: string): void {
  const t = performance.now();
  try {
    parseBoundedYaml(text);
  } catch (err) {
    assert.ok(err instanceof YamlError, `not a YamlError: ${String(err)}`);
  }
  const res = tryParsePipelineYaml(text);
  assert.ok(res.spec !== undefined || res.problems.length > 0);
  const ms = performance.now() - t;
  assert.ok(ms < 2000, `took ${ms} ms`);
}

test('random YAML-ish text: a value or a YamlError, bounded time', { timeout: fuzzTimeoutMs() }, () => {
  parseOrRefuse('warm: [up]');
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...YAML_CHARS), maxLength: 2000 }), parseOrRefuse),
    fuzzParams(400),
  );
});

test(
  'any JSON-like value written as YAML parses back (or is refused by a limit)',
  { timeout: fuzzTimeoutMs() },
  () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        const text = stringify(value);
        try {
          assert.equal(JSON.stringify(parseBoundedYaml(text).value), JSON.stringify(value));
        } catch (err) {
          assert.ok(err instanceof YamlError && err.kind === 'limit', String(err));
        }
      }),
      fuzzParams(300),
    );
  },
);

test('generated hostile documents are refused by a limit quickly', { timeout: fuzzTimeoutMs() }, () => {
  const bomb = fc
    .tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 16 }))
    .map(([levels, width]) => {
      let text = `a0: &a0 [${Array(width).fill('x').join(', ')}]\n`;
      for (let i = 1; i < levels; i++)
        text += `a${i}: &a${i} [${Array(width)
          .fill(`*a${i - 1}`)
          .join(', ')}]\n`;
      return { text, expanded: width ** levels };
    });
  const nesting = fc
    .tuple(fc.integer({ min: 65, max: 50_000 }), fc.constantFrom('[', '{ a: ', '- '))
    .map(([depth, open]) => ({
      text: open === '- ' ? `${'- '.repeat(depth)}x` : open.repeat(depth),
      expanded: Infinity,
    }));
  fc.assert(
    fc.property(fc.oneof(bomb, nesting), ({ text, expanded }) => {
      const t = performance.now();
      try {
        parseBoundedYaml(text);
        assert.ok(expanded <= 10_000, 'an over-limit document was accepted');
      } catch (err) {
        assert.ok(err instanceof YamlError, String(err));
      }
      assert.ok(performance.now() - t < 1000, `took ${performance.now() - t} ms`);
    }),
    fuzzParams(100),
  );
});
