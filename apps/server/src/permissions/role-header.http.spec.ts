// Issue 23, finding 3: the role header fails closed on every transport. With `default_role = "admin"` (the
// shipped default), a role header with the wrong case, several values or two header lines must be 403 naming
// the header (REST, GraphQL over HTTP, the WebSocket upgrade, graphql-ws connection params, static routes),
// never the default role.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../testing/test-server';

/** A GET with raw header lines (fetch cannot send one header twice). */
function rawGet(url: string, headers: [string, string][]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET' });
    for (const [name, value] of headers) req.appendHeader(name, value);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('role header fails closed', () => {
  let server: TestServer;
  const BAD: [string, RegExp][] = [
    ['Viewer', /Role header 'x-role' names unknown role 'Viewer'/],
    ['viewer, x', /Role header 'x-role' must appear once with one role name/],
    ['ghost', /unknown role 'ghost'/],
    ['constructor', /unknown role 'constructor'/],
  ];

  before(async () => {
    server = await startTestServer({
      config: {
        permissions: {
          role_header: 'x-role',
          default_role: 'admin',
          roles: { viewer: { list_sessions: true, allowed_nodes: ['*'] } },
        },
      },
    });
  });
  after(() => server.close());

  it('REST, GraphQL over HTTP and static routes answer 403 in plain text naming the header', async () => {
    for (const [value, message] of BAD) {
      for (const [method, path, body] of [
        ['GET', '/api/v1/permissions', undefined],
        ['GET', '/api/v1/sessions', undefined],
        [
          'POST',
          '/api/v1/sessions',
          JSON.stringify({ name: 'x', yaml: 'steps: [{kind: core::passthrough}]' }),
        ],
        ['POST', '/api/v1/graphql', JSON.stringify({ query: '{ permissions { role } }' })],
        ['GET', '/', undefined],
        ['GET', '/healthz', undefined],
      ] as const) {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: { 'x-role': value, 'content-type': 'application/json' },
          body,
        });
        assert.equal(res.status, 403, `${method} ${path} with x-role: ${value}`);
        assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
        assert.match(await res.text(), message);
      }
    }
    const sessions = await (await fetch(`${server.url}/api/v1/sessions`)).json();
    assert.deepEqual(sessions, [], 'no session was created');
  });

  it('two header lines are refused even when each names a role', async () => {
    const res = await rawGet(`${server.url}/api/v1/permissions`, [
      ['x-role', 'viewer'],
      ['x-role', 'admin'],
    ]);
    assert.equal(res.status, 403);
    assert.match(res.body, /Role header 'x-role' must appear once/);
    const one = await rawGet(`${server.url}/api/v1/permissions`, [['x-role', 'viewer']]);
    assert.equal(one.status, 200);
    assert.equal((JSON.parse(one.body) as { role: string }).role, 'viewer');
    const none = await rawGet(`${server.url}/api/v1/permissions`, []);
    assert.equal((JSON.parse(none.body) as { role: string }).role, 'admin', 'no header: the default role');
  });

  it('refuses the GraphQL WebSocket upgrade with a bad role header', { timeout: 30_000 }, async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/v1/graphql`, 'graphql-transport-ws', {
      headers: { 'x-role': 'Viewer' },
    });
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /Role header 'x-role' names unknown role 'Viewer'/);
  });

  it(
    'closes a graphql-ws connection whose connection params name a bad role (4403, naming the header)',
    { timeout: 30_000 },
    async () => {
      for (const params of [
        { 'x-role': 'Viewer' },
        { headers: { 'x-role': ['viewer', 'admin'] } },
        { 'x-role': 7 },
      ]) {
        const ws = new WebSocket(
          `${server.url.replace(/^http/, 'ws')}/api/v1/graphql`,
          'graphql-transport-ws',
        );
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: params })));
        const messages: string[] = [];
        ws.on('message', (m: Buffer) => messages.push(m.toString()));
        const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
        assert.equal(code, 4403, JSON.stringify(params));
        assert.match(reason.toString(), /Forbidden: Role header 'x-role'/);
        assert.deepEqual(messages, [], 'no connection_ack');
      }
    },
  );

  it('a good role in connection params is used; the upgrade header wins over params', async () => {
    const roleOf = async (params: Record<string, unknown>, headers: Record<string, string> = {}) => {
      class WithHeaders extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers });
        }
      }
      const client = createClient({
        url: `${server.url.replace(/^http/, 'ws')}/api/v1/graphql`,
        webSocketImpl: WithHeaders,
        connectionParams: params,
        retryAttempts: 0,
      });
      try {
        return await new Promise<string>((resolve, reject) => {
          client.subscribe<{ permissions: { role: string } }>(
            { query: '{ permissions { role } }' },
            {
              next: (r) => resolve(r.data?.permissions.role ?? 'none'),
              error: reject,
              complete: () => undefined,
            },
          );
        });
      } finally {
        await client.dispose();
      }
    };
    assert.equal(await roleOf({ 'x-role': 'viewer' }), 'viewer');
    assert.equal(await roleOf({ 'x-role': 'Viewer' }, { 'x-role': 'viewer' }), 'viewer');
  });
});
