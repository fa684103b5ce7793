// The editor's adapter over the engine's checks: problems land on the right node and edge, a connection is
// refused for the problems it adds (not for those already there), and the words are the engine's.
import Ajv from 'ajv';
import { schemaParamChecker } from '@streamkit/pipeline/definition/schema-catalog';
import { describe, expect, it } from 'vitest';
import { lookup } from '../testing/fixtures';
import type { PipelineGraph } from './graph';
import { connect } from './graph-ops';
import { normalizeDynamicPins, resolvedOutputType } from './pins';
import { checkConnection, nodesNamedIn, validateGraph } from './validate';

const checkParams = schemaParamChecker(Ajv);
const at = { x: 0, y: 0 };
function graph(
  mode: 'oneshot' | 'dynamic',
  nodes: [string, string, Record<string, unknown>?][],
  edges: [string, string][] = [],
): PipelineGraph {
  let g: PipelineGraph = {
    mode,
    nodes: nodes.map(([id, kind, params]) => ({ id, kind, params: params ?? {}, position: at })),
    edges: [],
  };
  for (const [s, t] of edges)
    g = connect(g, { source: s, sourcePin: 'out', target: t, targetPin: 'in' }, lookup);
  return g;
}

describe('checkConnection', () => {
  const chain = graph('oneshot', [
    ['reader', 'core::file_reader', { path: 'a.ogg' }],
    ['demux', 'containers::ogg::demuxer'],
    ['dec', 'audio::opus::decoder'],
    ['gain', 'audio::gain'],
    ['enc', 'audio::opus::encoder'],
  ]);
  const c = (g: PipelineGraph, source: string, target: string, targetPin = 'in') =>
    checkConnection(g, lookup, { source, sourcePin: 'out', target, targetPin });

  it('accepts compatible pins, though the graph has other problems (no http_output here)', () => {
    expect(c(chain, 'reader', 'demux')).toEqual({ ok: true });
    expect(c(chain, 'dec', 'gain')).toEqual({ ok: true });
  });

  it("refuses incompatible packet types with the engine's message naming both ends and both types", () => {
    expect(c(chain, 'reader', 'gain')).toEqual({
      ok: false,
      reason:
        "Connection reader.out -> gain.in: incompatible types: 'reader.out' produces Binary but 'gain.in' accepts RawAudio(*Hz, *ch, F32)",
    });
  });

  it('refuses a second connection into a one-connection input, and the same connection twice', () => {
    const g = graph(
      'dynamic',
      [
        ['dec', 'audio::opus::decoder'],
        ['x', 'audio::opus::decoder'],
        ['gain', 'audio::gain'],
      ],
      [['dec', 'gain']],
    );
    expect(c(g, 'x', 'gain')).toMatchObject({
      ok: false,
      reason: expect.stringContaining("Input pin 'gain.in' (cardinality One) cannot accept 2 connections"),
    });
    expect(c(g, 'dec', 'gain')).toEqual({ ok: false, reason: 'These pins are already connected' });
  });

  it('refuses cycles unless a bidirectional node closes them', () => {
    const g = graph(
      'dynamic',
      [
        ['a', 'audio::gain'],
        ['b', 'audio::gain'],
      ],
      [['a', 'b']],
    );
    expect(c(g, 'b', 'a')).toMatchObject({ ok: false, reason: expect.stringMatching(/^Cycle a -> b -> a/) });
    const peer = graph(
      'dynamic',
      [
        ['peer', 'transport::moq::peer'],
        ['dec', 'audio::opus::decoder'],
        ['gain', 'audio::gain'],
        ['enc', 'audio::opus::encoder'],
      ],
      [
        ['peer', 'dec'],
        ['dec', 'gain'],
        ['gain', 'enc'],
      ],
    );
    expect(c(peer, 'enc', 'peer')).toEqual({ ok: true });
  });

  it('resolves Passthrough outputs to the upstream type, and lets an unfed one connect', () => {
    const g = graph(
      'oneshot',
      [
        ['reader', 'core::file_reader', { path: 'a' }],
        ['pass', 'core::passthrough'],
        ['gain', 'audio::gain'],
      ],
      [['reader', 'pass']],
    );
    expect(resolvedOutputType(g, lookup, 'pass', 'out')).toBe('Binary');
    expect(c(g, 'pass', 'gain')).toMatchObject({
      ok: false,
      reason: expect.stringContaining("'pass.out' produces Binary"),
    });
    const unfed = graph('oneshot', [
      ['pass', 'core::passthrough'],
      ['gain', 'audio::gain'],
    ]);
    expect(c(unfed, 'pass', 'gain')).toEqual({ ok: true });
  });

  it('materialises dynamic mixer pins and renumbers them like the YAML compiler', () => {
    let g = graph('dynamic', [
      ['a', 'audio::opus::decoder'],
      ['b', 'audio::opus::decoder'],
      ['mix', 'audio::mixer'],
    ]);
    expect(c(g, 'a', 'mix', 'in_0')).toEqual({ ok: true });
    g = connect(g, { source: 'a', sourcePin: 'out', target: 'mix', targetPin: 'in_0' }, lookup);
    expect(g.edges[0].targetPin).toBe('in');
    g = connect(g, { source: 'b', sourcePin: 'out', target: 'mix', targetPin: 'in_1' }, lookup);
    expect(g.edges.map((e) => e.targetPin)).toEqual(['in_0', 'in_1']);
    expect(normalizeDynamicPins(g, lookup)).toBe(g);
  });
});

describe('validateGraph', () => {
  it('reports unknown kinds, bad params and oneshot-only kinds in a dynamic pipeline, in the engine words', () => {
    const g = graph('dynamic', [
      ['x', 'audio::nope'],
      ['gain', 'audio::gain', { gain: 9, gian: 1 }],
      ['in', 'streamkit::http_input'],
    ]);
    const issues = validateGraph(g, lookup, checkParams);
    expect(issues.map((i) => `${i.severity} ${i.nodeId}: ${i.message}`)).toEqual(
      expect.arrayContaining([
        "error x: Node 'x': unknown kind 'audio::nope'",
        "error gain: Node 'gain' (audio::gain): param 'gain' must be <= 4 (got 9)",
        "warning gain: Node 'gain' (audio::gain): unknown param 'gian' ignored (not a parameter of audio::gain)",
        "error in: Node 'in': kind 'streamkit::http_input' is oneshot-only and cannot be used in a dynamic session",
      ]),
    );
    expect(issues.find((i) => i.severity === 'warning')?.path).toBe('/gian');
  });

  it('checks no params without a param checker (until Ajv has loaded)', () => {
    const g = graph('dynamic', [['gain', 'audio::gain', { gain: 9 }]]);
    expect(validateGraph(g, lookup)).toEqual([]);
  });

  it('reports what the oneshot route refuses: no http_output, and an unfed one', () => {
    const g = graph(
      'oneshot',
      [
        ['in', 'streamkit::http_input'],
        ['demux', 'containers::ogg::demuxer'],
      ],
      [['in', 'demux']],
    );
    expect(validateGraph(g, lookup, checkParams)).toEqual([
      {
        severity: 'error',
        message: 'A oneshot pipeline needs a streamkit::http_output node to produce the response',
      },
    ]);
    const unfed = graph('oneshot', [['out', 'streamkit::http_output']]);
    expect(validateGraph(unfed, lookup, checkParams)).toEqual([
      {
        severity: 'error',
        nodeId: 'out',
        message: "Node 'out' (streamkit::http_output) is not connected: give it 'needs'",
      },
    ]);
  });

  it('puts a problem about a connection on its edge (e.g. typed into the YAML)', () => {
    const g: PipelineGraph = {
      ...graph('dynamic', [
        ['reader', 'core::file_reader', { path: 'a' }],
        ['gain', 'audio::gain'],
      ]),
      edges: [
        {
          id: 'reader.out->gain.in',
          source: 'reader',
          sourcePin: 'out',
          target: 'gain',
          targetPin: 'in',
          mode: 'reliable',
        },
      ],
    };
    expect(validateGraph(g, lookup, checkParams)).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        edgeId: 'reader.out->gain.in',
        nodeId: 'gain',
        message: expect.stringContaining('incompatible types'),
      }),
    );
  });

  it('finds the nodes a server error names', () => {
    expect(
      nodesNamedIn("Invalid pipeline: Node 'gain' params.gain must be <= 4; Unknown input pin 'mix.in_3'", [
        'gain',
        'mix',
        'other',
      ]),
    ).toEqual(['gain', 'mix']);
  });
});
