// The 403 texts of the permission model, StreamKit's wording: one per capability flag, and the allow-list
// refusals of node kinds (sessions and oneshot runs word them differently in StreamKit; both kept).
import type { PermissionFlag } from '../config';

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

/** Where a node kind is refused: session commands and oneshot runs have StreamKit's two wordings. */
export type NodeCheckSite = 'session' | 'oneshot';

export function nodeDeniedMessage(
  site: NodeCheckSite,
  nodeId: string,
  kind: string,
  plugin: boolean,
): string {
  if (site === 'oneshot') {
    return plugin
      ? `Permission denied: plugin '${kind}' not allowed (node '${nodeId}')`
      : `Permission denied: node type '${kind}' not allowed (node '${nodeId}')`;
  }
  return `Permission denied: node '${nodeId}' ${plugin ? 'plugin' : 'kind'} '${kind}' not allowed`;
}
