// GET /healthz and /health: liveness for Docker and load balancers; no permission or dependency checks.
import { Controller, Get } from '@nestjs/common';
import { VERSION } from '../version';

@Controller()
export class HealthController {
  @Get(['healthz', 'health'])
  health(): { status: 'ok'; version: string } {
    return { status: 'ok', version: VERSION };
  }
}
