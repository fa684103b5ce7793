// The OpenAPI document of the REST API, generated from the controllers and DTOs at start and served at
// `GET /api/v1/openapi.json` for REST clients and code generators.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { VERSION } from '../version';

export const OPENAPI_PATH = '/api/v1/openapi.json';

export function buildOpenApi(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('StreamKit TS')
    .setDescription(
      'Real-time audio pipelines: oneshot processing, dynamic sessions, samples, assets and plugins. ' +
        'Errors are plain text with the status code; the caller role comes from the configured role header.',
    )
    .setVersion(VERSION)
    .build();
  return SwaggerModule.createDocument(app, config);
}

export function registerOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApi(app);
  app
    .getHttpAdapter()
    .getInstance()
    .get(OPENAPI_PATH, (_req, reply) => reply.header('cache-control', 'no-cache').send(document));
}
