// Issue 16: the `skit` client commands, run as child processes (`node bin/skit.js ...` on the built dist/)
// against a real server started here: every command at least once, JSON output, progress on stderr, the
// interactive shell, and the error paths (server down, refused role, usage).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AssetsService } from '../assets/assets.service';
import { startTestServer, type TestServer } from '../testing/test-server';

const ROOT = resolve(__dirname, '../../../../..');
const SKIT = join(ROOT, 'bin', 'skit.js');
const SPEECH = join(ROOT, 'samples/audio/system/speech_en_48k_stereo.opus.ogg');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function skit(args: string[], input?: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [SKIT, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function ok(run: Run, what: string): Run {
  assert.equal(run.code, 0, `${what}: exit ${run.code}\n${run.stderr}`);
  return run;
}

const DYNAMIC = `mode: dynamic
nodes:
  reader:
    kind: core::file_reader
    params:
      path: samples/audio/system/music_60s_stereo.opus.ogg
  demux:
    kind: containers::ogg::demuxer
    needs: reader
  pacer:
    kind: core::pacer
    needs: demux
  dec:
    kind: audio::opus::decoder
    needs: pacer
  vol:
    kind: audio::gain
    params:
      gain: 1.0
    needs: dec
`;

describe('skit client commands', () => {
  let server: TestServer;
  let s: string[];
  let dir: string;

  before(async () => {
    server = await startTestServer({
      tempDirs: true,
      config: {
        permissions: {
          role_header: 'x-role',
          roles: { viewer: { list_sessions: true, list_nodes: true, allowed_nodes: ['*'] } },
        },
      },
    });
    s = ['--server', server.url];
    dir = server.tempDir!;
    const audio = join(dir, 'audio');
    mkdirSync(join(audio, 'system'), { recursive: true });
    Object.assign(server.app.get(AssetsService), new AssetsService(audio));
    writeFileSync(join(dir, 'dynamic.yml'), DYNAMIC);
  });
  after(() => server.close());

  it('permissions, schema and a session from create to destroy (list, pipeline, tune, watch)', async () => {
    const perms = JSON.parse(ok(await skit(['permissions', '--json', ...s]), 'permissions').stdout);
    assert.equal(perms.role, 'admin');
    const nodes = JSON.parse(ok(await skit(['schema', 'nodes', ...s]), 'schema nodes').stdout);
    assert.ok(nodes.some((n: { kind: string }) => n.kind === 'audio::gain'));
    const packets = JSON.parse(
      ok(await skit(['-s', server.url, 'schema', 'packets']), 'schema packets').stdout,
    );
    assert.ok(Array.isArray(packets) && packets.length > 0);

    const created = ok(await skit(['create', join(dir, 'dynamic.yml'), '-n', 'cli room', ...s]), 'create');
    assert.match(created.stdout, /Session created: cli room \(/);
    const listed = ok(await skit(['list', ...s]), 'list').stdout;
    assert.match(listed, /^NAME +SESSION ID/);
    assert.match(listed, /cli room/);
    const sessions = JSON.parse(ok(await skit(['list', '--json', ...s]), 'list --json').stdout);
    const id = sessions.find((x: { name: string }) => x.name === 'cli room').id as string;

    // watch by name (events carry ids): the first event of that session ends it (--count 1).
    const watcher = spawn(process.execPath, [SKIT, 'watch', 'cli room', '--count', '1', ...s], { cwd: ROOT });
    let watched = '';
    let watchErr = '';
    watcher.stdout.on('data', (c: Buffer) => (watched += c.toString()));
    watcher.stderr.on('data', (c: Buffer) => (watchErr += c.toString()));
    const exited = new Promise<number>((r) => watcher.on('exit', (code) => r(code ?? -1)));
    const deadline = Date.now() + 20_000;
    while (!watchErr.includes('Watching events')) {
      assert.ok(Date.now() < deadline, `watch did not start: ${watchErr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const tuned = ok(await skit(['tune', 'cli room', 'vol', 'gain', '0.5', ...s]), 'tune');
    assert.match(tuned.stdout, /vol -> gain: 0.5/);
    const code = await exited;
    assert.equal(code, 0, watchErr);
    const event = JSON.parse(watched.trim().split('\n')[0]);
    assert.equal(event.type, 'event');
    assert.equal(event.payload.session_id, id);

    const pipeline = JSON.parse(ok(await skit(['pipeline', 'cli room', ...s]), 'pipeline').stdout);
    assert.deepEqual(pipeline.nodes.vol.params, { gain: 0.5 });
    const destroyed = JSON.parse(ok(await skit(['destroy', 'cli room', '--json', ...s]), 'destroy').stdout);
    assert.deepEqual(destroyed, { session_id: id });
    assert.match(ok(await skit(['list', ...s]), 'list').stdout, /No active sessions found/);
  });

  it('oneshot streams the result to a file with upload and download progress on stderr', async () => {
    const out = join(dir, 'louder.ogg');
    const run = ok(
      await skit(['oneshot', join(ROOT, 'samples/pipelines/oneshot/double_volume.yml'), SPEECH, out, ...s]),
      'oneshot',
    );
    assert.match(run.stderr, /Uploading speech_en_48k_stereo\.opus\.ogg: 100% .* done/);
    assert.match(run.stderr, /Downloading to .*louder\.ogg: .* done/);
    assert.match(run.stdout, /Oneshot completed/);
    const bytes = readFileSync(out);
    assert.equal(bytes.subarray(0, 4).toString(), 'OggS');
    assert.ok(statSync(out).size > 10_000);
    const missing = await skit(['oneshot', 'nope.yml', SPEECH, out, ...s]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Pipeline file not found: nope\.yml/);
  });

  it('samples, assets and plugins', async () => {
    const yaml = join(dir, 'sample.yml');
    writeFileSync(yaml, readFileSync(join(ROOT, 'samples/pipelines/oneshot/double_volume.yml')));
    const saved = JSON.parse(
      ok(await skit(['samples', 'save', 'Cli Sample', 'from the CLI', yaml, ...s]), 'samples save').stdout,
    );
    const listed = JSON.parse(
      ok(await skit(['samples', 'list-oneshot', ...s]), 'samples list-oneshot').stdout,
    );
    assert.ok(listed.some((x: { id: string }) => x.id === saved.id));
    ok(await skit(['samples', 'list-dynamic', ...s]), 'samples list-dynamic');
    const got = ok(await skit(['samples', 'get', saved.id, '--yaml', ...s]), 'samples get');
    assert.match(got.stdout, /audio::gain/);
    assert.match(
      ok(await skit(['samples', 'delete', saved.id, ...s]), 'samples delete').stdout,
      /Deleted sample/,
    );

    const uploaded = ok(await skit(['assets', 'upload', SPEECH, ...s]), 'assets upload');
    const asset = JSON.parse(uploaded.stdout);
    assert.match(uploaded.stderr, /Uploading .*100%/);
    const assets = JSON.parse(ok(await skit(['assets', 'list', ...s]), 'assets list').stdout);
    assert.ok(assets.some((a: { id: string }) => a.id === asset.id));
    assert.match(
      ok(await skit(['assets', 'delete', asset.id, ...s]), 'assets delete').stdout,
      /Deleted audio asset/,
    );

    assert.deepEqual(JSON.parse(ok(await skit(['plugins', 'list', ...s]), 'plugins list').stdout), []);
    // HTTP plugin management is off by default: the server's refusal is the message, exit 1.
    const refused = await skit(['plugins', 'upload', SPEECH, ...s]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^Error: Server returned 403 Forbidden: Plugin uploads are disabled/m);
  });

  it('the interactive shell runs commands from stdin', async () => {
    const run = ok(
      await skit(
        ['shell', ...s],
        `help\ncreate ${join(dir, 'dynamic.yml')} --name "shell room"\nlist\nbogus\ndestroy 'shell room'\nexit\n`,
      ),
      'shell',
    );
    assert.match(run.stdout, /StreamKit shell/);
    assert.match(run.stdout, /tune SESSION NODE PARAM VALUE/);
    assert.match(run.stdout, /Session created: shell room/);
    assert.match(run.stdout, /shell room +[0-9a-f-]{36}/);
    assert.match(run.stdout, /Session 'shell room' destroyed/);
    assert.match(run.stderr, /Unknown command: bogus/);
  });

  it('error paths: server down, refused role, usage', async () => {
    const down = await skit(['list', '--server', 'http://127.0.0.1:9']);
    assert.equal(down.code, 3);
    assert.match(down.stderr, /Cannot reach the server at http:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/);
    const downHttp = await skit(['permissions', '--server', 'http://127.0.0.1:9']);
    assert.equal(downHttp.code, 3);

    const ghost = await skit(['list', '--role', 'ghost', ...s]);
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /Server returned 403.*Role header 'x-role' names unknown role 'ghost'/);
    const viewer = await skit(['create', join(dir, 'dynamic.yml'), ...s], undefined, { SKIT_ROLE: 'viewer' });
    assert.equal(viewer.code, 1);
    assert.match(viewer.stderr, /Server returned 403 Forbidden: Permission denied: cannot create sessions/);
    const viewerWs = await skit(['destroy', 'nothing', '--role', 'viewer', ...s]);
    assert.equal(viewerWs.code, 1);
    assert.match(viewerWs.stderr, /Permission denied: cannot destroy sessions/);

    const usage = await skit(['tune', 'a', ...s]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: skit tune SESSION NODE PARAM VALUE/);
    assert.equal((await skit(['list', '--bogus'])).code, 2);
    assert.equal((await skit(['samples', 'frobnicate', ...s])).code, 2);
  });
});
