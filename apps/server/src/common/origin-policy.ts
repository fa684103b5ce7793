// Browser-origin decisions from `[server.cors].allowed_origins`, shared by the HTTP hooks and any
// WebSocket endpoint that upgrades outside Fastify's routing (use `isUpgradeAllowed` in `verifyClient`).
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { isOriginAllowed } from '@streamkit/pipeline/security';
import { CONFIG, type Config } from '../config';

export const ORIGIN_DENIED_MESSAGE = 'Origin not allowed (configure [server.cors].allowed_origins)';
export const WS_ORIGIN_DENIED_MESSAGE = 'WebSocket Origin not allowed';

@Injectable()
export class OriginPolicy {
  readonly patterns: readonly string[];

  constructor(@Inject(CONFIG) config: Config) {
    this.patterns = config.server.cors.allowed_origins;
  }

  isAllowed(origin: string): boolean {
    return isOriginAllowed(this.patterns, origin);
  }

  /** A request without `Origin` (CLI, curl, server-to-server) is allowed; a browser's must match. */
  isUpgradeAllowed(headers: IncomingHttpHeaders): boolean {
    const origin = headers.origin;
    return origin === undefined || this.isAllowed(origin);
  }
}
