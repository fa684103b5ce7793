import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { leaseOpusAddon } from './addon-copies';

describe('Opus addon copies', () => {
  it('leases a different copy to each running worker and reuses released ones', () => {
    const a = leaseOpusAddon();
    const b = leaseOpusAddon();
    assert.ok(a && b, 'the native addon ships for this platform');
    assert.notEqual(a.path, b.path);
    assert.ok(existsSync(a.path) && existsSync(b.path));
    a.release();
    const c = leaseOpusAddon();
    assert.equal(c?.path, a.path, 'a released copy serves the next worker');
    b.release();
    c?.release();
  });

  it('leases nothing when the WASM build is forced', () => {
    process.env.OPUS_FORCE_WASM = '1';
    try {
      assert.equal(leaseOpusAddon(), undefined);
    } finally {
      delete process.env.OPUS_FORCE_WASM;
    }
  });
});
