// `/api/v1/plugins`: list, upload (multipart field `plugin`) and delete plugins.
import '@fastify/multipart';
import { ApiTags } from '@nestjs/swagger';
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
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PluginSummary } from '@streamkit/pipeline/plugins';
import { Caller } from '../permissions';
import { PluginsService } from './plugins.service';

@ApiTags('plugins')
@Controller('api/v1/plugins')
export class PluginsController {
  constructor(private readonly plugins: PluginsService) {}

  @Get()
  list(@Caller() caller: Caller): PluginSummary[] {
    return this.plugins.list(caller);
  }

  @Post()
  @HttpCode(201)
  async upload(@Caller() caller: Caller, @Req() req: FastifyRequest): Promise<PluginSummary> {
    this.plugins.assertCanUpload(caller);
    if (!req.isMultipart())
      throw new BadRequestException("Expected multipart/form-data with a 'plugin' file field");
    const limit = this.plugins.maxUploadBytes;
    const dir = await mkdtemp(join(tmpdir(), 'skit-plugin-'));
    try {
      let saved: { fileName: string; path: string } | undefined;
      for await (const part of req.parts({ limits: { fileSize: limit } })) {
        if (part.fieldname !== 'plugin') {
          if (part.type === 'file') part.file.resume();
          continue;
        }
        if (saved) throw new BadRequestException("Multiple 'plugin' fields provided");
        if (part.type !== 'file' || !part.filename) {
          throw new BadRequestException('Uploaded plugin file must include a filename');
        }
        const path = join(dir, 'upload');
        await pipeline(part.file, createWriteStream(path));
        if (part.file.truncated) {
          throw new HttpException(`Plugin upload exceeds configured max body size (${limit} bytes)`, 413);
        }
        saved = { fileName: part.filename, path };
      }
      if (!saved) throw new BadRequestException("Missing 'plugin' file field");
      return await this.plugins.install(caller, saved.fileName, saved.path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  @Delete(':kind')
  remove(
    @Caller() caller: Caller,
    @Param('kind') kind: string,
    @Query('keep_file') keepFile?: string,
  ): Promise<PluginSummary> {
    return this.plugins.remove(caller, kind, keepFile === 'true' || keepFile === '1');
  }
}
