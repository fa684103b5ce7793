// HttpException subclasses Nest lacks; throw these (or Nest's own, e.g. ConflictException) with a string
// message and the global filter answers with that text as `text/plain`.
import { HttpException, HttpStatus } from '@nestjs/common';

/** 429: a global limit (sessions, oneshots) is reached. */
export class TooManyRequestsException extends HttpException {
  constructor(message = 'Too many requests') {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}
