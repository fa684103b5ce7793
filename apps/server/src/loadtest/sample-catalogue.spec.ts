// Every shipped pipeline (samples/pipelines/{oneshot,dynamic}, samples/loadtest/pipelines) compiles with the
// server's node kinds in its mode, with no warnings except the StreamKit-only params the load-test pipelines
// keep on purpose; every oneshot load-test pipeline runs on our audio (the oneshot samples are run and probed
// by libs/pipeline/src/nodes/audio/samples.spec.ts). Every scenario in samples/loadtest parses and points at
// files that exist.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { moqNodeDefinitions } from '@streamkit/moq/nodes';
import { compilePipeline, createDefaultRegistry, parsePipelineYaml } from '@streamkit/pipeline';
import { permissiveServices, runOneshotGraph } from '@streamkit/pipeline/testing';
import { exampleWasmGain } from '@streamkit/pipeline/testing/plugin-examples';
import { pluginNodeDefinition } from '@streamkit/pipeline/plugins/plugin-node';
import { WasmPlugin } from '@streamkit/pipeline/plugins/wasm-plugin';
import { loadScenario } from './scenario';

const REPO = join(__dirname, '..', '..', '..', '..', '..');
const DIRS = ['samples/pipelines/oneshot', 'samples/pipelines/dynamic', 'samples/loadtest/pipelines'];
/** StreamKit's MoQ load-test pipelines carry these subscriber params; they are ignored here, with a warning. */
const STREAMKIT_ONLY = new Set(['/max_retries', '/backoff_cap']);

function registry() {
  const r = createDefaultRegistry();
  for (const def of moqNodeDefinitions) r.register(def);
  return r;
}

function files(dir: string): string[] {
  return readdirSync(join(REPO, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f));
}

describe('shipped sample catalogue', () => {
  const reg = registry();

  for (const file of DIRS.flatMap(files)) {
    it(`${file} compiles`, () => {
      const spec = parsePipelineYaml(readFileSync(join(REPO, file), 'utf8'));
      const res = compilePipeline(spec, reg, { services: permissiveServices(REPO) });
      // Samples of StreamKit's model-backed speech kinds compile but for their models, which are not shipped.
      assert.deepEqual(
        res.problems
          .map((p) => p.message)
          .filter((m) => !/model not found at .*; run `skit models pull /.test(m)),
        [],
      );
      assert.deepEqual(
        res.warnings.filter((w) => !STREAMKIT_ONLY.has(w.path ?? '')).map((w) => w.message),
        [],
      );
    });
  }

  const oneshots = files('samples/loadtest/pipelines').filter((f) => f.includes('/oneshot_'));
  for (const file of oneshots) {
    it(`${file} runs on our audio`, async () => {
      const r = await runOneshotGraph(reg, readFileSync(join(REPO, file), 'utf8'), {
        input: readFileSync(join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg')),
        services: permissiveServices(REPO),
      });
      assert.ok(r.output.byteLength > 10_000, `${file}: ${r.output.byteLength} bytes`);
      for (const [id, state] of Object.entries(r.states)) {
        assert.ok(!(typeof state === 'object' && 'Failed' in state), `${id}: ${JSON.stringify(state)}`);
      }
    });
  }

  it('samples/plugins/gain_filter_wasm.yml (StreamKit gain_filter_rust) runs with the example WASM plugin', async () => {
    const withPlugin = registry();
    const plugin = await WasmPlugin.load(readFileSync(exampleWasmGain()), 'gain.wasm');
    withPlugin.register(pluginNodeDefinition('plugin::wasm::gain', plugin));
    const r = await runOneshotGraph(
      withPlugin,
      readFileSync(join(REPO, 'samples/plugins/gain_filter_wasm.yml'), 'utf8'),
      {
        input: readFileSync(join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg')),
        services: permissiveServices(REPO),
      },
    );
    assert.equal(r.contentType, 'audio/ogg');
    assert.ok(r.output.byteLength > 10_000);
  });

  it('every scenario in samples/loadtest parses and its files exist', () => {
    const scenarios = readdirSync(join(REPO, 'samples/loadtest')).filter((f) => f.endsWith('.toml'));
    assert.ok(scenarios.length >= 8);
    for (const f of scenarios) {
      const s = loadScenario(join('samples/loadtest', f), REPO);
      assert.equal(s.serverUrl, 'http://127.0.0.1:4545', f);
    }
  });
});
