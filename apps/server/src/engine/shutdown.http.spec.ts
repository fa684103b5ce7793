// Graceful shutdown through `npm start`: SIGTERM reaches the server the wrapper started, a oneshot run in
// flight gets `[engine].shutdown_drain_ms` and is then cancelled, sessions and workers end, the process exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { PACED_ONESHOT, REPO, SPEECH, freePort } from '../testing/fixtures';

it('SIGTERM to `npm start` drains, then ends the server it started', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'skit-shutdown-'));
  const config = join(dir, 'skit.toml');
  writeFileSync(
    config,
    '[log]\nfile_enable = false\nconsole_level = "info"\n\n[engine]\nworkers = 2\nshutdown_drain_ms = 500\n',
  );
  const npm = spawn('npm', ['start', '--silent', '--', '-c', config, '--address', `127.0.0.1:${port}`], {
    cwd: REPO,
    env: { ...process.env, SKIT_START_NO_BUILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (b: Buffer) => (output += b.toString()));
  npm.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      assert.equal(npm.exitCode, null, `npm start exited early:\n${output}`);
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      assert.ok(Date.now() < deadline, `the server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const fd = new FormData();
    fd.append('config', PACED_ONESHOT);
    fd.append('media', new Blob([readFileSync(SPEECH)], { type: 'audio/ogg' }));
    const res = await fetch(`${url}/api/v1/process`, { method: 'POST', body: fd });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    assert.ok(!(await reader.read()).done, 'the paced run streams');

    const t0 = Date.now();
    npm.kill('SIGTERM');
    // The paced run (16 s of speech) is cut after the 500 ms drain: its response aborts, never ends cleanly.
    const body = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })().catch(() => 'aborted');
    assert.equal(await body, 'aborted');
    const code = await exited;
    const took = Date.now() - t0;
    assert.equal(code, 0, output);
    assert.ok(took < 8000, `shut down in ${took} ms`);
    assert.match(output, /SIGTERM received, shutting down/);
    const after = await fetch(`${url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    assert.equal(after, 'refused', 'nothing listens any more (no orphaned server)');
  } finally {
    if (npm.exitCode === null) npm.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
