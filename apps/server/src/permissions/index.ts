// Public surface of the permission model for other modules.
export { Caller, ResolvedCaller, type PermissionsInfo } from './caller';
export { DENIED_MESSAGES, PermissionGuard, RequirePermission } from './permission.guard';
export { PermissionsService, RoleHeaderError } from './permissions.service';
export { requestFromContext } from './request-context';
