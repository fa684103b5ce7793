// The capability flags a role grants, in StreamKit's order (also the order of `/api/v1/permissions`), with
// what each allows: one list for the server's config schema and guards and for the web UI.
/** The 15 capability flags, in StreamKit's order (also the order of `/api/v1/permissions`). */
export const PERMISSION_FLAGS = [
  'create_sessions',
  'destroy_sessions',
  'list_sessions',
  'modify_sessions',
  'tune_nodes',
  'load_plugins',
  'delete_plugins',
  'list_nodes',
  'list_samples',
  'read_samples',
  'write_samples',
  'delete_samples',
  'access_all_sessions',
  'upload_assets',
  'delete_assets',
] as const;
export type PermissionFlag = (typeof PERMISSION_FLAGS)[number];

export const PERMISSION_FLAG_DOCS: Record<PermissionFlag, string> = {
  create_sessions: 'Create dynamic sessions and run oneshot pipelines.',
  destroy_sessions: 'Destroy sessions (own ones unless access_all_sessions).',
  list_sessions: 'List sessions and read their pipelines.',
  modify_sessions: 'Add/remove nodes and connections, apply batches.',
  tune_nodes: 'Change node parameters while a session runs.',
  load_plugins: 'Upload plugins (also needs [plugins].allow_http_management).',
  delete_plugins: 'Unload plugins (also needs [plugins].allow_http_management).',
  list_nodes: 'List node kinds over the control plane.',
  list_samples: 'List sample pipelines.',
  read_samples: 'Read a sample pipeline.',
  write_samples: 'Save user sample pipelines.',
  delete_samples: 'Delete user sample pipelines.',
  access_all_sessions: 'See and control every session, not only those created by this role.',
  upload_assets: 'Upload audio assets.',
  delete_assets: 'Delete user audio assets.',
};
