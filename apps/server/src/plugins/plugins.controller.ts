// `/api/v1/plugins`: list, upload (multipart field `plugin`) and delete plugins.
import '@fastify/multipart';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginSummary } from '@streamkit/pipeline/plugins';
import { ApiPlainTextErrors } from '../common/api-responses';
import { FileTooLargeError, writeTemp } from '../common/atomic-file';
import { refuseTruncated } from '../common/uploads';
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
    if (!req.isMultipart())
      throw new BadRequestException("Expected multipart/form-data with a 'plugin' file field");
    const limit = this.plugins.maxUploadBytes;
    const tooLarge = () =>
      new HttpException(`Plugin upload exceeds configured max body size (${limit} bytes)`, 413);
    let saved: { fileName: string; path: string } | undefined;
    try {
      const parts = req.parts({
        limits: { fileSize: limit, files: 2, fields: 8, fieldSize: 64 * 1024, parts: 16 },
      });
      for await (const part of parts) {
        if (part.fieldname !== 'plugin') {
          if (part.type === 'file') part.file.resume();
          continue;
        }
        if (saved) throw new BadRequestException("Multiple 'plugin' fields provided");
        if (part.type !== 'file' || !part.filename) {
          throw new BadRequestException('Uploaded plugin file must include a filename');
        }
        // Written (and fsynced) beside the plugins, so the manager's move into place is a rename.
        const path = await writeTemp(
          join(await this.plugins.uploadDir(), 'upload'),
          refuseTruncated(part.file, tooLarge),
          {
            maxBytes: limit,
          },
        ).catch((err: unknown) => {
          if (err instanceof HttpException) throw err;
          if (err instanceof FileTooLargeError) throw tooLarge();
          throw new BadRequestException(`Failed to read plugin upload stream: ${(err as Error).message}`);
        });
        saved = { fileName: part.filename, path };
      }
      if (!saved) throw new BadRequestException("Missing 'plugin' file field");
      return await this.plugins.install(caller, saved.fileName, saved.path);
    } catch (err) {
      const e = err as Error & { statusCode?: number };
      if (err instanceof HttpException || !e.statusCode) throw err;
      // @fastify/multipart's own errors (limits, a body cut short) carry their status.
      throw new HttpException(`Invalid multipart payload: ${e.message}`, e.statusCode === 413 ? 413 : 400);
    } finally {
      // The manager moved it in on success; anything else is a leftover.
      if (saved) await rm(saved.path, { force: true });
    }
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
