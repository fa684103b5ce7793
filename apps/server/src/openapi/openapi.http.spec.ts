import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startTestServer } from '../testing/test-server';

it('serves an OpenAPI document generated from the controllers', async () => {
  const server = await startTestServer();
  try {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { required?: string[] }> };
    };
    assert.match(doc.openapi, /^3\./);
    for (const path of [
      '/api/v1/sessions',
      '/api/v1/sessions/{id}/pipeline',
      '/api/v1/process',
      '/api/v1/schema/nodes',
      '/api/v1/samples/oneshot/{id}',
      '/api/v1/assets/audio/{id}',
    ]) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    assert.ok(doc.paths['/api/v1/sessions'].post && doc.paths['/api/v1/sessions'].get);
    assert.deepEqual(doc.components.schemas.CreateSessionDto.required, ['yaml']);
  } finally {
    await server.close();
  }
});

it('declares for every route a response with a schema or a content type', async () => {
  const server = await startTestServer();
  try {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    const doc = (await res.json()) as {
      paths: Record<
        string,
        Record<string, { responses?: Record<string, { content?: Record<string, object> }> }>
      >;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    assert.ok(routes.length >= 28, `${routes.length} routes documented`);
    const missing: string[] = [];
    for (const { route, op } of routes) {
      const responses = Object.entries(op.responses ?? {});
      const typed = responses.filter(([, r]) => {
        const media = Object.values(r.content ?? {});
        return media.length > 0 && media.every((m) => 'schema' in m);
      });
      if (typed.length === 0) missing.push(`${route}: no response with a schema`);
      // A success answer has a body, declared with its content type (204 has none).
      for (const [status, r] of responses) {
        if (/^2\d\d$/.test(status) && status !== '204' && !r.content)
          missing.push(`${route}: ${status} has no content`);
      }
    }
    assert.deepEqual(missing, []);
  } finally {
    await server.close();
  }
});
