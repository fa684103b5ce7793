// StreamKit's control WebSocket (/api/v1/control), backed by the same services as REST and GraphQL.
import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { ControlCommands } from './control-commands';
import { ControlService } from './control.service';

@Module({
  imports: [SessionsModule],
  providers: [ControlCommands, ControlService],
  exports: [ControlService],
})
export class ControlModule {}
