// Multipart request bodies, read the same way by every route that takes one (oneshot, plugins, assets): a
// request that is not multipart is a 400 naming what the route expects, and @fastify/multipart's own errors
// (its count and size limits carry 413, a malformed or cut-short body 400) become HTTP errors with the route's
// wording. Every part busboy reads is held until the request ends, so each route bounds their number.
import '@fastify/multipart';
import { BadRequestException, HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export type MultipartPart = import('@fastify/multipart').Multipart;
export type MultipartLimits = NonNullable<Parameters<FastifyRequest['parts']>[0]>['limits'];

export interface MultipartOptions {
  limits: MultipartLimits;
  /** The 400 for a body that is not multipart, saying what the route expects. */
  notMultipart: string;
  /** The prefix of a multipart error's message (it may name the part being read). */
  errorPrefix: () => string;
  /** Status of a limit error: 413 where the route reports sizes as such (default), else 400. */
  limitStatus?: 413 | 400;
}

/** The parts of `req`, in order; throws HTTP errors only. */
export async function* multipartParts(
  req: FastifyRequest,
  options: MultipartOptions,
): AsyncGenerator<MultipartPart> {
  if (!req.isMultipart()) throw new BadRequestException(options.notMultipart);
  const parts = req.parts({ limits: options.limits });
  for (;;) {
    let res: IteratorResult<MultipartPart>;
    try {
      res = await parts.next();
    } catch (err) {
      throw multipartError(err, options);
    }
    if (res.done) return;
    yield res.value;
  }
}

/** An error of @fastify/multipart (or of reading a part) as the route's HTTP error; HTTP errors pass through. */
export function multipartError(
  err: unknown,
  options: Pick<MultipartOptions, 'errorPrefix' | 'limitStatus'>,
): Error {
  if (err instanceof HttpException) return err;
  const e = err as Error & { statusCode?: number };
  const status = e.statusCode === 413 ? (options.limitStatus ?? 413) : 400;
  return new HttpException(`${options.errorPrefix()}${e.message}`, status);
}
