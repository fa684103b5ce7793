// Resolves the caller's role per request: trusted `[permissions].role_header`, else `SK_ROLE`, else
// `default_role`. Fails closed: a role header that is present but names no defined role exactly (wrong case,
// several values, a repeated header line, empty or non-ASCII) is refused with 403, never mapped to a default.
import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { CONFIG, RUNTIME_ENV, type Config, type Role, type RuntimeEnv } from '../config';
import { LOGGER } from '../common/logging';
import { ResolvedCaller, type Caller } from './caller';

const VISIBLE_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
/** Caller-supplied values are echoed in 403 messages: only this much of them. */
const ECHO_LIMIT = 64;

/** 403: the role header does not name exactly one defined role. The message names the header. */
export class RoleHeaderError extends ForbiddenException {
  constructor(message: string) {
    super(message);
  }
}

function echo(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > ECHO_LIMIT ? `${printable.slice(0, ECHO_LIMIT)}...` : printable;
}

@Injectable()
export class PermissionsService {
  private readonly headerName: string | undefined;
  /** The role used when no header applies (`SK_ROLE`, else `default_role`); checked to exist at startup. */
  private readonly fallbackRole: string;
  /** One immutable caller per defined role: role names come from the config, so this cannot grow. */
  private readonly callers = new Map<string, Caller>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(RUNTIME_ENV) env: RuntimeEnv,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.headerName = config.permissions.role_header?.trim().toLowerCase() || undefined;
    this.fallbackRole = env.SK_ROLE ?? config.permissions.default_role;
    if (!this.grantsOf(this.fallbackRole)) {
      const source = env.SK_ROLE !== undefined ? 'SK_ROLE' : 'permissions.default_role';
      throw new Error(
        `${source} names role '${this.fallbackRole}', which is not defined in [permissions.roles]`,
      );
    }
  }

  /** The role header name (lower-case) when one is configured. */
  get roleHeader(): string | undefined {
    return this.headerName;
  }

  /**
   * The role name for these request headers. Throws `RoleHeaderError` when the configured header is present
   * but does not name exactly one defined role (Node joins repeated header lines with ", ").
   */
  roleNameFor(headers: IncomingHttpHeaders): string {
    if (!this.headerName) return this.fallbackRole;
    const raw = headers[this.headerName];
    if (raw === undefined) return this.fallbackRole;
    const header = this.headerName;
    if (Array.isArray(raw) || raw.includes(',')) {
      throw this.refuse(
        `Role header '${header}' must appear once with one role name (got '${echo(String(raw))}')`,
      );
    }
    if (!VISIBLE_ASCII.test(raw)) {
      throw this.refuse(`Role header '${header}' must be a role name in visible ASCII (got '${echo(raw)}')`);
    }
    if (!this.grantsOf(raw)) {
      throw this.refuse(
        `Role header '${header}' names unknown role '${echo(raw)}' (role names are matched exactly, case included)`,
      );
    }
    return raw;
  }

  /** The caller for these request headers (HTTP requests, WebSocket upgrades); throws `RoleHeaderError`. */
  resolve(headers: IncomingHttpHeaders): Caller {
    return this.callerForRole(this.roleNameFor(headers));
  }

  /** The caller for a defined role name; an undefined name gets no grants at all (fail closed). */
  callerForRole(role: string): Caller {
    const cached = this.callers.get(role);
    if (cached) return cached;
    const grants = this.grantsOf(role);
    if (!grants) throw this.refuse(`Unknown role '${echo(role)}'`);
    const caller = new ResolvedCaller(role, grants);
    this.callers.set(role, caller);
    return caller;
  }

  private grantsOf(role: string): Role | undefined {
    const roles = this.config.permissions.roles;
    return Object.hasOwn(roles, role) ? roles[role] : undefined;
  }

  private refuse(message: string): RoleHeaderError {
    this.log.debug({ header: this.headerName }, message);
    return new RoleHeaderError(message);
  }
}
