// Script fetch policy: StreamKit's allow-list patterns, secret scoping, the in-flight cap, real HTTP on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkHeaderMappings,
  FetchLimiter,
  fetchBlockReason,
  ScriptFetchClient,
  urlMatchesPattern,
} from './fetch-policy';

test('patterns match scheme, host (with port when given) and path glob', () => {
  const u = (s: string) => new URL(s);
  assert.equal(urlMatchesPattern('https://api.example.com/v1/*', u('https://api.example.com/v1/chat')), true);
  assert.equal(urlMatchesPattern('https://api.example.com/v1/*', u('http://api.example.com/v1/chat')), false);
  assert.equal(
    urlMatchesPattern('https://api.example.com/v1/*', u('https://api.example.com/v2/chat')),
    false,
  );
  assert.equal(urlMatchesPattern('https://*.example.com', u('https://a.example.com/any/path')), true);
  assert.equal(urlMatchesPattern('https://*.example.com', u('https://example.org/')), false);
  assert.equal(urlMatchesPattern('http://127.0.0.1:8080/x', u('http://127.0.0.1:8080/x')), true);
  assert.equal(urlMatchesPattern('http://127.0.0.1:8080/x', u('http://127.0.0.1:9090/x')), false);
  assert.equal(urlMatchesPattern('http://localhost:80/*', u('http://localhost/x')), true);
  assert.equal(urlMatchesPattern('HTTPS://API.EXAMPLE.COM', u('https://api.example.com/')), true);
  assert.equal(urlMatchesPattern('not a pattern', u('https://api.example.com/')), false);
});

test('allow-list rules need a matching URL and method; an empty list blocks everything', () => {
  const rules = [{ url: 'https://api.example.com/*', methods: ['GET', 'post'] }];
  const url = new URL('https://api.example.com/q');
  assert.equal(fetchBlockReason(rules, url, 'get'), undefined);
  assert.equal(fetchBlockReason(rules, url, 'POST'), undefined);
  assert.match(fetchBlockReason(rules, url, 'DELETE') ?? '', /^Blocked: URL not in global allowlist/);
  assert.equal(fetchBlockReason([], url, 'GET'), 'Blocked: Global allowlist is empty');
  assert.equal(fetchBlockReason(undefined, url, 'GET'), 'Blocked: Global allowlist is empty');
  assert.match(
    fetchBlockReason(rules, new URL('file:///etc/passwd'), 'GET') ?? '',
    /scheme 'file:' is not allowed/,
  );
});

test('header mappings must name loaded secrets', () => {
  const secrets = { openai: { value: 'sk-1' } };
  assert.deepEqual(checkHeaderMappings([{ secret: 'openai', header: 'Authorization' }], secrets), []);
  const [p] = checkHeaderMappings([{ secret: 'nope', header: 'X' }], secrets);
  assert.equal(p.path, '/headers/0/secret');
  assert.match(p.message, /unknown secret 'nope'\. Available secrets: \[openai\]/);
  assert.match(
    checkHeaderMappings([{ secret: 'x', header: 'X' }], undefined)[0].message,
    /no secrets available/,
  );
});

test('the limiter caps concurrency and times out waiters', async () => {
  const l = new FetchLimiter(1);
  const release = await l.acquire(100);
  assert.equal(l.inflight, 1);
  await assert.rejects(l.acquire(20), /no fetch slot free within 20 ms/);
  const waiting = l.acquire(1000);
  release();
  const second = await waiting;
  assert.equal(l.inflight, 1);
  second();
  assert.equal(l.inflight, 0);
});

async function listen(
  handler: (req: IncomingMessage, body: string) => [number, string, Record<string, string>?],
): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const [status, text, headers] = handler(req, body);
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('real requests: secrets injected where scoped, JSON bodies, no redirects, error statuses return bodies', async () => {
  const { server, base } = await listen((req, body) => {
    if (req.url === '/redirect') return [302, 'moved', { location: '/echo' }];
    if (req.url === '/missing') return [404, 'not here'];
    return [
      200,
      JSON.stringify({
        method: req.method,
        auth: req.headers.authorization ?? null,
        key: req.headers['x-key'] ?? null,
        ct: req.headers['content-type'] ?? null,
        extra: req.headers['x-extra'] ?? null,
        body,
      }),
    ];
  });
  try {
    const warnings: string[] = [];
    const client = new ScriptFetchClient(
      {
        fetchAllowlist: [{ url: `${base}/*`, methods: ['GET', 'POST'] }],
        secrets: {
          token: { value: 'tok-123', allowed_fetch_urls: [`${base}/echo*`] },
          key: { value: 'k-9', allowed_fetch_urls: ['https://elsewhere.example/*'] },
        },
      },
      [
        { secret: 'token', header: 'Authorization', template: 'Bearer {}' },
        { secret: 'key', header: 'X-Key' },
      ],
      (m) => warnings.push(m),
    );
    const echoed = JSON.parse(
      await client.fetch(`${base}/echo`, { method: 'post', headers: { 'X-Extra': 'e' }, body: '{"a":1}' }),
    ) as Record<string, unknown>;
    assert.deepEqual(echoed, {
      method: 'POST',
      auth: 'Bearer tok-123',
      key: null,
      ct: 'application/json',
      extra: 'e',
      body: '{"a":1}',
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /secret 'key' not sent/);
    assert.equal(await client.fetch(`${base}/redirect`, {}), 'moved');
    assert.equal(await client.fetch(`${base}/missing`, {}), 'not here');
    const other = JSON.parse(await client.fetch(`${base}/other`, {})) as Record<string, unknown>;
    assert.equal(other.auth, null, 'token scoped to /echo* is not sent to /other');
    await assert.rejects(
      client.fetch(`${base}/echo`, { method: 'DELETE' }),
      /Blocked: URL not in global allowlist/,
    );
    await assert.rejects(client.fetch('http://127.0.0.1:1/x', {}), /Blocked: URL not in global allowlist/);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

// Issue #23 finding 6: the script fetch allow-list sees the URL that is requested, and a body is capped
// while it streams in.
test('traversal and encoded separators do not get past a path pattern', () => {
  const rules = [{ url: 'http://127.0.0.1:4699/redir*', methods: ['GET'] }];
  for (const raw of ['http://127.0.0.1:4699/redir/../secret', 'http://127.0.0.1:4699/redir/%2e%2e/secret']) {
    assert.match(
      fetchBlockReason(rules, new URL(raw), 'GET') ?? '',
      /not in global allowlist \(GET http:\/\/127\.0\.0\.1:4699\/secret\)/,
    );
  }
  assert.match(
    fetchBlockReason(rules, new URL('http://127.0.0.1:4699/redir%2F..%2Fsecret'), 'GET') ?? '',
    /^Blocked: encoded '\/' or '\\' \(%2F, %5C\) in the path/,
  );
  assert.equal(fetchBlockReason(rules, new URL('http://127.0.0.1:4699/redir/ok'), 'GET'), undefined);
});

test('a response body over the cap is refused as it streams, not after buffering it all', async () => {
  let sent = 0;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = (): void => {
      while (sent < 64 * 1048576) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (sent = Infinity));
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const client = new ScriptFetchClient(
      { fetchAllowlist: [{ url: `${base}/*`, methods: ['GET'] }] },
      [],
      () => {},
    );
    await assert.rejects(client.fetch(`${base}/huge`, {}), /response body over 4194304 bytes/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  assert.ok(sent === Infinity || sent < 32 * 1048576, `the server got to send ${sent} bytes`);
});
