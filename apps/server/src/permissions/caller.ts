// The caller of a request as the permission model sees it: the resolved role name, its capability flags and
// allow-lists. `Caller` is both the type and the `@Caller()` parameter decorator that injects it.
import { createParamDecorator, ForbiddenException, type ExecutionContext } from '@nestjs/common';
import { matchesAny } from '@streamkit/pipeline/security';
import { PERMISSION_FLAGS, type PermissionFlag, type Role } from '../config';
import type { PermissionsInfo, PermissionsResponse } from './permissions.dto';
import { DENIED_MESSAGES, nodeDeniedMessage, type NodeCheckSite } from './denied';
import { requestFromContext } from './request-context';

export type { PermissionsInfo };

declare module 'fastify' {
  interface FastifyRequest {
    /** Resolved by the permissions onRequest hook for every request. */
    caller?: Caller;
  }
}

export interface Caller {
  /** The role name (a role defined in `[permissions.roles]`; used as session owner). */
  readonly role: string;
  /** Capability flags of the effective role. */
  readonly permissions: Readonly<PermissionsInfo>;
  can(flag: PermissionFlag): boolean;
  /**
   * The one service-level check of a flag: throws 403 (ForbiddenException) with the flag's text, or `message`
   * where StreamKit words that refusal differently. Every transport's rules go through services that use it.
   */
  require(flag: PermissionFlag, message?: string): void;
  /** The allow-list check of a node kind (`plugin::*` kinds need `allowed_plugins` too): throws 403 naming both. */
  requireNode(nodeId: string, kind: string, site: NodeCheckSite): void;
  /** `allowed_nodes` matches; for `plugin::*` kinds `allowed_plugins` must match too. */
  canUseNode(kind: string): boolean;
  /** `allowed_plugins` matches the (namespaced) plugin kind. */
  canUsePlugin(kind: string): boolean;
  /** `allowed_samples` matches a path relative to samples_dir, e.g. `oneshot/mix.yml`. */
  canSeeSample(path: string): boolean;
  /** `allowed_assets` matches an asset path such as `samples/audio/system/a.wav`. */
  canSeeAsset(path: string): boolean;
  /** May see and control a session created by `createdBy` (own role, no creator, or access_all_sessions). */
  canAccessSession(createdBy: string | undefined): boolean;
}

export class ResolvedCaller implements Caller {
  readonly permissions: Readonly<PermissionsInfo>;

  constructor(
    readonly role: string,
    private readonly grants: Readonly<Role>,
  ) {
    this.permissions = Object.freeze(
      Object.fromEntries(PERMISSION_FLAGS.map((f) => [f, grants[f] === true])) as PermissionsInfo,
    );
  }

  can(flag: PermissionFlag): boolean {
    return this.permissions[flag];
  }

  require(flag: PermissionFlag, message?: string): void {
    if (!this.permissions[flag]) throw new ForbiddenException(message ?? DENIED_MESSAGES[flag]);
  }

  requireNode(nodeId: string, kind: string, site: NodeCheckSite): void {
    const plugin = kind.startsWith('plugin::');
    if (plugin && !this.canUsePlugin(kind))
      throw new ForbiddenException(nodeDeniedMessage(site, nodeId, kind, true));
    if (!this.canUseNode(kind)) throw new ForbiddenException(nodeDeniedMessage(site, nodeId, kind, false));
  }

  canUseNode(kind: string): boolean {
    if (!matchesAny(this.grants.allowed_nodes, kind)) return false;
    return !kind.startsWith('plugin::') || this.canUsePlugin(kind);
  }

  canUsePlugin(kind: string): boolean {
    return matchesAny(this.grants.allowed_plugins, kind);
  }

  canSeeSample(path: string): boolean {
    return matchesAny(this.grants.allowed_samples, path);
  }

  canSeeAsset(path: string): boolean {
    return matchesAny(this.grants.allowed_assets, path);
  }

  canAccessSession(createdBy: string | undefined): boolean {
    return this.permissions.access_all_sessions || createdBy === undefined || createdBy === this.role;
  }

  toJSON(): PermissionsResponse {
    return { role: this.role, permissions: { ...this.permissions } };
  }
}

/**
 * Parameter decorator: the resolved caller of the current request (HTTP or GraphQL).
 * `handler(@Caller() caller: Caller)`.
 */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = requestFromContext(ctx)?.caller;
  if (!caller) throw new Error('No caller on this request: is the permissions onRequest hook registered?');
  return caller;
});
