// Glob semantics used by permission allow-lists (StreamKit's `glob::Pattern` with default options).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globMatch, matchesAny } from './glob';

test('`*` crosses `::` and `/`', () => {
  assert.equal(globMatch('audio::opus::*', 'audio::opus::encoder'), true);
  assert.equal(globMatch('audio::opus::*', 'audio::opus::decoder'), true);
  assert.equal(globMatch('audio::*', 'audio::opus::encoder'), true);
  assert.equal(globMatch('transport::moq::*', 'transport::moq::peer'), true);
  assert.equal(globMatch('plugin::native::audio*', 'plugin::native::audio_effect'), true);
  assert.equal(globMatch('samples/audio/system/*', 'samples/audio/system/nested/a.wav'), true);
  assert.equal(globMatch('core::*', 'containers::ogg::muxer'), false);
});

test('sample allow-list patterns', () => {
  assert.equal(globMatch('demo/*.yml', 'demo/x.yml'), true);
  assert.equal(globMatch('demo/*.yml', 'custom/other.yml'), false);
  assert.equal(globMatch('oneshot/*.yml', 'oneshot/x.yaml'), false);
});

test('matching is case-sensitive and anchored', () => {
  assert.equal(globMatch('core::sink', 'core::Sink'), false);
  assert.equal(globMatch('core::sink', 'core::sink2'), false);
  assert.equal(globMatch('core::sink', 'xcore::sink'), false);
});

test('`?` and character classes', () => {
  assert.equal(globMatch('a?c', 'abc'), true);
  assert.equal(globMatch('a?c', 'ac'), false);
  assert.equal(globMatch('file[0-9].wav', 'file7.wav'), true);
  assert.equal(globMatch('file[0-9].wav', 'filex.wav'), false);
  assert.equal(globMatch('file[!0-9].wav', 'filex.wav'), true);
  assert.equal(globMatch('file[!0-9].wav', 'file1.wav'), false);
  assert.equal(globMatch('[]]x', ']x'), true);
  assert.equal(globMatch('a[*]b', 'a*b'), true);
  assert.equal(globMatch('a[*]b', 'axb'), false);
});

test('`**` as a whole component matches zero or more directories', () => {
  assert.equal(globMatch('samples/**', 'samples/audio/system/a.wav'), true);
  assert.equal(globMatch('/srv/**/x.yml', '/srv/x.yml'), true);
  assert.equal(globMatch('/srv/**/x.yml', '/srv/a/b/x.yml'), true);
  assert.equal(globMatch('**/x.yml', 'a/b/x.yml'), true);
  assert.equal(globMatch('**', 'anything/at/all'), true);
});

test('invalid patterns never match', () => {
  assert.equal(globMatch('a**', 'a'), false);
  assert.equal(globMatch('**a', 'xa'), false);
  assert.equal(globMatch('a/**b', 'a/b'), false);
  assert.equal(globMatch('[abc', '[abc'), false);
  assert.equal(globMatch('abc]', 'abc]'), false);
  assert.equal(globMatch('[z-a]', 'm'), false);
});

test('regex metacharacters are literal', () => {
  assert.equal(globMatch('a.b', 'axb'), false);
  assert.equal(globMatch('a.b', 'a.b'), true);
  assert.equal(globMatch('(x)+', '(x)+'), true);
});

test('lists: empty denies, `*` allows', () => {
  assert.equal(matchesAny([], 'core::sink'), false);
  assert.equal(matchesAny(['*'], 'plugin::native::whisper'), true);
  assert.equal(matchesAny(['plugin::*'], 'plugin::native::whisper'), true);
  assert.equal(matchesAny(['audio::*', 'core::sink'], 'core::sink'), true);
});
