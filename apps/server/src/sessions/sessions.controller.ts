// `/api/v1/sessions`: create from YAML, list, fetch the live pipeline, destroy.
import { ApiTags } from '@nestjs/swagger';
import { HttpCode, Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import type { PipelineView } from '@streamkit/pipeline';
import { BODY_VALIDATION } from '../common/validation';
import { Caller } from '../permissions';
import { CreateSessionDto } from './create-session.dto';
import { CreatedSession, SessionInfo, SessionsService } from './sessions.service';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @HttpCode(200)
  create(@Caller() caller: Caller, @Body(BODY_VALIDATION) body: CreateSessionDto): Promise<CreatedSession> {
    return this.sessions.create(caller, body);
  }

  @Get()
  list(@Caller() caller: Caller): SessionInfo[] {
    return this.sessions.list(caller);
  }

  @Get(':id/pipeline')
  pipeline(@Caller() caller: Caller, @Param('id') id: string): Promise<PipelineView> {
    return this.sessions.pipeline(caller, id);
  }

  @Delete(':id')
  destroy(@Caller() caller: Caller, @Param('id') id: string): Promise<{ session_id: string }> {
    return this.sessions.destroy(caller, id);
  }
}
