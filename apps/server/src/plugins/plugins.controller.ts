// `/api/v1/plugins`: list, upload (multipart field `plugin`) and delete plugins.
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { PluginSummary } from '@streamkit/pipeline/plugins';
import { ApiPlainTextErrors } from '../common/api-responses';
import { multipartParts } from '../common/multipart';
import { Caller } from '../permissions';
import { PluginSummaryDto } from './plugins.dto';
import { PluginsService } from './plugins.service';

@ApiTags('plugins')
@Controller('api/v1/plugins')
export class PluginsController {
  constructor(private readonly plugins: PluginsService) {}

  @Get()
  @ApiOkResponse({ type: [PluginSummaryDto], description: 'The loaded plugins the caller may use' })
  list(@Caller() caller: Caller): PluginSummary[] {
    return this.plugins.list(caller);
  }

  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: 'The plugin file (`.wasm`, or a native `.so`/`.dylib`/`.dll`) in the `plugin` part',
    schema: {
      type: 'object',
      required: ['plugin'],
      properties: { plugin: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: PluginSummaryDto, description: 'The plugin was loaded' })
  @ApiPlainTextErrors(400, 403, 413, 422)
  async upload(@Caller() caller: Caller, @Req() req: FastifyRequest): Promise<PluginSummary> {
    this.plugins.assertCanUpload(caller);
    const parts = multipartParts(req, {
      limits: { fileSize: this.plugins.maxUploadBytes, files: 2, fields: 8, fieldSize: 64 * 1024, parts: 16 },
      notMultipart: "Expected multipart/form-data with a 'plugin' file field",
      errorPrefix: () => 'Invalid multipart payload: ',
    });
    return this.plugins.installUpload(caller, parts);
  }

  @Delete(':kind')
  @ApiQuery({ name: 'keep_file', required: false, description: '`true` or `1` keeps the file on disk' })
  @ApiOkResponse({ type: PluginSummaryDto, description: 'The unloaded plugin' })
  @ApiPlainTextErrors(400, 403, 422)
  remove(
    @Caller() caller: Caller,
    @Param('kind') kind: string,
    @Query('keep_file') keepFile?: string,
  ): Promise<PluginSummary> {
    return this.plugins.remove(caller, kind, keepFile === 'true' || keepFile === '1');
  }
}
