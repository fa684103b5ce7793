// FilePathPolicy against a real temporary directory tree (files, symlinks, traversal attempts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilePathPolicy } from './file-path-policy';
import { checkFetchUrl } from './fetch-policy';

let base: string;

before(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'skit-paths-')));
  mkdirSync(join(base, 'samples/audio'), { recursive: true });
  mkdirSync(join(base, 'secret'));
  mkdirSync(join(base, 'out'));
  writeFileSync(join(base, 'samples/audio/a.wav'), 'x');
  writeFileSync(join(base, 'secret/key.txt'), 'x');
  symlinkSync(join(base, 'secret/key.txt'), join(base, 'samples/link.txt'));
});

after(() => rmSync(base, { recursive: true, force: true }));

const policy = () =>
  new FilePathPolicy({ allowedReadPaths: ['samples/**'], allowedWritePaths: ['out/*.ogg'], baseDir: base });

test('reads inside the allowed tree resolve to the canonical path', () => {
  assert.equal(policy().resolveReadPath('samples/audio/a.wav'), join(base, 'samples/audio/a.wav'));
  assert.equal(policy().resolveReadPath('./samples/audio/../audio/a.wav'), join(base, 'samples/audio/a.wav'));
});

test('reads outside the tree are refused, including via `..` and symlinks', () => {
  assert.throws(
    () => policy().resolveReadPath('samples/../secret/key.txt'),
    (err: Error) =>
      err.message ===
      `Path 'samples/../secret/key.txt' resolves to '${join(base, 'secret/key.txt')}' which is outside allowed ` +
        'directories. Configure security.allowed_file_paths to allow additional paths.',
  );
  assert.throws(() => policy().resolveReadPath('samples/link.txt'), /outside allowed directories/);
});

test('missing files and directories are refused with the reason', () => {
  assert.throws(
    () => policy().resolveReadPath('samples/nope.wav'),
    /^Error: Cannot resolve path 'samples\/nope.wav' \(file may not exist or is not accessible\): /,
  );
  assert.throws(() => policy().resolveReadPath('samples/audio'), /^Error: Path is not a file$/);
});

test('`**` alone allows any existing file', () => {
  const p = new FilePathPolicy({ allowedReadPaths: ['**'], allowedWritePaths: [], baseDir: base });
  assert.equal(p.resolveReadPath('secret/key.txt'), join(base, 'secret/key.txt'));
});

test('absolute patterns work as given', () => {
  const p = new FilePathPolicy({
    allowedReadPaths: [join(base, 'secret/*.txt')],
    allowedWritePaths: [],
    baseDir: base,
  });
  assert.equal(p.resolveReadPath(join(base, 'secret/key.txt')), join(base, 'secret/key.txt'));
  assert.throws(() => p.resolveReadPath('samples/audio/a.wav'), /outside allowed directories/);
});

test('writes: disabled when the list is empty', () => {
  const p = new FilePathPolicy({ allowedReadPaths: [], allowedWritePaths: [], baseDir: base });
  assert.throws(
    () => p.resolveWritePath('out/a.ogg'),
    /^Error: File writes are disabled by configuration \(security.allowed_write_paths is empty\)$/,
  );
});

test('writes: allowed target, refused pattern, `..`, missing parent', () => {
  assert.equal(policy().resolveWritePath('out/new.ogg'), join(base, 'out/new.ogg'));
  assert.throws(
    () => policy().resolveWritePath('out/new.wav'),
    (err: Error) =>
      err.message ===
      `Write path 'out/new.wav' resolves to '${join(base, 'out/new.wav')}' which is outside allowed write paths. ` +
        'Configure security.allowed_write_paths to allow additional paths.',
  );
  assert.throws(() => policy().resolveWritePath('out/../out/x.ogg'), /must not contain '\.\.'/);
  assert.throws(() => policy().resolveWritePath('missing/x.ogg'), /parent directory/);
  assert.throws(() => policy().resolveWritePath('out/'), /has no file name/);
});

test('fetch URLs: scheme and allow-list', () => {
  checkFetchUrl(['*'], 'https://example.com/a');
  checkFetchUrl(['https://api.example.com/*'], 'https://api.example.com/v1/x');
  assert.throws(() => checkFetchUrl(['*'], 'file:///etc/passwd'), /must use http or https/);
  assert.throws(() => checkFetchUrl(['*'], 'not a url'), /Invalid URL/);
  assert.throws(
    () => checkFetchUrl(['https://api.example.com/*'], 'https://evil.example/'),
    /not allowed\. Configure security.allowed_fetch_urls/,
  );
  assert.throws(() => checkFetchUrl([], 'https://example.com/'), /not allowed/);
});
