// GraphQL cost bounds on the source and the parsed document, before graphql-js validates anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import { checkDocumentCost, checkSourceShape, QUERY_TOO_COMPLEX } from './query-cost';

const LIMITS = { maxDepth: 5, maxAliases: 3, maxFields: 20, maxTokens: 200 };
const refused = (fn: () => void, pattern: RegExp) =>
  assert.throws(fn, (err: Error & { extensions?: { code?: string } }) => {
    assert.equal(err.extensions?.code, QUERY_TOO_COMPLEX);
    assert.match(err.message, pattern);
    return true;
  });

test('the source scan counts tokens and nesting, skipping strings and comments', () => {
  checkSourceShape('{ a { b { c } } }', LIMITS);
  refused(() => checkSourceShape(`{ ${'a '.repeat(300)}}`, LIMITS), /more than 200 tokens/);
  refused(() => checkSourceShape(`${'{'.repeat(40)}`, LIMITS), /nests deeper than 32 levels/);
  // Brackets inside strings, block strings and comments are not nesting.
  checkSourceShape(`{ a(x: "${'{'.repeat(50)}", y: """${'['.repeat(50)}""") # ${'('.repeat(50)}\n }`, LIMITS);
});

test('aliases, fields with fragments expanded, and depth are bounded', () => {
  const check = (q: string) => checkDocumentCost(parse(q), LIMITS);
  check('{ a: x b: x c: x }');
  refused(() => check('{ a: x b: x c: x d: x }'), /4 aliases; at most 3/);
  check('{ a { b { c { d { e } } } } }');
  refused(() => check('{ a { b { c { d { e { f } } } } } }'), /6 levels deep; at most 5/);
  // Depth through fragments and inline fragments.
  refused(
    () => check('{ a { ...F } } fragment F on T { b { ... on T { c { d { e { f } } } } } }'),
    /6 levels deep/,
  );
  // Each fragment spreads the next three times: 3^4 = 81 leaves from a tiny document.
  const bomb = [
    '{ ...F0 }',
    'fragment F0 on Q { ...F1 ...F1 ...F1 }',
    'fragment F1 on Q { ...F2 ...F2 ...F2 }',
    'fragment F2 on Q { ...F3 ...F3 ...F3 }',
    'fragment F3 on Q { ...F4 ...F4 ...F4 }',
    'fragment F4 on Q { x }',
  ].join('\n');
  refused(() => check(bomb), /selects 81 fields/);
  refused(() => check('{ ...A } fragment A on Q { ...B } fragment B on Q { ...A }'), /spreads itself/);
  // An unknown fragment is left for validation to report.
  check('{ ...Missing }');
});
