import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AudioPacket } from './packets';
import { MAX_POOL_BYTES, recycleSamples, takeSamples } from './sample-pool';

const packet = (samples: Float32Array, owned?: boolean): AudioPacket => ({
  kind: 'audio',
  sampleRate: 48000,
  channels: 2,
  samples,
  owned,
});

describe('sample pool', () => {
  it('gives a recycled owned array to the next frame of its length, and disowns the packet', () => {
    const p = packet(takeSamples(1922), true);
    const array = p.samples;
    recycleSamples(p);
    assert.equal(p.owned, false);
    assert.equal(takeSamples(1922), array);
    assert.notEqual(takeSamples(1922), array, 'each array is handed out once');
  });

  it('keeps neither shared arrays nor views into larger buffers nor huge ones', () => {
    const shared = packet(new Float32Array(1924));
    recycleSamples(shared);
    assert.notEqual(takeSamples(1924), shared.samples);
    const view = packet(new Float32Array(4000).subarray(0, 1926), true);
    recycleSamples(view);
    assert.notEqual(takeSamples(1926), view.samples);
    const huge = packet(new Float32Array(48_000 * 2), true);
    recycleSamples(huge);
    assert.notEqual(takeSamples(48_000 * 2), huge.samples);
  });

  it('keeps a bounded number of arrays per length', () => {
    const arrays = Array.from({ length: 100 }, () => new Float32Array(1928));
    for (const a of arrays) recycleSamples(packet(a, true));
    const back = new Set<Float32Array>();
    for (let i = 0; i < 100; i++) back.add(takeSamples(1928));
    assert.equal(arrays.filter((a) => back.has(a)).length, 64);
  });

  it('keeps at most MAX_POOL_BYTES over all lengths, however many lengths a stream produces', () => {
    // 1,000 different trimmed-frame lengths x 2 arrays: 48 MB if each length kept them (64 each allowed).
    const kept = new Set<Float32Array>();
    for (let length = 1000; length < 11_000; length += 10) {
      for (let i = 0; i < 2; i++) {
        const a = new Float32Array(length);
        recycleSamples(packet(a, true));
        kept.add(a);
      }
    }
    let bytes = 0;
    for (let length = 1000; length < 11_000; length += 10) {
      for (let i = 0; i < 2; i++) {
        const a = takeSamples(length);
        if (kept.has(a)) bytes += a.byteLength;
      }
    }
    assert.ok(bytes > 0 && bytes <= MAX_POOL_BYTES, `${bytes} bytes pooled`);
  });
});
