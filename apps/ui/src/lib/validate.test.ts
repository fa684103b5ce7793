import { describe, expect, it } from 'vitest';
import { lookup } from '../testing/fixtures';
import type { PipelineGraph } from './graph';
import { connect } from './graph-ops';
import { normalizeDynamicPins, resolvedOutputType } from './pins';
import { checkConnection, nodesNamedIn, validateGraph } from './validate';

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

  it('accepts compatible pins', () => {
    expect(c(chain, 'reader', 'demux')).toEqual({ ok: true });
    expect(c(chain, 'dec', 'gain')).toEqual({ ok: true });
  });

  it('refuses incompatible packet types and names both ends and both types', () => {
    const r = c(chain, 'reader', 'gain');
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.reason).toBe(
        'Incompatible packet types: reader.out produces Binary, but gain.in accepts RawAudio(*Hz, *ch, F32)',
      );
  });

  it('refuses a second connection into a one-connection input', () => {
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
      reason: expect.stringContaining("already has a connection (from 'dec')"),
    });
  });

  it('refuses fan-out in oneshot mode but allows it in dynamic mode', () => {
    const g = graph(
      'oneshot',
      [
        ['dec', 'audio::opus::decoder'],
        ['a', 'audio::gain'],
        ['b', 'audio::gain'],
      ],
      [['dec', 'a']],
    );
    expect(c(g, 'dec', 'b')).toMatchObject({ ok: false, reason: expect.stringContaining('cannot fan out') });
    expect(c({ ...g, mode: 'dynamic' }, 'dec', 'b')).toEqual({ ok: true });
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
    expect(c(g, 'b', 'a')).toMatchObject({ ok: false, reason: 'This would create a cycle: a → b → a' });
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

  it('resolves Passthrough outputs to the upstream type before checking', () => {
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
      reason: expect.stringContaining('pass.out produces Binary'),
    });
  });

  it('applies the resampler target rate to its output type', () => {
    const g = graph('oneshot', [
      ['rs', 'audio::resampler', { target_sample_rate: 16000 }],
      ['enc', 'audio::opus::encoder'],
    ]);
    expect(c(g, 'rs', 'enc')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('RawAudio(16000Hz, *ch, F32)'),
    });
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
  it('reports unknown kinds, bad params, oneshot-only nodes in dynamic mode and unconnected inputs', () => {
    const g = graph('dynamic', [
      ['x', 'audio::nope'],
      ['gain', 'audio::gain', { gain: 9, gian: 1 }],
      ['in', 'streamkit::http_input'],
    ]);
    const messages = validateGraph(g, lookup).map((i) => `${i.severity}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "error: Node 'x': unknown kind 'audio::nope'",
        "error: Node 'gain': params.gain must be ≤ 4 (got 9)",
        "warning: Node 'gain': unknown param 'gian' ignored (not a parameter of audio::gain)",
        "warning: Node 'gain': input 'in' is not connected",
        "error: Node 'in': 'streamkit::http_input' is oneshot-only and cannot run in a dynamic session",
      ]),
    );
  });

  it('reports edges whose types do not match (e.g. typed into the YAML)', () => {
    const g: PipelineGraph = {
      ...graph('oneshot', [
        ['reader', 'core::file_reader', { path: 'a' }],
        ['gain', 'audio::gain'],
      ]),
      edges: [
        { id: 'e', source: 'reader', sourcePin: 'out', target: 'gain', targetPin: 'in', mode: 'reliable' },
      ],
    };
    const issues = validateGraph(g, lookup);
    expect(issues).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        edgeId: 'e',
        nodeId: 'gain',
        message: expect.stringContaining('Incompatible packet types'),
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
