// `GET /metrics`: Prometheus text exposition. Admin only (`access_all_sessions`), like profiling: without a
// role header every caller has the default role, and a scraper behind an authenticating proxy sends one.
import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiPlainTextErrors, PLAIN_TEXT } from '../common/api-responses';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../permissions';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @RequirePermission('access_all_sessions')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition (version 0.0.4)', content: PLAIN_TEXT })
  @ApiPlainTextErrors(403, 404)
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    if (!this.metrics.enabled)
      throw new NotFoundException('Metrics are disabled. Set [telemetry].enable = true.');
    const text = await this.metrics.scrape();
    await reply
      .header('content-type', this.metrics.contentType)
      .header('cache-control', 'no-store')
      .send(text);
  }
}
