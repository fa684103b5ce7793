// Metrics (`/metrics`, OTLP export) and traces (OTLP export) for `[telemetry]`.
import { Module } from '@nestjs/common';
import { OneshotModule } from '../oneshot/oneshot.module';
import { SessionsModule } from '../sessions/sessions.module';
import { HttpInstrumentation } from './http-instrumentation';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { TracingService } from './tracing.service';

@Module({
  imports: [SessionsModule, OneshotModule],
  controllers: [MetricsController],
  providers: [MetricsService, TracingService, HttpInstrumentation],
  exports: [MetricsService, TracingService],
})
export class MetricsModule {}
