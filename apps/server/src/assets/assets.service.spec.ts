import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { statusOf as status } from '../testing/http-status';
import { BUILTIN_ROLES } from '../config';
import { ResolvedCaller } from '../permissions';
import { AssetCaller, AssetsService } from './assets.service';

const admin: AssetCaller = new ResolvedCaller('admin', BUILTIN_ROLES.admin);

describe('AssetsService', () => {
  let root: string;
  let svc: AssetsService;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sk-assets-'));
    await mkdir(join(root, 'system'));
    await writeFile(join(root, 'system', 'bell_tone.wav'), Buffer.alloc(44));
    await writeFile(
      join(root, 'system', 'bell_tone.wav.license'),
      'SPDX-FileCopyrightText: © 2026 Someone: extra\nSPDX-License-Identifier: CC0-1.0\n',
    );
    await writeFile(join(root, 'system', 'readme.txt'), 'skip me');
    svc = new AssetsService(root, 'samples/audio', 1000);
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('lists system assets with licence and display name', async () => {
    const list = await svc.list(admin);
    assert.deepEqual(list, [
      {
        id: 'bell_tone.wav',
        name: 'bell tone',
        path: 'samples/audio/system/bell_tone.wav',
        format: 'wav',
        size_bytes: 44,
        license: 'Copyright: © 2026 Someone\nLicense: CC0-1.0',
        is_system: true,
      },
    ]);
    assert.equal((await svc.list({ ...admin, canSeeAsset: () => false })).length, 0);
  });

  it('uploads with a sanitised name, refuses clashes, formats and oversize files', async () => {
    const asset = await svc.upload(admin, 'my voice (1).ogg', Readable.from([Buffer.from('OggS....')]));
    assert.equal(asset.id, 'my_voice__1_.ogg');
    assert.equal(asset.is_system, false);
    assert.match(asset.license ?? '', /CC0-1.0/);
    assert.equal(await status(svc.upload(admin, 'my voice (1).ogg', Readable.from([Buffer.from('x')]))), 409);
    assert.equal(await status(svc.upload(admin, 'evil.exe', Readable.from([Buffer.from('x')]))), 400);
    const wavHead = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')]);
    assert.equal(
      await status(
        svc.upload(admin, 'big.wav', Readable.from([wavHead, Buffer.alloc(600), Buffer.alloc(600)])),
      ),
      413,
    );
    assert.equal(existsSync(join(root, 'user', 'big.wav')), false, 'partial upload removed');
    assert.equal(await status(svc.upload(admin, 'noise.wav', Readable.from([Buffer.alloc(600)]))), 422);
    assert.equal(await status(svc.upload(admin, 'ogg.flac', Readable.from([Buffer.from('OggS....')]))), 422);
    assert.equal(existsSync(join(root, 'user', 'noise.wav')), false, 'refused upload left nothing');
    const noUpload = new ResolvedCaller('user', { ...BUILTIN_ROLES.admin, upload_assets: false });
    assert.equal(await status(svc.upload(noUpload, 'a.wav', Readable.from([Buffer.from('x')]))), 403);
  });

  it('deletes user assets only and resists traversal', async () => {
    assert.equal(await status(svc.delete(admin, 'bell_tone.wav')), 403);
    assert.equal(await status(svc.delete(admin, '../system/bell_tone.wav')), 403);
    await symlink(join(root, 'system', 'bell_tone.wav'), join(root, 'user', 'link.wav'));
    assert.equal(await status(svc.delete(admin, 'link.wav')), 403);
    assert.equal(await status(svc.delete(admin, 'nope.wav')), 404);
    assert.equal(await status(svc.delete(admin, 'my_voice__1_.ogg')), 200);
    assert.equal(existsSync(join(root, 'user', 'my_voice__1_.ogg.license')), false);
  });
});
