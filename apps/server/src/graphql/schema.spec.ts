// The committed schema (apps/server/schema.graphql) must match what the server builds. To regenerate after
// an intended change: `npm run build:server && UPDATE_GRAPHQL_SCHEMA=1 node --test dist/apps/server/src/graphql/schema.spec.js`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { startTestServer } from '../testing/test-server';

function committedSchemaPath(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps/server'))) {
      return join(dir, 'apps/server/schema.graphql');
    }
  }
  throw new Error(`No repository root above ${__dirname}`);
}

it('the printed GraphQL schema matches apps/server/schema.graphql', async () => {
  const server = await startTestServer();
  let printed: string;
  try {
    printed = `${printSchema(server.app.get(GraphQLSchemaHost).schema)}\n`;
  } finally {
    await server.close();
  }
  const path = committedSchemaPath();
  if (process.env.UPDATE_GRAPHQL_SCHEMA === '1') writeFileSync(path, printed);
  const committed = existsSync(path) ? readFileSync(path, 'utf8') : '';
  assert.equal(
    printed,
    committed,
    'The GraphQL schema drifted from apps/server/schema.graphql. If the change is intended, regenerate it: ' +
      'npm run build:server && UPDATE_GRAPHQL_SCHEMA=1 node --test dist/apps/server/src/graphql/schema.spec.js',
  );
});
