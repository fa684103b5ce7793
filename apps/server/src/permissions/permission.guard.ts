// `@RequirePermission(flag)` on a handler or controller, enforced by the global PermissionGuard: a caller
// lacking the flag gets 403 with StreamKit's wording (or the message given to the decorator).
import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PermissionFlag } from '../config';
import { requestFromContext } from './request-context';

const REQUIRED = 'streamkit:required-permission';

interface Requirement {
  flag: PermissionFlag;
  message: string;
}

/** StreamKit's 403 texts per flag; routes with other wording pass their own message. */
export const DENIED_MESSAGES: Record<PermissionFlag, string> = {
  create_sessions: 'Permission denied: cannot create sessions',
  destroy_sessions: 'Permission denied: cannot destroy sessions',
  list_sessions: 'Permission denied: cannot list sessions',
  modify_sessions: 'Permission denied: cannot modify sessions',
  tune_nodes: 'Permission denied: cannot tune nodes',
  load_plugins: 'Permission denied: cannot load plugins',
  delete_plugins: 'Permission denied: cannot delete plugins',
  list_nodes: 'Permission denied: cannot list nodes',
  list_samples: 'Access forbidden',
  read_samples: 'Access forbidden',
  write_samples: 'Access forbidden',
  delete_samples: 'Access forbidden',
  access_all_sessions: 'Permission denied: requires access to all sessions',
  upload_assets: 'Insufficient permissions',
  delete_assets: 'Insufficient permissions',
};

/** Requires a capability flag; `message` overrides the 403 body. */
export const RequirePermission = (flag: PermissionFlag, message?: string) =>
  SetMetadata(REQUIRED, { flag, message: message ?? DENIED_MESSAGES[flag] } satisfies Requirement);

@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = this.reflector.getAllAndOverride<Requirement | undefined>(REQUIRED, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!req) return true;
    const caller = requestFromContext(ctx)?.caller;
    if (!caller?.can(req.flag)) throw new ForbiddenException(req.message);
    return true;
  }
}
