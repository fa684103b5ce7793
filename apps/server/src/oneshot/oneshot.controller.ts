// `POST /api/v1/process`: a multipart request (`config` first, then optional `media`) runs a pipeline once and
// streams its output back. Errors before the first output byte are proper HTTP errors; a failure after that
// aborts the response instead of ending it cleanly.
import { ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import '@fastify/multipart';
import {
  HttpCode,
  BadRequestException,
  Controller,
  HttpException,
  HttpStatus,
  Post,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { ApiPlainTextErrors, binaryContent } from '../common/api-responses';
import { refuseTruncated } from '../common/uploads';
import { Caller, RequirePermission } from '../permissions';
import { OneshotService, type MediaPart } from './oneshot.service';

type Multipart = AsyncIterableIterator<import('@fastify/multipart').Multipart>;

const MEDIA_WAIT_MS = 5000;
/** The pipeline YAML, sent as a field or as a file part alike. */
export const CONFIG_LIMIT = 1024 * 1024;
/**
 * Shape of the multipart body: `config`, `media` and a few skipped extras. Every part busboy reads is kept in
 * memory until the request ends (fields up to their size), so their number is bounded too.
 */
const MULTIPART_LIMITS = { parts: 8, fields: 6, files: 3, fieldNameSize: 100, headerPairs: 20 };

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
    if (!req.isMultipart())
      throw new BadRequestException('Expected multipart/form-data with a `config` field');
    const release = this.oneshot.acquire();
    const aborted = new AbortController();
    let finished = false;
    reply.raw.once('close', () => {
      release();
      if (!finished) aborted.abort();
    });
    const parts = req.parts({ limits: { ...MULTIPART_LIMITS, fileSize: limit, fieldSize: CONFIG_LIMIT } });
    const yaml = await readConfig(parts);
    const media = await nextMedia(parts, limit);
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

async function next(parts: Multipart, what: string) {
  try {
    return await parts.next();
  } catch (err) {
    const e = err as Error & { statusCode?: number };
    // @fastify/multipart's limit errors (parts, fields, files, sizes) carry 413.
    const status = e.statusCode === 413 ? 413 : 400;
    throw new HttpException(`Multipart error while reading ${what}: ${e.message}`, status);
  }
}

const configTooLarge = () =>
  new HttpException(`The 'config' part exceeds ${CONFIG_LIMIT} bytes`, HttpStatus.PAYLOAD_TOO_LARGE);

/** A file part's bytes, refusing (and discarding the rest) past `max` without buffering more than that. */
async function readCapped(file: NodeJS.ReadableStream & { destroy(): void }, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      file.destroy();
      throw configTooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readConfig(parts: Multipart): Promise<string> {
  const first = await next(parts, 'config');
  if (first.done) throw new BadRequestException('Empty multipart payload');
  const part = first.value;
  if (part.fieldname !== 'config') {
    throw new BadRequestException("Multipart fields must be ordered: 'config' first, then 'media'");
  }
  if (part.type === 'field') {
    if (part.valueTruncated) throw configTooLarge();
    return String(part.value);
  }
  try {
    return (await readCapped(part.file, CONFIG_LIMIT)).toString('utf8');
  } catch (err) {
    if (err instanceof HttpException) throw err;
    throw new BadRequestException(`Failed to read config field: ${(err as Error).message}`);
  }
}

/** The `media` part if one follows within 5 s (other fields are skipped); undefined when the body ends. */
async function nextMedia(parts: Multipart, limit: number): Promise<MediaPart | undefined> {
  const deadline = Date.now() + MEDIA_WAIT_MS;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    const res = await Promise.race([next(parts, 'media'), timeout]);
    clearTimeout(timer);
    if (res === 'timeout') throw new BadRequestException('Timed out waiting for multipart media field');
    if (res.done) return undefined;
    const part = res.value;
    if (part.fieldname !== 'media') {
      if (part.type === 'file') part.file.resume();
      continue;
    }
    if (part.type === 'field') {
      const bytes = Buffer.from(String(part.value));
      return { chunks: [bytes], tooLarge: () => false };
    }
    const file = part.file;
    return {
      chunks: refuseTruncated(
        file,
        () =>
          new HttpException(
            `Request body exceeds max_body_size (${limit} bytes)`,
            HttpStatus.PAYLOAD_TOO_LARGE,
          ),
      ),
      contentType: part.mimetype,
      tooLarge: () => file.truncated,
    };
  }
}
