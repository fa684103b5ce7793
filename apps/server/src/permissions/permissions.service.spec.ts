// Role resolution order (trusted header, SK_ROLE, default role) and the refusal of any role header that does not
// name exactly one defined role.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFrom } from '../config';
import { silentLogger } from '../common/logging';
import { PermissionsService, RoleHeaderError } from './permissions.service';

const service = (env: Record<string, string> = {}, roleHeader?: string) =>
  new PermissionsService(
    configFrom({
      permissions: {
        default_role: 'user',
        ...(roleHeader ? { role_header: roleHeader } : {}),
        roles: { readonly: { list_sessions: true, allowed_nodes: ['*'] } },
      },
    }),
    env,
    silentLogger(),
  );

test('without a role header: SK_ROLE, else the default role', () => {
  assert.equal(service().resolve({}).role, 'user');
  assert.equal(service({ SK_ROLE: 'readonly' }).resolve({}).role, 'readonly');
  // A header is ignored unless configured: clients cannot pick their role.
  assert.equal(service().resolve({ 'x-role': 'admin' }).role, 'user');
});

test('the configured header wins; its name is case-insensitive, its value an exact role name', () => {
  const s = service({ SK_ROLE: 'readonly' }, '  X-Role ');
  assert.equal(s.roleHeader, 'x-role');
  assert.equal(s.resolve({ 'x-role': 'admin' }).role, 'admin');
  assert.equal(s.resolve({}).role, 'readonly');
});

test('a role header that is not exactly one defined role is refused, naming the header (fail closed)', () => {
  const s = service({}, 'x-role');
  const refused = (value: string | string[], pattern: RegExp) =>
    assert.throws(
      () => s.resolve({ 'x-role': value }),
      (err: unknown) =>
        err instanceof RoleHeaderError && err.getStatus() === 403 && pattern.test(err.message),
      JSON.stringify(value),
    );
  refused('Admin', /Role header 'x-role' names unknown role 'Admin'/);
  refused('ghost', /unknown role 'ghost'/);
  refused('readonly, admin', /must appear once with one role name/);
  refused(['readonly', 'admin'], /must appear once/);
  refused('ädmin', /visible ASCII/);
  refused('', /visible ASCII/);
  refused('toString', /unknown role 'toString'/);
  refused('x'.repeat(500), /unknown role 'x{64}\.\.\.'/);
});

test('an undefined SK_ROLE or role name never gets grants', () => {
  assert.throws(() => service({ SK_ROLE: 'ghost' }), /SK_ROLE names role 'ghost', which is not defined/);
  assert.throws(() => service().callerForRole('ghost'), RoleHeaderError);
});

test('new roles deny by default; `plugin::` kinds need both allow-lists', () => {
  const readonly = service().callerForRole('readonly');
  assert.equal(readonly.can('list_sessions'), true);
  assert.equal(readonly.can('create_sessions'), false);
  assert.equal(readonly.canUseNode('audio::gain'), true);
  assert.equal(readonly.canUseNode('plugin::native::gain'), false, 'allowed_plugins is empty');
  assert.equal(readonly.canSeeSample('oneshot/a.yml'), false);
  assert.equal(readonly.canAccessSession('readonly'), true);
  assert.equal(readonly.canAccessSession('admin'), false);
  assert.equal(readonly.canAccessSession(undefined), true);

  const user = service().callerForRole('user');
  assert.equal(user.canUseNode('plugin::native::whisper'), true);
  assert.equal(user.canUsePlugin('plugin::wasm::x'), true);
  assert.equal(user.canSeeSample('user/mine.yaml'), true);
  assert.equal(user.canSeeSample('demo/x.yml'), false);
  assert.equal(service().callerForRole('admin').canAccessSession('user'), true);
});
