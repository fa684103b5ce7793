// GET /healthz and /health: liveness for Docker and load balancers; no permission or dependency checks.
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { VERSION } from '../version';
import { HealthStatus } from './health.dto';

@ApiTags('health')
@Controller()
export class HealthController {
  @Get(['healthz', 'health'])
  @ApiOkResponse({ type: HealthStatus })
  health(): HealthStatus {
    return { status: 'ok', version: VERSION };
  }
}
