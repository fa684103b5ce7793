// The seam between the `plugins` query and the plugin module (not written yet). The plugin module provides
// `PLUGIN_CATALOG` globally; until it does, the query answers with an empty list.
import type { Caller } from '../permissions';

/** One loaded plugin, in StreamKit's `GET /api/v1/plugins` shape. */
export interface PluginSummary {
  kind: string;
  original_kind: string;
  file_name: string;
  categories: string[];
  loaded_at_ms: number;
  plugin_type: 'native' | 'wasm';
}

export interface PluginCatalog {
  /** The plugins this caller may see (filtered by `allowed_plugins`). */
  list(caller: Caller): PluginSummary[] | Promise<PluginSummary[]>;
}

export const PLUGIN_CATALOG = Symbol('PLUGIN_CATALOG');

export const EMPTY_PLUGIN_CATALOG: PluginCatalog = { list: () => [] };
