// GET /api/v1/config: what the UI needs to boot (version, base path, MoQ gateway URL when configured).
import { Controller, Get, Inject } from '@nestjs/common';
import { VERSION } from '../version';
import { CONFIG, type Config } from '.';

export interface ClientConfig {
  version: string;
  base_path?: string;
  moq_gateway_url?: string;
  profiling: boolean;
}

@Controller('api/v1/config')
export class ConfigController {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  @Get()
  get(): ClientConfig {
    const { base_path, moq_gateway_url } = this.config.server;
    return {
      version: VERSION,
      ...(base_path ? { base_path } : {}),
      ...(moq_gateway_url ? { moq_gateway_url } : {}),
      profiling: this.config.profiling.enabled,
    };
  }
}
