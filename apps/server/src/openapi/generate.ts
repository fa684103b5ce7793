// The UI's API types, generated: the REST types from the OpenAPI document (built from the controllers and
// their response DTOs, without listening) by openapi-typescript, and the GraphQL types from the committed
// schema (apps/server/schema.graphql). `npm run gen:api` writes both; the drift spec fails when either
// committed file is stale. Development only: the server never imports this module.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildSchema, GraphQLSchema } from 'graphql';
import openapiTS, { astToString } from 'openapi-typescript';
import { silentLogger } from '../common/logging';
import { resolveConfig } from '../config';
import { createApp } from '../main';
import { graphqlTypes } from './graphql-types';
import { buildOpenApi } from './openapi';

/** The command that regenerates the committed files. */
export const GEN_API_COMMAND = 'npm run gen:api';

/** The repository root (the folder holding package.json and apps/server), from a file in src or dist. */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      readFileSync(join(dir, 'apps/server/schema.graphql'));
      return dir;
    } catch {
      // not this one
    }
  }
  throw new Error(`No repository root above ${from}`);
}

export const GENERATED_DIR = 'apps/ui/src/api/generated';
export const OPENAPI_TYPES_FILE = `${GENERATED_DIR}/openapi.ts`;
export const GRAPHQL_TYPES_FILE = `${GENERATED_DIR}/graphql.ts`;
export const GRAPHQL_SCHEMA_FILE = 'apps/server/schema.graphql';

/**
 * The OpenAPI document as `GET /api/v1/openapi.json` serves it, from an app that is initialised but never
 * listens (default config; samples and plugins in a temp folder that is removed after).
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const dir = mkdtempSync(join(tmpdir(), 'skit-openapi-'));
  try {
    const samples = join(dir, 'samples', 'pipelines');
    for (const sub of ['oneshot', 'dynamic', 'user']) mkdirSync(join(samples, sub), { recursive: true });
    mkdirSync(join(dir, 'plugins'));
    const { config } = resolveConfig({
      file: {
        server: { address: '127.0.0.1:0', samples_dir: samples },
        plugins: { directory: join(dir, 'plugins') },
        log: { file_enable: false, console_enable: false },
      },
      fileName: 'OpenAPI generation',
      env: {},
    });
    const app = await createApp(config, { logger: silentLogger(), env: {} });
    try {
      return buildOpenApi(app);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function banner(source: string): string {
  return `// Generated from ${source} by \`${GEN_API_COMMAND}\`. Do not edit: change the server, then regenerate.\n`;
}

/** Formats generated TypeScript as the repository's Prettier config does for `path`. */
async function prettify(text: string, path: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...options, filepath: path });
}

/** `apps/ui/src/api/generated/openapi.ts` for this document (openapi-typescript). */
export async function openApiTypes(document: OpenAPIObject, root: string = repoRoot()): Promise<string> {
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], {
    silent: true,
    alphabetize: true,
  });
  const text = banner('the OpenAPI document (GET /api/v1/openapi.json)') + astToString(ast);
  return prettify(text, join(root, OPENAPI_TYPES_FILE));
}

/** `apps/ui/src/api/generated/graphql.ts` for the committed GraphQL schema. */
export async function graphqlSchemaTypes(root: string = repoRoot()): Promise<string> {
  const schema: GraphQLSchema = buildSchema(readFileSync(join(root, GRAPHQL_SCHEMA_FILE), 'utf8'));
  const text = banner(GRAPHQL_SCHEMA_FILE) + graphqlTypes(schema);
  return prettify(text, join(root, GRAPHQL_TYPES_FILE));
}

/** Both generated files, by path relative to the repository root. */
export async function generateApiTypes(root: string = repoRoot()): Promise<Record<string, string>> {
  const document = await generateOpenApiDocument();
  return {
    [OPENAPI_TYPES_FILE]: await openApiTypes(document, root),
    [GRAPHQL_TYPES_FILE]: await graphqlSchemaTypes(root),
  };
}
