// MoQ over WebTransport (HTTP/3) and its WebSocket fallback, for `transport::moq::*` nodes.
import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { SessionsModule } from '../sessions/sessions.module';
import { MoqMetrics } from './moq.metrics';
import { MoqController } from './moq.controller';
import { MoqService } from './moq.service';

@Global()
@Module({
  imports: [SessionsModule, MetricsModule],
  controllers: [MoqController],
  providers: [MoqService, MoqMetrics],
  exports: [MoqService],
})
export class MoqModule {}
