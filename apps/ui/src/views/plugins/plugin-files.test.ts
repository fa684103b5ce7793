import { describe, expect, it } from 'vitest';
import type { PluginSummary } from '../../api/types';
import { groupByFile, pluginUploadProblem } from './plugin-files';

const summary = (kind: string, file: string, at: number): PluginSummary => ({
  kind,
  original_kind: kind.split('::').pop() ?? kind,
  file_name: file,
  categories: ['audio'],
  loaded_at_ms: at,
  plugin_type: 'wasm',
});

describe('plugin files', () => {
  it('accepts the extensions the server loads and refuses the rest by name', () => {
    expect(pluginUploadProblem({ name: 'gain.wasm' })).toBeNull();
    expect(pluginUploadProblem({ name: 'gain.NODE' })).toBeNull();
    expect(pluginUploadProblem({ name: 'libgain.so' })).toMatch(/not a plugin file/);
    expect(pluginUploadProblem({ name: '.hidden.wasm' })).toMatch(/not a plugin file/);
  });

  it('groups kinds under the file that provides them, keeping the server order', () => {
    const files = groupByFile([
      summary('plugin::wasm::a', 'a.wasm', 20),
      summary('plugin::wasm::b', 'b.wasm', 5),
      summary('plugin::wasm::a2', 'a.wasm', 10),
    ]);
    expect(files.map((f) => [f.fileName, f.kinds.map((k) => k.kind), f.loadedAtMs])).toEqual([
      ['a.wasm', ['plugin::wasm::a', 'plugin::wasm::a2'], 10],
      ['b.wasm', ['plugin::wasm::b'], 5],
    ]);
  });
});
