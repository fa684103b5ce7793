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
