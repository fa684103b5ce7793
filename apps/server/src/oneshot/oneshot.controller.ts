// `POST /api/v1/process`: a multipart request (`config` first, then optional `media`) runs a pipeline once and
// streams its output back. Errors before the first output byte are proper HTTP errors; a failure after that
// aborts the response instead of ending it cleanly.
import { ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HttpCode, Controller, HttpException, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { ApiPlainTextErrors, binaryContent } from '../common/api-responses';
import { Caller, RequirePermission } from '../permissions';
import { readOneshotRequest } from './oneshot-request';
import { OneshotService } from './oneshot.service';

/** Oneshot warnings (unknown params ignored) travel in this header: the body is the pipeline's output. */
export const WARNINGS_HEADER = 'x-skit-warnings';

@ApiTags('oneshot')
@Controller('api/v1/process')
export class OneshotController {
  constructor(private readonly oneshot: OneshotService) {}

  @Post()
  @HttpCode(200)
  @RequirePermission('create_sessions', 'Permission denied: cannot execute oneshot pipelines')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: 'Parts in order: `config` (the pipeline YAML, a field or a file), then optional `media`',
    schema: {
      type: 'object',
      required: ['config'],
      properties: { config: { type: 'string' }, media: { type: 'string', format: 'binary' } },
    },
  })
  @ApiProduces('*/*')
  @ApiOkResponse({
    description:
      "The pipeline's output, streamed. Its content type is http_output's `content_type`, else the feeding " +
      "node's, else the input's, else application/octet-stream. A failure after the first byte aborts the response.",
    content: binaryContent('*/*'),
    headers: {
      [WARNINGS_HEADER]: {
        description: 'JSON array of warnings (unknown params ignored), present when there are some',
        schema: { type: 'string' },
      },
    },
  })
  @ApiPlainTextErrors(400, 403, 413, 422, 429, 500, 503)
  async process(
    @Caller() caller: Caller,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const limit = this.oneshot.maxBodySize;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      throw new HttpException(`Request body exceeds max_body_size (${limit} bytes)`, 413);
    }
    const release = this.oneshot.acquire();
    const aborted = new AbortController();
    let finished = false;
    reply.raw.once('close', () => {
      release();
      if (!finished) aborted.abort();
    });
    const { yaml, media } = await readOneshotRequest(req, limit);
    const run = await this.oneshot.run(caller, yaml, media, aborted.signal);
    const body = Readable.from(run.output, { objectMode: false });
    body.once('end', () => (finished = true));
    if (run.warnings.length > 0) reply.header(WARNINGS_HEADER, warningsHeader(run.warnings));
    await reply.header('content-type', run.contentType).send(body);
  }
}

/** Bounds of the header: a pipeline can have many nodes; proxies refuse huge headers. */
const MAX_HEADER_WARNINGS = 32;
const MAX_HEADER_BYTES = 8192;

/** A JSON array of warning messages, ASCII only (non-ASCII escaped as \uXXXX), bounded in count and size. */
export function warningsHeader(warnings: readonly { message: string }[]): string {
  const messages: string[] = [];
  let size = 2;
  for (const w of warnings.slice(0, MAX_HEADER_WARNINGS)) {
    const text = JSON.stringify(w.message).replace(/[^\x20-\x7e]/g, (c) => {
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    });
    if (size + text.length + 1 > MAX_HEADER_BYTES) break;
    messages.push(text);
    size += text.length + 1;
  }
  const more = warnings.length - messages.length;
  if (more > 0) messages.push(JSON.stringify(`... and ${more} more`));
  return `[${messages.join(',')}]`;
}
