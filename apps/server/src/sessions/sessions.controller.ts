// `/api/v1/sessions`: create from YAML, list, fetch the live pipeline, destroy.
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HttpCode, Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import type { PipelineView } from '@streamkit/pipeline';
import { ApiPlainTextErrors } from '../common/api-responses';
import { BODY_VALIDATION } from '../common/validation';
import { Caller } from '../permissions';
import { CreateSessionDto } from './create-session.dto';
import { CreatedSession, DestroyedSession, PipelineViewDto, SessionInfo } from './sessions.dto';
import { SessionsService } from './sessions.service';

@ApiTags('sessions')
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @HttpCode(200)
  @ApiOkResponse({ type: CreatedSession, description: 'The session was created and runs' })
  @ApiPlainTextErrors(400, 403, 409, 429)
  create(@Caller() caller: Caller, @Body(BODY_VALIDATION) body: CreateSessionDto): Promise<CreatedSession> {
    return this.sessions.create(caller, body);
  }

  @Get()
  @ApiOkResponse({ type: [SessionInfo] })
  @ApiPlainTextErrors(403)
  list(@Caller() caller: Caller): SessionInfo[] {
    return this.sessions.list(caller);
  }

  @Get(':id/pipeline')
  @ApiOkResponse({ type: PipelineViewDto, description: 'The live pipeline with node states and stats' })
  @ApiPlainTextErrors(403, 404)
  pipeline(@Caller() caller: Caller, @Param('id') id: string): Promise<PipelineView> {
    return this.sessions.pipeline(caller, id);
  }

  @Delete(':id')
  @ApiOkResponse({ type: DestroyedSession })
  @ApiPlainTextErrors(403, 404)
  destroy(@Caller() caller: Caller, @Param('id') id: string): Promise<DestroyedSession> {
    return this.sessions.destroy(caller, id);
  }
}
