// Issue #23 finding 6: file readers and writers stay inside their roots through symlinks, planted before the
// check (refused by the policy) or swapped in after it (refused when the file is opened).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Packet } from '../core/packets';
import { fileReaderNode, fileWriterNode } from '../nodes/core/file-io';
import { collectNodeOutputs } from '../testing';
import { FilePathPolicy } from './file-path-policy';
import { openCheckedForRead, openCheckedForWrite } from './safe-open';

let base: string;
const secret = () => join(base, 'secret/key.txt');

before(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'skit-safe-open-')));
  for (const d of ['samples', 'secret', 'out']) mkdirSync(join(base, d));
  writeFileSync(join(base, 'samples/a.bin'), 'sample');
  writeFileSync(secret(), 'KEEP');
});
after(() => rmSync(base, { recursive: true, force: true }));

const policy = () =>
  new FilePathPolicy({ allowedReadPaths: ['samples/**'], allowedWritePaths: ['out/**'], baseDir: base });
const services = () => {
  const p = policy();
  return {
    resolveReadPath: (x: string) => p.resolveReadPath(x),
    resolveWritePath: (x: string) => p.resolveWritePath(x),
  };
};
const bytes = (text: string): Packet => ({ kind: 'binary', data: new TextEncoder().encode(text) });

test('file_writer refuses a planted symlink as the file and as a directory; the target is untouched', async () => {
  symlinkSync(secret(), join(base, 'out/victim.bin'));
  symlinkSync(join(base, 'secret'), join(base, 'out/dir'));
  try {
    for (const [path, reason] of [
      ['out/victim.bin', /is a symbolic link; writes never follow links/],
      ['out/dir/key.txt', /outside allowed write paths/],
    ] as const) {
      await assert.rejects(
        collectNodeOutputs(fileWriterNode, { path }, [bytes('PWNED')], { services: services() }),
        reason,
      );
    }
    assert.equal(readFileSync(secret(), 'utf8'), 'KEEP');
  } finally {
    unlinkSync(join(base, 'out/victim.bin'));
    unlinkSync(join(base, 'out/dir'));
  }
});

test('a symlink swapped in after the check is not followed when the file is opened', async () => {
  const target = policy().resolveWritePath('out/later.bin');
  symlinkSync(secret(), target);
  try {
    await assert.rejects(
      openCheckedForWrite(target),
      /'.*later\.bin' is a symbolic link; it is never followed/,
    );
    assert.equal(readFileSync(secret(), 'utf8'), 'KEEP');
    const canonical = policy().resolveReadPath('samples/a.bin');
    renameSync(canonical, `${canonical}.moved`);
    symlinkSync(secret(), canonical);
    await assert.rejects(openCheckedForRead(canonical), /is a symbolic link; it is never followed/);
    unlinkSync(canonical);
    renameSync(`${canonical}.moved`, canonical);
  } finally {
    unlinkSync(target);
  }
});

test('a parent directory swapped for a symlink after the check is caught on the opened descriptor', async () => {
  mkdirSync(join(base, 'out/sub'));
  const target = policy().resolveWritePath('out/sub/rec.bin');
  rmSync(join(base, 'out/sub'), { recursive: true });
  symlinkSync(join(base, 'secret'), join(base, 'out/sub'));
  try {
    await assert.rejects(openCheckedForWrite(target), /resolved to '.*secret\/rec\.bin' while it was opened/);
    assert.equal(readFileSync(secret(), 'utf8'), 'KEEP');
  } finally {
    unlinkSync(join(base, 'out/sub'));
    rmSync(join(base, 'secret/rec.bin'), { force: true });
  }
});

test('a FIFO is refused at once instead of blocking the open', async () => {
  const fifo = join(base, 'out/pipe.bin');
  execFileSync('mkfifo', [fifo]);
  try {
    await assert.rejects(openCheckedForWrite(fifo), /is a FIFO or socket, not a regular file/);
    await assert.rejects(openCheckedForRead(fifo), /is not a regular file/);
  } finally {
    unlinkSync(fifo);
  }
});

test('ordinary reads and writes still work, and a write replaces the old content', async () => {
  const r = await collectNodeOutputs(fileReaderNode, { path: 'samples/a.bin' }, [], { services: services() });
  assert.equal(
    Buffer.concat(r.packets.map((p) => (p.kind === 'binary' ? p.data : new Uint8Array()))).toString(),
    'sample',
  );
  writeFileSync(join(base, 'out/new.bin'), 'a much longer old content');
  await collectNodeOutputs(fileWriterNode, { path: 'out/new.bin' }, [bytes('fresh')], {
    services: services(),
  });
  assert.equal(readFileSync(join(base, 'out/new.bin'), 'utf8'), 'fresh');
  await collectNodeOutputs(fileWriterNode, { path: 'out/created.bin' }, [bytes('x')], {
    services: services(),
  });
  assert.ok(existsSync(join(base, 'out/created.bin')));
});
