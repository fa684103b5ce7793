import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_ROLES, EMPTY_ROLE } from '../config';
import { ResolvedCaller } from './caller';

const refusal = (f: () => void) => {
  try {
    f();
  } catch (err) {
    return { status: (err as { getStatus?: () => number }).getStatus?.(), message: (err as Error).message };
  }
  return undefined;
};

describe('Caller checks', () => {
  it('require() passes a granted flag and refuses a missing one with 403 and its text', () => {
    const admin = new ResolvedCaller('admin', BUILTIN_ROLES.admin);
    assert.equal(
      refusal(() => admin.require('load_plugins')),
      undefined,
    );
    const nobody = new ResolvedCaller('nobody', EMPTY_ROLE);
    assert.deepEqual(
      refusal(() => nobody.require('load_plugins')),
      { status: 403, message: 'Permission denied: cannot load plugins' },
    );
    assert.deepEqual(
      refusal(() => nobody.require('list_sessions', 'Permission denied: cannot view pipelines')),
      {
        status: 403,
        message: 'Permission denied: cannot view pipelines',
      },
    );
  });

  it('requireNode() words a refused kind as sessions and oneshot runs do in StreamKit', () => {
    const user = new ResolvedCaller('user', { ...BUILTIN_ROLES.user, allowed_plugins: [] });
    assert.equal(
      refusal(() => user.requireNode('g', 'audio::gain', 'session')),
      undefined,
    );
    assert.equal(
      refusal(() => user.requireNode('w', 'core::file_writer', 'session'))?.message,
      "Permission denied: node 'w' kind 'core::file_writer' not allowed",
    );
    assert.equal(
      refusal(() => user.requireNode('w', 'core::file_writer', 'oneshot'))?.message,
      "Permission denied: node type 'core::file_writer' not allowed (node 'w')",
    );
    assert.equal(
      refusal(() => user.requireNode('p', 'plugin::wasm::gain', 'session'))?.message,
      "Permission denied: node 'p' plugin 'plugin::wasm::gain' not allowed",
    );
    assert.equal(
      refusal(() => user.requireNode('p', 'plugin::wasm::gain', 'oneshot'))?.message,
      "Permission denied: plugin 'plugin::wasm::gain' not allowed (node 'p')",
    );
  });
});
