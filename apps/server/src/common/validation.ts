// The ValidationPipe for JSON bodies: class-validator DTOs, unknown fields ignored (as StreamKit's serde does),
// every problem reported at once as plain text by the global filter.
import { ValidationPipe } from '@nestjs/common';

export const BODY_VALIDATION = new ValidationPipe({
  transform: true,
  whitelist: true,
  forbidUnknownValues: false,
  validationError: { target: false, value: false },
});
