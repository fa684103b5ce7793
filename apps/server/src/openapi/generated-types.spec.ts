// The UI's generated API types (apps/ui/src/api/generated) must match what the server and the committed
// GraphQL schema generate now: a DTO, route or schema change without `npm run gen:api` fails here.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { GEN_API_COMMAND, generateApiTypes, repoRoot } from './generate';

it('the committed generated API types match the OpenAPI document and the GraphQL schema', async () => {
  const root = repoRoot();
  const generated = await generateApiTypes(root);
  assert.deepEqual(Object.keys(generated).sort(), [
    'apps/ui/src/api/generated/graphql.ts',
    'apps/ui/src/api/generated/openapi.ts',
  ]);
  for (const [path, text] of Object.entries(generated)) {
    const committed = existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : '';
    assert.ok(
      text === committed,
      `${path} is stale: it differs from what the server generates now. Regenerate it with \`${GEN_API_COMMAND}\` ` +
        'and commit the result.',
    );
  }
});
