// The `skit` command as a child process: config printing round-trip, precedence of file < env < flag,
// refusal of unsafe binds, type errors and unknown-key warnings, help and version.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { defaultConfig, resolveConfig } from './config';
import { REPO_ROOT, VERSION } from './version';

// `bin/skit.js` loads `<root>/dist`; when this test runs from another build output, use that build's CLI.
const ENTRY = __dirname.startsWith(join(REPO_ROOT, 'dist'))
  ? join(REPO_ROOT, 'bin', 'skit.js')
  : join(__dirname, 'cli.js');

let cwd: string;
before(() => {
  cwd = mkdtempSync(join(tmpdir(), 'skit-cli-'));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

/** An environment without SK_* variables from the outer process. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SK_')) env[k] = v;
  return { ...env, ...extra };
}

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [ENTRY, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Served {
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

/** Starts `skit` and resolves once it logs its URL; rejects with its output if it exits first. */
function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [ENTRY, ...args], {
    cwd,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`skit did not start in time:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Listening on (http:\/\/[^/\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          output: () => output,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`skit exited with ${code}:\n${output}`));
    });
  });
}

describe('skit CLI', () => {
  test('--version and --help', () => {
    const v = run(['--version']);
    assert.equal(v.status, 0);
    assert.equal(v.stdout.trim(), `skit ${VERSION}`);
    const h = run(['--help']);
    assert.equal(h.status, 0);
    assert.match(h.stdout, /skit config default/);
    assert.match(h.stdout, /--address HOST:PORT/);
    const bad = run(['--nope']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /Unknown option --nope/);
  });

  test('`skit config default` parses back to exactly the defaults, and skit.toml is that output', () => {
    const r = run(['config', 'default']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^# Default skit configuration file\n/);
    const loaded = resolveConfig({ file: parse(r.stdout), fileName: 'printed' });
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.config, defaultConfig());
    const committed = readFileSync(join(REPO_ROOT, 'skit.toml'), 'utf8');
    assert.equal(
      committed,
      r.stdout,
      'skit.toml drifted from the schema: regenerate it with `node bin/skit.js config default > skit.toml`',
    );
  });

  test('`skit config schema` prints a JSON Schema', () => {
    const r = run(['config', 'schema']);
    assert.equal(r.status, 0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    assert.deepEqual(Object.keys(schema.properties).slice(0, 3), ['server', 'plugins', 'permissions']);
  });

  test('precedence: defaults < file < SK_ env < --address flag', async () => {
    const file = join(cwd, 'precedence.toml');
    writeFileSync(
      file,
      [
        '[server]',
        'address = "127.0.0.1:1"',
        'moq_gateway_url = "http://from-file/moq"',
        'base_path = "/from-file"',
        '[log]',
        'file_enable = false',
      ].join('\n'),
    );
    const served = await serve(['serve', '--config', file, '--address', '127.0.0.1:0'], {
      SK_SERVER__ADDRESS: '127.0.0.1:2',
      SK_SERVER__MOQ_GATEWAY_URL: 'http://from-env/moq',
    });
    try {
      const port = Number(new URL(served.url).port);
      assert.ok(port !== 1 && port !== 2 && port > 0, `flag address wins (got ${served.url})`);
      const res = await fetch(`${served.url}/api/v1/config`);
      assert.deepEqual(await res.json(), {
        version: VERSION,
        base_path: '/from-file',
        moq_gateway_url: 'http://from-env/moq',
        profiling: false,
      });
      // One log line per request: method, path, status, duration.
      await new Promise((r) => setTimeout(r, 100));
      assert.match(served.output(), /GET \/api\/v1\/config 200 [\d.]+ms/);
    } finally {
      assert.equal(await served.stop(), 0);
    }
  });

  test("StreamKit's `skit -c FILE serve` form; unknown keys are warnings naming the key", async () => {
    const file = join(cwd, 'unknown.toml');
    writeFileSync(file, '[server]\nadress = "127.0.0.1:9"\n[log]\nfile_enable = false\n[bogus]\nx = 1\n');
    const served = await serve(['-c', file, 'serve', '--address', '127.0.0.1:0'], {
      SK_LOG__CONSOLE_FORMAT: 'json',
    });
    try {
      assert.equal((await fetch(`${served.url}/healthz`)).status, 200);
      assert.match(served.output(), /Unknown configuration key 'server\.adress'/);
      assert.match(served.output(), /Unknown configuration key 'bogus'/);
      const line = served
        .output()
        .split('\n')
        .find((l) => l.includes('server.adress'));
      assert.equal((JSON.parse(line ?? '{}') as { level: number }).level, 40);
    } finally {
      await served.stop();
    }
  });

  test('a wrong type stops the server with exit 1 and names the key', () => {
    const file = join(cwd, 'wrong.toml');
    writeFileSync(file, '[server]\nmax_body_size = "big"\n');
    const r = run(['serve', '--config', file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Failed to load configuration: .*'server\.max_body_size' must be an integer/);

    const env = run(['serve', '--config', join(cwd, 'unknown.toml')], { SK_SERVER__TLS: 'maybe' });
    assert.equal(env.status, 1);
    assert.match(env.stderr, /SK_SERVER__TLS='maybe' must be true or false for 'server\.tls'/);

    const missing = run(['serve', '--config', join(cwd, 'nope.toml')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.toml does not exist/);
  });

  test('binding 0.0.0.0 without a role header is refused with the reason', () => {
    const r = run(['serve', '--address', '0.0.0.0:0'], { SK_LOG__FILE_ENABLE: 'false' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Refusing to bind non-loopback address 0\.0\.0\.0:0/);
    assert.match(r.stderr, /permissions\.role_header/);
    assert.match(r.stderr, /permissions\.allow_insecure_no_auth/);
  });

  test('0.0.0.0 is accepted with allow_insecure_no_auth (warning) or with a role header', async () => {
    const served = await serve(['--address', '0.0.0.0:0'], {
      SK_LOG__FILE_ENABLE: 'false',
      SK_PERMISSIONS__ALLOW_INSECURE_NO_AUTH: 'true',
    });
    try {
      assert.match(served.output(), /allow_insecure_no_auth = true/);
      const port = new URL(served.url).port;
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    } finally {
      await served.stop();
    }
  });
});
