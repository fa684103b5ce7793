// `/api/v1/assets/audio`: list, upload (multipart, first part) and delete audio assets.
import {
  ApiBody,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { Caller, RequirePermission } from '../permissions';
import { multipartParts, type MultipartPart } from '../common/multipart';
import { ApiPlainTextErrors, binaryContent } from '../common/api-responses';
import { AudioAsset } from './assets.dto';
import { AssetsService, CONTENT_TYPES, MAX_ASSET_BYTES } from './assets.service';

/** What `GET /api/v1/assets/audio/{id}` answers with, by the asset's format. */
const AUDIO_TYPES = [...new Set(Object.values(CONTENT_TYPES))];

@ApiTags('assets')
@Controller('api/v1/assets/audio')
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Get()
  @ApiOkResponse({ type: [AudioAsset], description: 'The assets the caller may see, by name' })
  list(@Caller() caller: Caller): Promise<AudioAsset[]> {
    return this.assets.list(caller);
  }

  @Get(':id')
  @ApiProduces(...AUDIO_TYPES)
  @ApiOkResponse({
    description: "The asset's bytes (content type by format)",
    content: binaryContent(...AUDIO_TYPES),
  })
  @ApiPlainTextErrors(404)
  async file(@Caller() caller: Caller, @Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.assets.open(caller, id);
    await reply
      .header('content-type', file.contentType)
      .header('content-length', String(file.size))
      .header('cache-control', 'no-cache')
      .send(createReadStream(file.path));
  }

  @Post()
  @HttpCode(200)
  @RequirePermission('upload_assets')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: 'The audio file as the first file part (opus, ogg, flac, mp3 or wav)',
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiOkResponse({ type: AudioAsset, description: 'The stored asset' })
  @ApiPlainTextErrors(400, 403, 409, 413, 422)
  async upload(@Caller() caller: Caller, @Req() req: FastifyRequest): Promise<AudioAsset> {
    const parts = multipartParts(req, {
      // Fields before the file are buffered by busboy: few and small.
      limits: { fileSize: MAX_ASSET_BYTES, files: 1, fields: 8, fieldSize: 64 * 1024, parts: 10 },
      notMultipart: 'Expected a multipart/form-data upload',
      errorPrefix: () => 'Failed to read multipart: ',
      limitStatus: 400,
    });
    let part: MultipartPart | undefined;
    for await (const p of parts) {
      if (p.type === 'file') {
        part = p;
        break;
      }
    }
    if (!part || part.type !== 'file') throw new BadRequestException('No file provided');
    return this.assets.upload(caller, part.filename, part.file);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted (no body)' })
  @ApiPlainTextErrors(400, 403, 404)
  async delete(@Caller() caller: Caller, @Param('id') id: string): Promise<void> {
    await this.assets.delete(caller, id);
  }
}
