// Role resolution order (trusted header, SK_ROLE, default role) and the grants an unknown role receives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFrom } from '../config';
import { silentLogger } from '../common/logging';
import { PermissionsService } from './permissions.service';

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

test('the configured header wins; its name is case-insensitive, its value verbatim', () => {
  const s = service({ SK_ROLE: 'readonly' }, '  X-Role ');
  assert.equal(s.roleHeader, 'x-role');
  assert.equal(s.resolve({ 'x-role': 'admin' }).role, 'admin');
  assert.equal(s.resolve({ 'x-role': 'Admin' }).role, 'Admin');
  assert.equal(s.resolve({}).role, 'readonly');
  // Non-ASCII values are ignored (fall through to SK_ROLE).
  assert.equal(s.resolve({ 'x-role': 'ädmin' }).role, 'readonly');
});

test('an unknown role keeps its name but gets the default role grants', () => {
  const caller = service().callerForRole('ghost');
  assert.equal(caller.role, 'ghost');
  assert.equal(caller.can('create_sessions'), true);
  assert.equal(caller.can('load_plugins'), false);
  assert.equal(caller.canUseNode('core::file_writer'), false);
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
