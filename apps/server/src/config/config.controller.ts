// GET /api/v1/config: what the UI needs to boot (see `clientConfig`).
import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { clientConfig, type ClientConfig } from './client-config';
import { CONFIG, type Config } from '.';

@Controller('api/v1/config')
export class ConfigController {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  @Get()
  get(@Req() req?: FastifyRequest): ClientConfig {
    return clientConfig(this.config, req?.headers.host);
  }
}
