import { describe, expect, it } from 'vitest';
import { splitKind } from './node-kinds';

describe('splitKind', () => {
  it('splits a kind into its short name and namespace', () => {
    expect(splitKind('containers::ogg::demuxer')).toEqual({ name: 'demuxer', namespace: 'containers::ogg' });
    expect(splitKind('audio::gain')).toEqual({ name: 'gain', namespace: 'audio' });
    expect(splitKind('plain')).toEqual({ name: 'plain', namespace: '' });
  });
});
