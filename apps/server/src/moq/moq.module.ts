// MoQ over WebTransport (HTTP/3) and its WebSocket fallback, for `transport::moq::*` nodes.
import { Global, Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { MoqController } from './moq.controller';
import { MoqService } from './moq.service';

@Global()
@Module({
  imports: [SessionsModule],
  controllers: [MoqController],
  providers: [MoqService],
  exports: [MoqService],
})
export class MoqModule {}
