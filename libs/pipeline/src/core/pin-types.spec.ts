import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canConnect, formatPinType, pinMatches, rawAudio } from './pin-types';

describe('pin types', () => {
  it('follows StreamKit compatibility rules', () => {
    assert.equal(canConnect(rawAudio(48000, 2), rawAudio(0, 0)), true);
    assert.equal(canConnect(rawAudio(0, 0), rawAudio(48000, 1)), true);
    assert.equal(canConnect(rawAudio(16000, 1), rawAudio(48000, 0)), false);
    assert.equal(canConnect(rawAudio(48000, 2), rawAudio(48000, 1)), false);
    assert.equal(canConnect(rawAudio(0, 0, 'S16Le'), rawAudio(0, 0, 'F32')), false);
    assert.equal(canConnect({ Custom: { type_id: 'a@1' } }, { Custom: { type_id: 'a@2' } }), false);
    assert.equal(canConnect({ Custom: { type_id: 'a@1' } }, { Custom: { type_id: 'a@1' } }), true);
    assert.equal(canConnect('OpusAudio', 'Binary'), false);
    assert.equal(canConnect('Binary', 'Binary'), true);
    assert.equal(canConnect('Any', 'Text'), true);
    assert.equal(canConnect('Text', 'Any'), true);
    assert.equal(canConnect('Passthrough', 'Text'), false);
    assert.equal(canConnect('Passthrough', 'Any'), true);
  });

  it('formats types for messages with * wildcards', () => {
    assert.equal(formatPinType(rawAudio(48000, 0)), 'RawAudio(48000Hz, *ch, F32)');
    assert.equal(formatPinType({ Custom: { type_id: 'x@1' } }), 'Custom(x@1)');
    assert.equal(formatPinType('OpusAudio'), 'OpusAudio');
  });

  it('matches dynamic pin families by prefix', () => {
    const family = { name: 'in', cardinality: { Dynamic: { prefix: 'in' } } } as const;
    assert.equal(pinMatches(family, 'in_3'), true);
    assert.equal(pinMatches(family, 'in'), true);
    assert.equal(pinMatches(family, 'input'), false);
    assert.equal(pinMatches({ name: 'in', cardinality: 'One' }, 'in_3'), false);
  });
});
