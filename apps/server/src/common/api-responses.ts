// What the controllers declare about their responses beyond the success body: errors are plain text with the
// status code (PlainTextExceptionFilter), and response DTOs that document an engine type keep its exact shape.
import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type ContentObject } from '@nestjs/swagger';

const REASONS: Record<number, string> = {
  400: 'Invalid request',
  403: 'Permission denied',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'The pipeline failed before its first output byte',
  501: 'Not enabled on this server',
  503: 'Unavailable',
};

/** The plain-text body of every error response. */
export const PLAIN_TEXT: ContentObject = { 'text/plain': { schema: { type: 'string' } } };

/** A binary body of each of these content types (streams, files, profiles). */
export function binaryContent(...types: string[]): ContentObject {
  return Object.fromEntries(types.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]));
}

/** Error responses a route can answer with, each a plain-text message. */
export function ApiPlainTextErrors(...statuses: (keyof typeof REASONS)[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: `${REASONS[status]} (plain-text message)`, content: PLAIN_TEXT }),
    ),
  );
}

/** True when A and B have the same keys and each is assignable to the other. */
export type SameShape<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;

/**
 * Compiles only when the response DTO `A` has exactly the shape of `B` (a type the engine owns), so the
 * documented contract cannot drift from what the service returns: `sameShape<NodeSchemaEntryDto, NodeSchemaEntry>(true)`.
 */
export function sameShape<A, B>(check: SameShape<A, B>): void {
  void check;
}
