// The one atomic-write helper: nothing half-written under a final name, never through a symlink, temporary
// files swept, and reads confined to a root after symlinks are resolved.
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  FileExistsError,
  FileTooLargeError,
  isTempFile,
  realPathInside,
  streamToFileAtomic,
  sweepTempFiles,
  tempPathFor,
  writableDirInside,
  writeFileAtomic,
  OutsideRootError,
} from './atomic-file';

describe('atomic files', () => {
  let root: string;
  let outside: string;
  before(() => {
    const base = mkdtempSync(join(tmpdir(), 'skit-atomic-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
  });
  after(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('replaces a file atomically and leaves no temporary file', async () => {
    const target = join(root, 'a.yml');
    await writeFileAtomic(target, 'one');
    await writeFileAtomic(target, 'two');
    assert.equal(readFileSync(target, 'utf8'), 'two');
    assert.deepEqual(readdirSync(root), ['a.yml']);
  });

  it('exclusive writes refuse an existing name, a planted symlink included', async () => {
    const target = join(root, 'b.wav');
    await writeFileAtomic(target, 'first', { exclusive: true });
    await assert.rejects(writeFileAtomic(target, 'second', { exclusive: true }), FileExistsError);
    writeFileSync(join(outside, 'victim'), 'untouched');
    symlinkSync(join(outside, 'victim'), join(root, 'c.wav'));
    await assert.rejects(writeFileAtomic(join(root, 'c.wav'), 'x', { exclusive: true }), FileExistsError);
    assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'untouched');
    assert.equal(readFileSync(target, 'utf8'), 'first');
  });

  it('replacing never writes through a symlink: the link itself is replaced', async () => {
    writeFileSync(join(outside, 'victim2'), 'untouched');
    symlinkSync(join(outside, 'victim2'), join(root, 'd.yml'));
    await writeFileAtomic(join(root, 'd.yml'), 'mine');
    assert.equal(readFileSync(join(outside, 'victim2'), 'utf8'), 'untouched');
    assert.equal(lstatSync(join(root, 'd.yml')).isSymbolicLink(), false);
    assert.equal(readFileSync(join(root, 'd.yml'), 'utf8'), 'mine');
  });

  it('a source that fails or grows past the cap leaves nothing behind', async () => {
    async function* cut() {
      yield Buffer.from('partial');
      throw new Error('client went away');
    }
    await assert.rejects(
      streamToFileAtomic(join(root, 'e.wav'), cut(), { maxBytes: 100 }),
      /client went away/,
    );
    await assert.rejects(
      streamToFileAtomic(join(root, 'f.wav'), [Buffer.alloc(60), Buffer.alloc(60)], { maxBytes: 100 }),
      FileTooLargeError,
    );
    assert.equal(existsSync(join(root, 'e.wav')), false);
    assert.equal(existsSync(join(root, 'f.wav')), false);
    assert.deepEqual(readdirSync(root).filter(isTempFile), []);
  });

  it('sweeps temporary files (ours and the legacy `.tmp` of sample saves) and nothing else', async () => {
    const dir = join(root, 'sweep');
    mkdirSync(dir);
    writeFileSync(tempPathFor(join(dir, 'x.yml')), 'half');
    writeFileSync(join(dir, '.x.yml.0123456789ab.tmp'), 'half');
    writeFileSync(join(dir, 'keep.yml'), 'kept');
    writeFileSync(join(dir, 'keep.tmp'), 'kept');
    assert.equal(await sweepTempFiles(dir), 2);
    assert.deepEqual(readdirSync(dir).sort(), ['keep.tmp', 'keep.yml']);
    assert.equal(await sweepTempFiles(join(root, 'missing')), 0);
  });

  it('confines paths to a root after resolving symlinks', async () => {
    writeFileSync(join(outside, 'secret'), 's');
    symlinkSync(join(outside, 'secret'), join(root, 'leak'));
    symlinkSync(join(root, 'a.yml'), join(root, 'inside'));
    assert.equal(await realPathInside(root, join(root, 'leak')), undefined);
    assert.equal(await realPathInside(root, join(root, 'nope')), undefined);
    assert.ok((await realPathInside(root, join(root, 'inside')))?.endsWith('a.yml'));
    symlinkSync(outside, join(root, 'out-dir'));
    await assert.rejects(writableDirInside(root, join(root, 'out-dir')), OutsideRootError);
  });
});
