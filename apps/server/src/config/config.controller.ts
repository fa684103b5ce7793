// GET /api/v1/config: what the UI needs to boot (version, base path, the MoQ gateway URL, profiling).
import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { VERSION } from '../version';
import { CONFIG, type Config } from '.';

export interface ClientConfig {
  version: string;
  base_path?: string;
  /** `[server].moq_gateway_url`, or this server's own `/moq` gateway as the caller reached it. */
  moq_gateway_url: string;
  profiling: boolean;
}

@Controller('api/v1/config')
export class ConfigController {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  @Get()
  get(@Req() req?: FastifyRequest): ClientConfig {
    const { base_path, moq_gateway_url, tls } = this.config.server;
    const host = req?.headers.host ?? this.config.server.address;
    return {
      version: VERSION,
      ...(base_path ? { base_path } : {}),
      moq_gateway_url: moq_gateway_url || `${tls ? 'https' : 'http'}://${host}/moq`,
      profiling: this.config.profiling.enabled,
    };
  }
}
