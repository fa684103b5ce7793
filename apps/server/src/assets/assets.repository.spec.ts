// The assets repository on a real temporary folder: listing filters, describing, create-new writes and the
// outcomes of a delete (the service turns them into 403/404).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileExistsError } from '../common/atomic-file';
import { AssetsRepository } from './assets.repository';

async function* chunks(...texts: string[]): AsyncGenerator<Buffer> {
  for (const text of texts) yield Buffer.from(text);
}

describe('AssetsRepository', () => {
  let root: string;
  let repo: AssetsRepository;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sk-assets-repo-'));
    await mkdir(join(root, 'system'));
    await writeFile(join(root, 'system', 'tone.wav'), Buffer.alloc(8));
    await writeFile(join(root, 'system', 'tone.wav.license'), 'SPDX-License-Identifier: CC0-1.0\n');
    await writeFile(join(root, 'system', '.tone.wav.0123456789ab.skit-tmp'), 'partial');
    repo = new AssetsRepository(root, 'audio');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('lists names without sidecars or temporary files, and none for a missing folder', async () => {
    assert.deepEqual(await repo.names('system'), ['tone.wav']);
    assert.deepEqual(await repo.names('user'), []);
  });

  it('describes a file with its display path and licence', async () => {
    assert.deepEqual(await repo.describe('system', 'tone.wav'), {
      id: 'tone.wav',
      name: 'tone',
      path: 'audio/system/tone.wav',
      format: 'wav',
      size_bytes: 8,
      is_system: true,
      license: 'License: CC0-1.0',
    });
    assert.equal(await repo.describe('user', 'tone.wav'), undefined);
  });

  it('writes new user files only, with a sidecar', async () => {
    const { target, taken } = await repo.newUserFile('new.ogg');
    assert.equal(taken, false);
    await repo.writeNew(target, chunks('OggS'), 100);
    await repo.writeSidecar(target, 'SPDX-License-Identifier: CC0-1.0\n');
    assert.equal((await repo.newUserFile('new.ogg')).taken, true);
    await assert.rejects(repo.writeNew(target, chunks('x'), 100), FileExistsError);
    assert.equal((await repo.describe('user', 'new.ogg'))?.license, 'License: CC0-1.0');
  });

  it('deletes inside user/ only', async () => {
    assert.equal(await repo.deleteUser('../system/tone.wav'), 'outside-user');
    assert.equal(await repo.deleteUser('nope.wav'), 'missing');
    await symlink(join(root, 'system', 'tone.wav'), join(root, 'user', 'link.wav'));
    assert.equal(await repo.deleteUser('link.wav'), 'links-outside');
    assert.equal(await repo.isSystemFile('tone.wav'), true);
    assert.equal(await repo.deleteUser('new.ogg'), 'deleted');
    assert.equal(existsSync(join(root, 'user', 'new.ogg.license')), false);
  });
});
