// GET /api/v1/config: what the UI needs to boot (see `clientConfig`).
import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { clientConfig } from './client-config';
import { ClientConfig } from './client-config.dto';
import { CONFIG, type Config } from '.';

@ApiTags('config')
@Controller('api/v1/config')
export class ConfigController {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  @Get()
  @ApiOkResponse({ type: ClientConfig })
  get(@Req() req?: FastifyRequest): ClientConfig {
    return clientConfig(this.config, req?.headers.host);
  }
}
