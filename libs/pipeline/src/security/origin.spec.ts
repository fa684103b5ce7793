// Origin allow-list matcher cases from StreamKit's own tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ALLOWED_ORIGINS, isOriginAllowed, originMatches } from './origin';

test('`*` matches anything', () => {
  assert.equal(originMatches('*', 'https://evil.example'), true);
});

test('`:*` requires a numeric port', () => {
  assert.equal(originMatches('http://localhost:*', 'http://localhost:3000'), true);
  assert.equal(originMatches('http://localhost:*', 'http://localhost:1'), true);
  assert.equal(originMatches('http://localhost:*', 'http://localhost'), false);
  assert.equal(originMatches('http://localhost:*', 'http://localhost:'), false);
  assert.equal(originMatches('http://localhost:*', 'http://localhost:abc'), false);
  assert.equal(originMatches('http://localhost:*', 'http://localhost123:8080'), false);
  assert.equal(originMatches('http://localhost:*', 'http://localhost:80/x'), false);
});

test('other patterns are exact and case-sensitive', () => {
  assert.equal(originMatches('https://example.com', 'https://example.com'), true);
  assert.equal(originMatches('https://example.com', 'https://example.com:443'), false);
  assert.equal(originMatches('https://example.com', 'https://EXAMPLE.com'), false);
  assert.equal(originMatches('https://example.com', 'http://example.com'), false);
});

test('default list allows loopback origins only', () => {
  for (const ok of [
    'http://localhost',
    'https://localhost',
    'http://localhost:4545',
    'https://localhost:5173',
    'http://127.0.0.1',
    'http://127.0.0.1:1234',
    'https://127.0.0.1:8443',
  ]) {
    assert.equal(isOriginAllowed(DEFAULT_ALLOWED_ORIGINS, ok), true, ok);
  }
  for (const bad of [
    'https://evil.example',
    'http://localhost.evil.example',
    'http://127.0.0.2:80',
    'null',
  ]) {
    assert.equal(isOriginAllowed(DEFAULT_ALLOWED_ORIGINS, bad), false, bad);
  }
  assert.equal(isOriginAllowed([], 'http://localhost'), false);
});
