// What the current role may do in the UI, derived from `GET /api/v1/permissions`. A failed or missing
// answer denies everything: the UI never offers an action the server would refuse.
import { PERMISSION_FLAGS, type PermissionFlag } from '@streamkit/pipeline/security/permission-flags';
import type { Permissions, PermissionsResponse } from '../api/types';

/** The server's flags, from the one list both share. */
export const PERMISSION_KEYS: readonly PermissionFlag[] = PERMISSION_FLAGS;

export const DENY_ALL: Permissions = Object.fromEntries(
  PERMISSION_KEYS.map((k) => [k, false]),
) as unknown as Permissions;

/** Accepts the server's answer, treating anything missing or non-boolean as denied. */
export function normalizePermissions(body: unknown): PermissionsResponse {
  const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const raw =
    typeof obj.permissions === 'object' && obj.permissions !== null
      ? (obj.permissions as Record<string, unknown>)
      : {};
  const permissions = Object.fromEntries(
    PERMISSION_KEYS.map((k) => [k, raw[k] === true]),
  ) as unknown as Permissions;
  return { role: typeof obj.role === 'string' ? obj.role : 'unknown', permissions };
}

export interface Capabilities {
  /** Create dynamic sessions (Design's "Create session"). */
  createSession: boolean;
  /** Run oneshot pipelines through /api/v1/process (the server checks `create_sessions`). */
  runOneshot: boolean;
  listSamples: boolean;
  saveSample: boolean;
  deleteSample: boolean;
  uploadAsset: boolean;
  deleteAsset: boolean;
  /** Upload plugins (the server also needs `[plugins].allow_http_management`). */
  uploadPlugin: boolean;
  deletePlugin: boolean;
}

export function capabilities(p: Permissions): Capabilities {
  return {
    createSession: p.create_sessions,
    runOneshot: p.create_sessions,
    listSamples: p.list_samples,
    saveSample: p.write_samples,
    deleteSample: p.delete_samples,
    uploadAsset: p.upload_assets,
    deleteAsset: p.delete_assets,
    uploadPlugin: p.load_plugins,
    deletePlugin: p.delete_plugins,
  };
}
