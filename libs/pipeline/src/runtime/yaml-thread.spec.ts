// parsePipelineYamlOffThread: large documents are parsed on the worker with the same result as in place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tryParsePipelineYaml } from '../definition/yaml';
import { parsePipelineYamlOffThread, YAML_THREAD_MIN_CHARS } from './yaml-thread';

test('a large document parses on the worker to the same spec, node ids kept as own keys', async () => {
  let yaml =
    'name: big\nnodes:\n  __proto__: {kind: core::sink}\n  toString: {kind: core::sink, needs: __proto__}\n';
  for (let i = 0; i < 400; i++)
    yaml += `  s${i}: {kind: audio::gain, params: {gain: 0.5}, needs: toString}\n`;
  assert.ok(yaml.length > YAML_THREAD_MIN_CHARS);
  const [a, b] = await Promise.all([parsePipelineYamlOffThread(yaml), parsePipelineYamlOffThread(yaml)]);
  const local = tryParsePipelineYaml(yaml);
  assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(local)));
  assert.deepEqual(b.spec?.connections, local.spec?.connections);
  assert.ok(
    a.spec && Object.hasOwn(a.spec.nodes, '__proto__') && Object.getPrototypeOf(a.spec.nodes) === null,
  );
});

test('limits and syntax errors come back as problems', async () => {
  const deep = `nodes: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
  assert.match((await parsePipelineYamlOffThread(deep)).problems[0].message, /max_yaml_depth/);
  const bad = `nodes:\n  a: {kind: x\n${'#'.repeat(YAML_THREAD_MIN_CHARS)}\n`;
  assert.match((await parsePipelineYamlOffThread(bad)).problems[0].message, /^Invalid YAML: /);
  const small = await parsePipelineYamlOffThread('nodes:\n  a: {kind: x}\n', { limits: { maxYamlNodes: 2 } });
  assert.match(small.problems[0].message, /max_yaml_nodes/);
});

test('an oversized document is refused at once without being copied to the worker', async () => {
  const huge = `a: "${'x'.repeat(50 * 1048576)}"`;
  const t = performance.now();
  const res = await parsePipelineYamlOffThread(huge);
  assert.match(res.problems[0].message, /larger than 1048576 bytes.*max_yaml_bytes/);
  assert.ok(performance.now() - t < 50, `${performance.now() - t} ms`);
});
