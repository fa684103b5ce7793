import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { statusOf as status } from '../testing/http-status';
import { BUILTIN_ROLES } from '../config';
import { ResolvedCaller } from '../permissions';
import { SampleCaller, SamplesService, nameFromFile, sanitizeName } from './samples.service';
import { SamplesRepository } from './samples.repository';

const all: SampleCaller = new ResolvedCaller('admin', BUILTIN_ROLES.admin);


describe('SamplesService', () => {
  let root: string;
  let svc: SamplesService;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sk-samples-'));
    await mkdir(join(root, 'oneshot'));
    await mkdir(join(root, 'dynamic'));
    await writeFile(
      join(root, 'oneshot', 'double_volume.yml'),
      'name: Double Volume\ndescription: Twice as loud\nmode: oneshot\nsteps:\n  - kind: core::passthrough\n',
    );
    await writeFile(join(root, 'dynamic', 'live_gain.yml'), 'mode: dynamic\nsteps:\n  - kind: audio::gain\n');
    await writeFile(join(root, 'dynamic', 'notes.txt'), 'not a sample');
    svc = new SamplesService(new SamplesRepository(root));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('lists by YAML mode and derives names from file names', async () => {
    const oneshot = await svc.list(all, 'oneshot');
    assert.deepEqual(
      oneshot.map((s) => [s.id, s.name, s.is_system, s.is_fragment]),
      [['oneshot/double_volume', 'Double Volume', true, false]],
    );
    const dynamic = await svc.list(all, 'dynamic');
    assert.deepEqual(
      dynamic.map((s) => [s.id, s.name, s.is_fragment]),
      [['dynamic/live_gain', 'Live Gain', true]],
    );
  });

  it('filters by allowed_samples and refuses without the flag', async () => {
    const limited: SampleCaller = new ResolvedCaller('user', {
      ...BUILTIN_ROLES.admin,
      allowed_samples: ['dynamic/*'],
    });
    assert.equal((await svc.list(limited, 'oneshot')).length, 0);
    assert.equal(await status(svc.get(limited, 'oneshot/double_volume')), 403);
    const none: SampleCaller = new ResolvedCaller('user', { ...BUILTIN_ROLES.admin, list_samples: false });
    assert.equal(await status(svc.list(none, 'oneshot')), 403);
  });

  it('fetches by id, by legacy bare name, and rejects traversal', async () => {
    assert.equal((await svc.get(all, 'oneshot/double_volume')).mode, 'oneshot');
    assert.equal((await svc.get(all, 'live_gain')).id, 'dynamic/live_gain');
    assert.equal(await status(svc.get(all, 'oneshot/../../etc/passwd')), 400);
    assert.equal(await status(svc.get(all, 'elsewhere/x')), 404);
    assert.equal(await status(svc.get(all, 'oneshot/missing')), 404);
  });

  it('saves atomically into user/, keeps comments, 409 without overwrite', async () => {
    const yaml = '# my comment\nmode: oneshot\nsteps:\n  - kind: core::passthrough # inline\n';
    const saved = await svc.save(all, { name: 'My Pipeline!', description: 'mine', yaml });
    assert.equal(saved.id, 'user/my_pipeline');
    assert.equal(saved.yaml, yaml);
    assert.equal(saved.is_system, false);
    const text = await readFile(join(root, 'user', 'my_pipeline.yml'), 'utf8');
    assert.match(text, /# my comment/);
    assert.match(text, /# inline/);
    assert.match(text, /name: My Pipeline!/);
    assert.deepEqual(
      (await readdir(join(root, 'user'))).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary files left',
    );
    assert.equal(await status(svc.save(all, { name: 'my pipeline', description: 'x', yaml })), 409);
    assert.equal(await status(svc.save(all, { name: 'my pipeline', description: 'x', yaml, overwrite: true })), 200);
    assert.equal(await status(svc.save(all, { name: 'bad', description: 'x', yaml: 'a: [1,' })), 400);
    assert.equal(
      await status(svc.save(all, { name: 'huge', description: 'x', yaml: `# ${'x'.repeat(1024 * 1024)}` })),
      413,
    );
  });

  it('stores fragments verbatim and lists them as fragments', async () => {
    const yaml = 'nodes:\n  g:\n    kind: audio::gain\n';
    await svc.save(all, { name: 'gain frag', description: 'tags:a|frag', yaml, is_fragment: true });
    assert.equal(await readFile(join(root, 'user', 'gain_frag.yml'), 'utf8'), yaml);
    const listed = (await svc.list(all, 'dynamic')).find((s) => s.id === 'user/gain_frag');
    assert.equal(listed?.is_fragment, true);
  });

  it('deletes user samples only', async () => {
    assert.equal(await status(svc.delete(all, 'oneshot/double_volume')), 403);
    assert.equal(await status(svc.delete(all, 'user/gain_frag')), 200);
    assert.equal(await status(svc.delete(all, 'user/gain_frag')), 404);
  });

  // Issue #23 finding 5: an alias bomb is refused before it is written, and one already on disk does not
  // break the listings.
  it('refuses an alias bomb at save (400, nothing written); a planted one still lists by file name', async () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++) bomb += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    assert.equal(await status(svc.save(all, { name: 'bomb', description: 'x', yaml: bomb })), 400);
    assert.ok(!(await readdir(join(root, 'user'))).some((n) => n.startsWith('bomb')), 'nothing written');
    await writeFile(join(root, 'user', 'planted_bomb.yml'), bomb);
    try {
      const listed = (await svc.list(all, 'dynamic')).find((s) => s.id === 'user/planted_bomb');
      assert.equal(listed?.name, 'Planted Bomb');
      assert.equal((await svc.list(all, 'oneshot')).length > 0, true);
    } finally {
      await rm(join(root, 'user', 'planted_bomb.yml'));
    }
  });

  it('name helpers follow StreamKit', () => {
    assert.equal(sanitizeName('  Hello World/..  '), 'hello_world');
    assert.equal(nameFromFile('double_volume.yml'), 'Double Volume');
  });
});
