// The body of `POST /api/v1/process`: the `config` part first (the pipeline YAML, a field or a file, at most
// CONFIG_LIMIT bytes), then an optional `media` part within 5 s (other parts are skipped), streamed on to the
// run without buffering it.
import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { multipartParts, type MultipartPart } from '../common/multipart';
import { refuseTruncated } from '../common/uploads';
import type { MediaPart } from './oneshot.service';

const MEDIA_WAIT_MS = 5000;
/** The pipeline YAML, sent as a field or as a file part alike. */
export const CONFIG_LIMIT = 1024 * 1024;
/**
 * Shape of the multipart body: `config`, `media` and a few skipped extras. Every part busboy reads is kept in
 * memory until the request ends (fields up to their size), so their number is bounded too.
 */
const MULTIPART_LIMITS = { parts: 8, fields: 6, files: 3, fieldNameSize: 100, headerPairs: 20 };

const configTooLarge = () =>
  new HttpException(`The 'config' part exceeds ${CONFIG_LIMIT} bytes`, HttpStatus.PAYLOAD_TOO_LARGE);

/** Reads `config` and finds `media`; `limit` is max_body_size. Throws HTTP errors only. */
export async function readOneshotRequest(
  req: FastifyRequest,
  limit: number,
): Promise<{ yaml: string; media: MediaPart | undefined }> {
  let reading = 'config';
  const parts = multipartParts(req, {
    limits: { ...MULTIPART_LIMITS, fileSize: limit, fieldSize: CONFIG_LIMIT },
    notMultipart: 'Expected multipart/form-data with a `config` field',
    errorPrefix: () => `Multipart error while reading ${reading}: `,
  });
  const yaml = await readConfig(parts);
  reading = 'media';
  return { yaml, media: await nextMedia(parts, limit) };
}

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

async function readConfig(parts: AsyncGenerator<MultipartPart>): Promise<string> {
  const first = await parts.next();
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
async function nextMedia(
  parts: AsyncGenerator<MultipartPart>,
  limit: number,
): Promise<MediaPart | undefined> {
  const deadline = Date.now() + MEDIA_WAIT_MS;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    const res = await Promise.race([parts.next(), timeout]);
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
