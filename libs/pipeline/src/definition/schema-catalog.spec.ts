import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import { createDefaultRegistry } from '../registry/default';
import { compilePipeline } from './compile';
import { oneshotProblems } from './oneshot-rules';
import { schemaCatalog, schemaParamChecker, trustParams } from './schema-catalog';
import { parsePipelineYaml } from './yaml';

const registry = createDefaultRegistry();
const entries = new Map(registry.schemaNodes().map((e) => [e.kind, e]));
const catalog = schemaCatalog((k) => entries.get(k), schemaParamChecker(Ajv));

describe('schemaCatalog (the /schema/nodes listing as a compiler catalog)', () => {
  it('finds the problems and warnings the registry finds, in the same words', () => {
    const spec = parsePipelineYaml(`mode: dynamic
nodes:
  src: { kind: core::file_reader, params: { path: a.ogg, chunk_sise: 4 } }
  gain: { kind: audio::gain, params: { gain: loud }, needs: src }
  up: { kind: streamkit::http_output, needs: gain }
  ghost: { kind: no::such::kind }
`);
    const byCatalog = compilePipeline(spec, catalog);
    // The server's own checks beyond the schema (file path allow-lists) pass here.
    const byRegistry = compilePipeline(spec, registry, { services: { resolveReadPath: (p: string) => p } });
    assert.deepEqual(byCatalog.problems, byRegistry.problems);
    assert.deepEqual(byCatalog.warnings, byRegistry.warnings);
    assert.ok(byCatalog.problems.some((p) => p.nodeId === 'gain' && p.path === '/gain'));
    assert.ok(byCatalog.problems.some((p) => p.nodeId === 'up' && /oneshot-only/.test(p.message)));
    assert.ok(byCatalog.problems.some((p) => p.nodeId === 'ghost' && /unknown kind/.test(p.message)));
    assert.deepEqual(
      byCatalog.warnings.map((w) => [w.nodeId, w.path]),
      [['src', '/chunk_sise']],
    );
  });

  it('trustParams skips param checks but keeps pins, types and cardinality', () => {
    const spec = parsePipelineYaml(`nodes:
  src: { kind: core::file_reader, params: { bogus: 1 } }
  enc: { kind: audio::opus::encoder, needs: src }
`);
    const r = compilePipeline(
      spec,
      schemaCatalog((k) => entries.get(k), trustParams),
    );
    assert.deepEqual(r.warnings, []);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0].message, /incompatible types: 'src.out' produces Binary/);
  });

  it('returns the checked nodes with resolved output types even when there are problems', () => {
    const spec = parsePipelineYaml(`nodes:
  src: { kind: core::file_reader, params: { path: a.ogg } }
  pass: { kind: core::passthrough, needs: src }
  bad: { kind: audio::gain, params: { gain: loud }, needs: pass }
`);
    const r = compilePipeline(spec, catalog);
    assert.equal(r.pipeline, undefined);
    assert.equal(r.nodes.get('pass')?.outputTypes.out, 'Binary');
  });
});

describe('oneshotProblems', () => {
  it('names the missing response node, and skips the upload check when the upload is not known', () => {
    const spec = parsePipelineYaml(`mode: oneshot
nodes:
  in: { kind: streamkit::http_input }
  gain: { kind: audio::gain, needs: in }
`);
    assert.deepEqual(
      oneshotProblems(spec).map((p) => p.message),
      ['A oneshot pipeline needs a streamkit::http_output node to produce the response'],
    );
    assert.equal(oneshotProblems(spec, { uploaded: false }).length, 2);
  });
});
