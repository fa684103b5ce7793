// Resolves the caller's role per request: trusted `[permissions].role_header`, else `SK_ROLE`, else
// `default_role`; an undefined role falls back to the default role's grants (with one warning per name).
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { CONFIG, EMPTY_ROLE, RUNTIME_ENV, type Config, type Role, type RuntimeEnv } from '../config';
import { LOGGER } from '../common/logging';
import { ResolvedCaller, type Caller } from './caller';

const VISIBLE_ASCII = /^[\x20-\x7e]+$/;
const MAX_CACHED_ROLES = 256;

@Injectable()
export class PermissionsService {
  private readonly headerName: string | undefined;
  /** Callers are immutable and config is fixed, so one per role name is enough. */
  private readonly callers = new Map<string, Caller>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(RUNTIME_ENV) private readonly env: RuntimeEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.headerName = config.permissions.role_header?.trim().toLowerCase() || undefined;
  }

  /** The role header name (lower-case) when one is configured. */
  get roleHeader(): string | undefined {
    return this.headerName;
  }

  /** The requested role name for these request headers. */
  roleNameFor(headers: IncomingHttpHeaders): string {
    if (this.headerName) {
      const raw = headers[this.headerName];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value !== undefined && VISIBLE_ASCII.test(value)) return value;
    }
    return this.env.SK_ROLE ?? this.config.permissions.default_role;
  }

  /** The caller for these request headers (HTTP requests, WebSocket upgrades). */
  resolve(headers: IncomingHttpHeaders): Caller {
    return this.callerForRole(this.roleNameFor(headers));
  }

  /** The caller for a role name; unknown names get the default role's grants. */
  callerForRole(role: string): Caller {
    const cached = this.callers.get(role);
    if (cached) return cached;
    const roles = this.config.permissions.roles;
    let grants: Role | undefined = Object.hasOwn(roles, role) ? roles[role] : undefined;
    if (!grants) {
      this.log.warn(
        { role, default_role: this.config.permissions.default_role },
        `Role '${role}' not found, falling back to the default role`,
      );
      const def = this.config.permissions.default_role;
      grants = Object.hasOwn(roles, def) ? roles[def] : EMPTY_ROLE;
    }
    const caller = new ResolvedCaller(role, grants);
    // Header values are caller-controlled: cap the cache so random role names cannot grow it without bound.
    if (this.callers.size < MAX_CACHED_ROLES) this.callers.set(role, caller);
    return caller;
  }
}
