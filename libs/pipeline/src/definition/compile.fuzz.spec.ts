// Fuzz: the pipeline compiler takes any spec (odd node ids, unknown kinds, any params, dangling or cyclic
// connections, odd pins) and answers with problems or a pipeline, never an exception, in bounded time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDefaultRegistry } from '../registry/default';
import { fuzzParams, fuzzTimeoutMs } from '../testing/fuzz';
import { compilePipeline } from './compile';
import type { PipelineSpec } from './types';
import { parsePipelineYaml, pipelineToYaml } from './yaml';

const registry = createDefaultRegistry();
const KINDS = [...registry.kinds(), 'no::such_kind', ''];
const IDS = ['a', 'b', 'c', 'mix', 'toString', '__proto__', 'constructor', 'in', 'out', '', 'x y', 'é'];
const PINS = ['in', 'out', 'in_0', 'in_1', 'in_7', 'aux', '', 'constructor'];

const spec: fc.Arbitrary<PipelineSpec> = fc
  .record({
    mode: fc.constantFrom('oneshot' as const, 'dynamic' as const),
    nodes: fc.array(
      fc.record({
        id: fc.oneof(fc.constantFrom(...IDS), fc.string({ maxLength: 6 })),
        kind: fc.constantFrom(...KINDS),
        params: fc.option(
          fc.oneof(
            fc.jsonValue({ maxDepth: 3 }),
            fc.dictionary(
              fc.constantFrom('gain', 'num_inputs', 'path', 'url', 'script'),
              fc.jsonValue({ maxDepth: 2 }),
            ),
          ),
        ),
      }),
      { maxLength: 12 },
    ),
    connections: fc.array(
      fc.record({
        from_node: fc.constantFrom(...IDS),
        from_pin: fc.constantFrom(...PINS),
        to_node: fc.constantFrom(...IDS),
        to_pin: fc.constantFrom(...PINS),
        mode: fc.option(fc.constantFrom('reliable' as const, 'best_effort' as const), { nil: undefined }),
      }),
      { maxLength: 24 },
    ),
  })
  .map(({ mode, nodes, connections }) => {
    const out: PipelineSpec = { mode, nodes: Object.create(null) as PipelineSpec['nodes'], connections };
    for (const n of nodes) out.nodes[n.id] = { kind: n.kind, params: n.params ?? undefined };
    for (const c of connections) if (c.mode === undefined) delete c.mode;
    return out;
  });

test('any spec compiles to problems or a pipeline, never an exception', { timeout: fuzzTimeoutMs() }, () => {
  fc.assert(
    fc.property(spec, fc.constantFrom('oneshot' as const, 'dynamic' as const), (s, mode) => {
      const t = performance.now();
      const res = compilePipeline(s, registry, { mode, services: {} });
      assert.ok(res.pipeline !== undefined || res.problems.length > 0);
      for (const p of res.problems) assert.equal(typeof p.message, 'string');
      assert.ok(performance.now() - t < 1000);
    }),
    fuzzParams(500),
  );
});

test('a spec written as YAML reads back to the same graph', { timeout: fuzzTimeoutMs() }, () => {
  fc.assert(
    fc.property(spec, (s) => {
      const valid = {
        ...s,
        connections: s.connections.filter((c) => c.from_node in s.nodes && c.to_node in s.nodes),
      };
      const kept = Object.entries(valid.nodes).filter(([id, n]) => id !== '' && n.kind !== '');
      if (kept.length !== Object.keys(valid.nodes).length) return;
      let back: PipelineSpec;
      try {
        back = parsePipelineYaml(pipelineToYaml(valid));
      } catch {
        return; // e.g. a mixer's num_inputs injected, or params that are not a mapping: refused, not thrown away
      }
      assert.deepEqual(Object.keys(back.nodes), Object.keys(valid.nodes));
    }),
    fuzzParams(300),
  );
});
