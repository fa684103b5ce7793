// The editor's YAML conversion must wire pipelines exactly as the engine's parser does, for every
// shipped sample and for the forms the samples do not use.
import { describe, expect, it } from 'vitest';
import { tryParsePipelineYaml } from '@streamkit/pipeline/definition/yaml';
import type { PipelineGraph } from './graph';
import { graphToYaml, parsePipelineYaml } from './yaml-graph';

const samples = import.meta.glob<string>('../../../../samples/pipelines/{oneshot,dynamic}/*.{yml,yaml}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

const EXTRA: Record<string, string> = {
  'named pins and modes': `mode: dynamic
nodes:
  sub: { kind: transport::moq::subscriber }
  a: { kind: audio::opus::decoder, needs: { node: sub, pin: track_1 } }
  b: { kind: audio::opus::decoder, needs: sub }
  mix:
    kind: audio::mixer
    needs: [a, { node: b, mode: best_effort }, { node: a, to_pin: in_7 }]
  tap: { kind: core::sink, needs: { node: mix, mode: best_effort } }
`,
  'steps form':
    'mode: oneshot\nsteps:\n  - kind: streamkit::http_input\n  - kind: audio::gain\n    params: { gain: 2 }\n  - kind: streamkit::http_output\n',
};

function engineWiring(text: string) {
  const { spec, problems } = tryParsePipelineYaml(text);
  expect(problems).toEqual([]);
  return {
    mode: spec?.mode,
    kinds: Object.entries(spec?.nodes ?? {})
      .map(([id, n]) => `${id}=${n.kind}`)
      .sort(),
    connections: (spec?.connections ?? [])
      .map((c) => `${c.from_node}.${c.from_pin}->${c.to_node}.${c.to_pin}:${c.mode ?? 'reliable'}`)
      .sort(),
  };
}

function editorWiring(g: PipelineGraph) {
  return {
    mode: g.mode,
    kinds: g.nodes.map((n) => `${n.id}=${n.kind}`).sort(),
    connections: g.edges
      .map((e) => `${e.source}.${e.sourcePin}->${e.target}.${e.targetPin}:${e.mode}`)
      .sort(),
  };
}

const cases: [string, string][] = [
  ...Object.entries(samples).map(([path, text]): [string, string] => [
    path.replace(/^.*pipelines\//, ''),
    text,
  ]),
  ...Object.entries(EXTRA),
];

describe('editor and engine agree on wiring', () => {
  it('has shipped samples to check', () => {
    expect(Object.keys(samples).length).toBeGreaterThan(0);
  });

  for (const [name, text] of cases) {
    it(`${name}: parse, and serialise back`, () => {
      const parsed = parsePipelineYaml(text);
      expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
      const graph = parsed.graph as PipelineGraph;
      const engine = engineWiring(text);
      expect(editorWiring(graph)).toEqual(engine);
      // What the editor writes compiles to the same wiring in the engine.
      expect(engineWiring(graphToYaml(graph))).toEqual(engine);
    });
  }
});
