import { describe, expect, it } from 'vitest';
import { findMoqPeer, gatewayUrlFor } from './moq-peer';

describe('findMoqPeer', () => {
  it('reads the peer params of a nodes-form pipeline', () => {
    const yaml = `mode: dynamic
nodes:
  gain: { kind: audio::gain, needs: peer }
  peer:
    kind: transport::moq::peer
    params: { gateway_path: /moq/room1, input_broadcast: mic, output_broadcast: speakers }
    needs: gain
`;
    expect(findMoqPeer(yaml)).toEqual({
      nodeId: 'peer',
      gatewayPath: '/moq/room1',
      inputBroadcast: 'mic',
      outputBroadcast: 'speakers',
    });
  });

  it("fills the node's defaults and reads steps", () => {
    expect(findMoqPeer('steps:\n  - kind: transport::moq::peer\n')).toEqual({
      nodeId: 'step_0',
      gatewayPath: '/moq',
      inputBroadcast: 'input',
      outputBroadcast: 'output',
    });
  });

  it('is undefined without a peer or for broken YAML', () => {
    expect(findMoqPeer('nodes:\n  g: { kind: audio::gain }\n')).toBeUndefined();
    expect(findMoqPeer('nodes: [unclosed')).toBeUndefined();
    expect(findMoqPeer('')).toBeUndefined();
  });
});

describe('gatewayUrlFor', () => {
  it("replaces the advertised gateway's path with the node's path", () => {
    expect(gatewayUrlFor('https://relay.example:4443/moq', '/moq/room1', 'http://127.0.0.1:4545')).toBe(
      'https://relay.example:4443/moq/room1',
    );
  });

  it("uses the page's origin when the server advertises nothing usable", () => {
    expect(gatewayUrlFor(undefined, 'moq', 'http://127.0.0.1:4545')).toBe('http://127.0.0.1:4545/moq');
  });
});
