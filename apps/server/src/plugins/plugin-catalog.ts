// The seam between the GraphQL `plugins` query and the plugins module: the module provides `PLUGIN_CATALOG`
// globally; a server built without it answers the query with an empty list.
import type { PluginSummary } from '@streamkit/pipeline/plugins';
import type { Caller } from '../permissions';

export type { PluginSummary };

export interface PluginCatalog {
  /** The plugins this caller may see (filtered by `allowed_plugins`). */
  list(caller: Caller): PluginSummary[] | Promise<PluginSummary[]>;
}

export const PLUGIN_CATALOG = Symbol('PLUGIN_CATALOG');

export const EMPTY_PLUGIN_CATALOG: PluginCatalog = { list: () => [] };
