// Integration tests against the real server started in-process (Fastify on an ephemeral port): health,
// config, permissions, origin guard, CORS, plain-text errors, static UI with SPA fallback, base path.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  Inject,
  Module,
  NotImplementedException,
  Post,
} from '@nestjs/common';
import type { NodeServices } from '@streamkit/pipeline';
import { SCRIPT_SERVICES_KEY } from '@streamkit/pipeline/nodes/script';
import { TooManyRequestsException } from './common/errors';
import { NODE_SERVICES } from './common/node-services';
import { PERMISSION_FLAGS } from './config';
import { Caller, RequirePermission } from './permissions';
import { startTestServer, type TestServer } from './testing/test-server';
import { REPO_ROOT, VERSION } from './version';

const TEXT = 'text/plain; charset=utf-8';

@Controller('api/v1/test')
class ProbeController {
  constructor(@Inject(NODE_SERVICES) private readonly services: NodeServices) {}

  @Get('conflict')
  conflict(): never {
    throw new ConflictException("Session with name 'x' already exists");
  }
  @Get('limit')
  limit(): never {
    throw new TooManyRequestsException('Maximum concurrent sessions limit reached');
  }
  @Get('bad')
  bad(): never {
    throw new BadRequestException('Invalid YAML: oops');
  }
  @Get('todo')
  todo(): never {
    throw new NotImplementedException('Profiling feature not enabled');
  }
  @Get('crash')
  crash(): never {
    throw new Error('secret internal detail');
  }
  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }
  @Post('plugins')
  @RequirePermission('load_plugins')
  load(@Caller() caller: Caller): { role: string } {
    return { role: caller.role };
  }
  @Post('oneshot')
  @RequirePermission('create_sessions', 'Permission denied: cannot execute oneshot pipelines')
  oneshot(): string {
    return 'ok';
  }
  @Get('caller')
  caller(@Caller() caller: Caller): Record<string, boolean | string> {
    return {
      role: caller.role,
      node: caller.canUseNode('audio::gain'),
      writer: caller.canUseNode('core::file_writer'),
      plugin: caller.canUseNode('plugin::native::whisper'),
      sample: caller.canSeeSample('oneshot/mix.yml'),
      demo: caller.canSeeSample('demo/x.yml'),
      asset: caller.canSeeAsset('samples/audio/user/a.wav'),
    };
  }
  @Get('write')
  write(): string {
    try {
      this.services.resolveWritePath?.('out.ogg');
      return 'allowed';
    } catch (err) {
      return (err as Error).message;
    }
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('server (in-process)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      config: {
        server: { moq_gateway_url: 'http://127.0.0.1:4545/moq' },
        script: {
          secrets: { api: { env: 'TEST_API_KEY', allowed_fetch_urls: ['https://api.example.com/*'] } },
        },
        permissions: {
          role_header: 'X-Role',
          roles: { viewer: { list_sessions: true, allowed_nodes: ['audio::*'] } },
        },
      },
      env: { SK_ROLE: 'user', TEST_API_KEY: 'k-123' },
      modules: [ProbeModule],
    });
  });
  after(() => server.close());

  test('GET /healthz and /health report ok and the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
    for (const path of ['/healthz', '/health']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok', version: pkg.version });
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    }
  });

  test('GET /api/v1/config gives the UI its boot values', async () => {
    const res = await fetch(`${server.url}/api/v1/config`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      version: VERSION,
      moq_gateway_url: 'http://127.0.0.1:4545/moq',
      profiling: false,
    });
  });

  test('GET /api/v1/permissions resolves the role from the header, then SK_ROLE', async () => {
    const get = async (role?: string) => {
      const res = await fetch(`${server.url}/api/v1/permissions`, {
        headers: role ? { 'x-role': role } : {},
      });
      assert.equal(res.status, 200);
      return (await res.json()) as { role: string; permissions: Record<string, boolean> };
    };
    const admin = await get('admin');
    assert.equal(admin.role, 'admin');
    assert.deepEqual(Object.keys(admin.permissions), [...PERMISSION_FLAGS]);
    assert.ok(Object.values(admin.permissions).every((v) => v === true));

    const user = await get('user');
    assert.equal(user.role, 'user');
    assert.equal(user.permissions.create_sessions, true);
    assert.equal(user.permissions.load_plugins, false);
    assert.equal(user.permissions.delete_plugins, false);
    assert.equal(user.permissions.access_all_sessions, false);

    const viewer = await get('viewer');
    assert.deepEqual(
      Object.entries(viewer.permissions)
        .filter(([, v]) => v)
        .map(([k]) => k),
      ['list_sessions'],
    );

    // Unknown role: refused, never mapped to the default role's grants (issue 23).
    const ghost = await fetch(`${server.url}/api/v1/permissions`, { headers: { 'x-role': 'ghost' } });
    assert.equal(ghost.status, 403);
    assert.equal(
      await ghost.text(),
      "Role header 'x-role' names unknown role 'ghost' (role names are matched exactly, case included)",
    );

    // No header: SK_ROLE from the (test) environment.
    assert.equal((await get()).role, 'user');
  });

  test('@RequirePermission and @Caller', async () => {
    const asUser = { 'x-role': 'user', 'content-type': 'application/json' };
    const denied = await fetch(`${server.url}/api/v1/test/plugins`, {
      method: 'POST',
      headers: asUser,
      body: '{}',
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get('content-type'), TEXT);
    assert.equal(await denied.text(), 'Permission denied: cannot load plugins');

    const allowed = await fetch(`${server.url}/api/v1/test/plugins`, {
      method: 'POST',
      headers: { 'x-role': 'admin' },
    });
    assert.equal(allowed.status, 201);
    assert.deepEqual(await allowed.json(), { role: 'admin' });

    const custom = await fetch(`${server.url}/api/v1/test/oneshot`, {
      method: 'POST',
      headers: { 'x-role': 'viewer' },
    });
    assert.equal(custom.status, 403);
    assert.equal(await custom.text(), 'Permission denied: cannot execute oneshot pipelines');

    const user = await (
      await fetch(`${server.url}/api/v1/test/caller`, { headers: { 'x-role': 'user' } })
    ).json();
    assert.deepEqual(user, {
      role: 'user',
      node: true,
      writer: false,
      plugin: true,
      sample: true,
      demo: false,
      asset: true,
    });
    const viewer = await (
      await fetch(`${server.url}/api/v1/test/caller`, { headers: { 'x-role': 'viewer' } })
    ).json();
    assert.deepEqual(viewer, {
      role: 'viewer',
      node: true,
      writer: false,
      plugin: false,
      sample: false,
      demo: false,
      asset: false,
    });
  });

  test('a foreign Origin is refused on mutating API calls, before the body is read', async () => {
    const res = await fetch(`${server.url}/api/v1/test/echo`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{"not": "parsed"',
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), TEXT);
    assert.equal(await res.text(), 'Origin not allowed (configure [server.cors].allowed_origins)');

    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const r = await fetch(`${server.url}/api/v1/sessions/x`, {
        method,
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(r.status, 403, method);
    }
    const get = await fetch(`${server.url}/api/v1/config`, { headers: { origin: 'https://evil.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), null);
  });

  test('a WebSocket upgrade from a foreign Origin gets 403', async () => {
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request(`${server.url}/api/v1/control`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          origin: 'https://evil.example',
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('upgrade must not succeed')));
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(status, { code: 403, body: 'WebSocket Origin not allowed' });
  });

  test('requests without Origin, or from localhost, pass the origin guard', async () => {
    const plain = await fetch(`${server.url}/api/v1/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    assert.equal(plain.status, 201);
    assert.deepEqual(await plain.json(), { a: 1 });

    const local = await fetch(`${server.url}/api/v1/test/echo`, {
      method: 'POST',
      headers: { origin: 'http://localhost:1234', 'content-type': 'application/json' },
      body: '{"a":2}',
    });
    assert.equal(local.status, 201);
    assert.equal(local.headers.get('access-control-allow-origin'), 'http://localhost:1234');
    assert.equal(local.headers.get('access-control-expose-headers'), '*');
  });

  test('CORS pre-flight from an allowed origin is answered directly', async () => {
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://127.0.0.1:5173');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST, PUT, DELETE, OPTIONS, PATCH');
    assert.equal(res.headers.get('access-control-allow-headers'), 'content-type');
  });

  test('unknown API routes are a plain-text 404', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await fetch(`${server.url}/api/v1/does-not-exist`, { method });
      assert.equal(res.status, 404, method);
      assert.equal(res.headers.get('content-type'), TEXT);
      assert.match(await res.text(), /does-not-exist/);
    }
  });

  test('errors are plain text with their status; internals never leak', async () => {
    const cases: [string, number, string | RegExp][] = [
      ['conflict', 409, "Session with name 'x' already exists"],
      ['limit', 429, 'Maximum concurrent sessions limit reached'],
      ['bad', 400, 'Invalid YAML: oops'],
      ['todo', 501, 'Profiling feature not enabled'],
      ['crash', 500, 'Internal server error'],
    ];
    for (const [path, status, body] of cases) {
      const res = await fetch(`${server.url}/api/v1/test/${path}`);
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get('content-type'), TEXT, path);
      const text = await res.text();
      assert.equal(text, body, path);
      assert.doesNotMatch(text, /at .*\.js|secret internal/);
    }
  });

  test('JSON bodies: 2 MiB accepted, larger is 413, malformed is 400', async () => {
    const big = JSON.stringify({ data: 'x'.repeat(2 * 1024 * 1024 - 100) });
    const ok = await fetch(`${server.url}/api/v1/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    assert.equal(ok.status, 201);
    await ok.arrayBuffer();

    const tooBig = await fetch(`${server.url}/api/v1/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'x'.repeat(2 * 1024 * 1024 + 10) }),
    });
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.headers.get('content-type'), TEXT);
    assert.equal(await tooBig.text(), 'Request body is too large');

    const bad = await fetch(`${server.url}/api/v1/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('content-type'), TEXT);
  });

  test('NODE_SERVICES applies [security] (writes disabled by default)', async () => {
    const res = await fetch(`${server.url}/api/v1/test/write`);
    assert.equal(
      await res.text(),
      'File writes are disabled by configuration (security.allowed_write_paths is empty)',
    );
  });

  test('NODE_SERVICES carries [script] settings with secrets read from the environment', () => {
    const services = server.app.get<symbol, NodeServices>(NODE_SERVICES);
    assert.deepEqual(services[SCRIPT_SERVICES_KEY], {
      fetchAllowlist: [],
      secrets: {
        api: {
          value: 'k-123',
          type: 'string',
          allowed_fetch_urls: ['https://api.example.com/*'],
          description: '',
        },
      },
      maxInflight: 16,
      defaultTimeoutMs: 100,
      defaultMemoryLimitMb: 64,
    });
    assert.throws(() => services.checkFetchUrl?.('ftp://example.com/x'), /must use http or https/);
  });
});

describe('static UI and base path', () => {
  let uiDir: string;
  let secret: string;
  let server: TestServer;
  const INDEX = '<!doctype html><html><head><title>StreamKit</title></head><body>app</body></html>';
  const BIG_JS = 'export const views = ['.concat('"design", "monitor", "stream", '.repeat(500), '];');

  before(async () => {
    uiDir = mkdtempSync(join(tmpdir(), 'skit-ui-'));
    mkdirSync(join(uiDir, 'assets'));
    writeFileSync(join(uiDir, 'index.html'), INDEX);
    writeFileSync(join(uiDir, 'assets', 'app-1234.js'), 'console.log("ui");');
    // What scripts/compress-ui.mjs writes beside a large asset.
    writeFileSync(join(uiDir, 'assets', 'view-5678.js'), BIG_JS);
    writeFileSync(join(uiDir, 'assets', 'view-5678.js.br'), brotliCompressSync(BIG_JS));
    writeFileSync(join(uiDir, 'assets', 'view-5678.js.gz'), gzipSync(BIG_JS));
    secret = `${uiDir}-secret.txt`;
    writeFileSync(secret, 'secret');
    server = await startTestServer({ config: { server: { ui_dir: uiDir, base_path: 's/test/' } } });
  });
  after(async () => {
    await server.close();
    rmSync(uiDir, { recursive: true, force: true });
    rmSync(secret, { force: true });
  });

  test('the API answers both at / and under the base path', async () => {
    for (const path of ['/api/v1/config', '/s/test/api/v1/config']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assert.equal(((await res.json()) as { base_path: string }).base_path, '/s/test');
    }
    assert.equal((await fetch(`${server.url}/s/test/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/s/test/api/v1/nope`)).status, 404);
  });

  test('the origin guard also covers base-path API calls', async () => {
    const res = await fetch(`${server.url}/s/test/api/v1/sessions`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(res.status, 403);
  });

  test('index.html gets <base href> and no-cache, at / and under the prefix', async () => {
    for (const path of ['/', '/s/test', '/s/test/', '/convert', '/s/test/monitor/session-1']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', path);
      assert.equal(res.headers.get('cache-control'), 'no-cache', path);
      assert.equal(
        await res.text(),
        '<!doctype html><html><head><base href="/s/test/"><title>StreamKit</title></head><body>app</body></html>',
        path,
      );
    }
  });

  test("an asset goes out as the build's Brotli or gzip copy the browser accepts, else as it is", async () => {
    const cases: [string, string | null][] = [
      ['br, gzip, deflate', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip', 'gzip'],
      ['identity', null],
    ];
    for (const [accept, encoding] of cases) {
      const res = await fetch(`${server.url}/assets/view-5678.js`, {
        headers: { 'accept-encoding': accept },
      });
      assert.equal(res.status, 200, accept);
      assert.equal(res.headers.get('content-encoding'), encoding, accept);
      assert.equal(res.headers.get('vary'), 'accept-encoding', accept);
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8', accept);
      assert.equal(await res.text(), BIG_JS, `${accept}: the same text once decoded`);
    }
    const small = await fetch(`${server.url}/assets/app-1234.js`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(small.headers.get('content-encoding'), null, 'no copy: sent as it is');
  });

  test('assets are served with long-lived caching; missing files with an extension are 404', async () => {
    for (const path of ['/assets/app-1234.js', '/s/test/assets/app-1234.js']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(await res.text(), 'console.log("ui");');
    }
    const missing = await fetch(`${server.url}/assets/missing.js`);
    assert.equal(missing.status, 404);
    // An encoded `..` must not escape ui_dir (the secret sits next to it).
    const traversal = await fetch(`${server.url}/assets/..%2f..%2f${basename(secret)}`);
    assert.equal(traversal.status, 404);
    assert.doesNotMatch(await traversal.text(), /secret/);
  });
});

describe('static UI not built', () => {
  test('`/` answers a plain-text hint instead of failing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'skit-noui-'));
    const server = await startTestServer({ config: { server: { ui_dir: empty } } });
    try {
      const res = await fetch(`${server.url}/`);
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('content-type'), TEXT);
      assert.match(await res.text(), /web UI is not built.*npm run build:ui/);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
