// Adapts the server's pino logger to the engine's small `Logger` interface.
import type { Logger as EngineLogger } from '@streamkit/pipeline';
import type { Logger } from 'pino';

export function engineLogger(log: Logger, bindings: Record<string, unknown> = {}): EngineLogger {
  const child = log.child({ component: 'engine', ...bindings });
  return {
    debug: (msg, fields) => child.debug(fields ?? {}, msg),
    info: (msg, fields) => child.info(fields ?? {}, msg),
    warn: (msg, fields) => child.warn(fields ?? {}, msg),
    error: (msg, fields) => child.error(fields ?? {}, msg),
  };
}
