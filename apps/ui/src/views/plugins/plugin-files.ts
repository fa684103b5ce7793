// What the Plugins view shows and checks before an upload: the extensions the server loads (plugins/ABI.md)
// and the loaded kinds grouped by the file that provides them.
import type { PluginSummary } from '../../api/types';

/** `.wasm` (WebAssembly) and `.node` (Node-API addon); the server refuses anything else with 400. */
export const PLUGIN_EXTENSIONS = ['wasm', 'node'];

/** Refuses a file the server would refuse for its name alone, before sending it. */
export function pluginUploadProblem(file: { name: string }): string | null {
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  if (!PLUGIN_EXTENSIONS.includes(ext) || file.name.startsWith('.'))
    return `“${file.name}” is not a plugin file: the server loads .wasm (WebAssembly) and .node (Node-API) files`;
  return null;
}

export interface PluginFile {
  fileName: string;
  pluginType: PluginSummary['plugin_type'];
  loadedAtMs: number;
  kinds: PluginSummary[];
}

/** One entry per plugin file, with every kind it registered, in the server's order. */
export function groupByFile(plugins: readonly PluginSummary[]): PluginFile[] {
  const files = new Map<string, PluginFile>();
  for (const p of plugins) {
    const key = `${p.plugin_type}/${p.file_name}`;
    const file = files.get(key) ?? {
      fileName: p.file_name,
      pluginType: p.plugin_type,
      loadedAtMs: p.loaded_at_ms,
      kinds: [],
    };
    file.kinds.push(p);
    file.loadedAtMs = Math.min(file.loadedAtMs, p.loaded_at_ms);
    files.set(key, file);
  }
  return [...files.values()];
}
