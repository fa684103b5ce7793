// `@RequirePermission(flag)` on a handler or controller, enforced by the global PermissionGuard: a caller
// lacking the flag gets 403 with StreamKit's wording (or the message given to the decorator).
import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { PermissionFlag } from '../config';
import { DENIED_MESSAGES } from './denied';
import { requestFromContext } from './request-context';

export { DENIED_MESSAGES };

const REQUIRED = 'streamkit:required-permission';

interface Requirement {
  flag: PermissionFlag;
  message: string;
}

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
    if (!caller) throw new ForbiddenException(req.message);
    caller.require(req.flag, req.message);
    return true;
  }
}
