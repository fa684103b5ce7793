import { describe, expect, it } from 'vitest';
import { adminPermissions, viewerPermissions } from '../testing/fixtures';
import { capabilities, DENY_ALL, normalizePermissions } from './permissions';

describe('permissions', () => {
  it('maps the server flags to UI capabilities', () => {
    expect(capabilities(adminPermissions.permissions)).toEqual({
      createSession: true,
      runOneshot: true,
      listSamples: true,
      saveSample: true,
      deleteSample: true,
      uploadAsset: true,
      deleteAsset: true,
      uploadPlugin: true,
      deletePlugin: true,
    });
    expect(capabilities(viewerPermissions.permissions)).toMatchObject({
      createSession: false,
      runOneshot: false,
      listSamples: true,
      uploadAsset: false,
      uploadPlugin: false,
      deletePlugin: false,
    });
  });

  it('denies whatever is missing or malformed', () => {
    expect(
      normalizePermissions({ role: 'x', permissions: { create_sessions: 'yes', upload_assets: true } }),
    ).toEqual({
      role: 'x',
      permissions: { ...DENY_ALL, upload_assets: true },
    });
    expect(normalizePermissions(null)).toEqual({ role: 'unknown', permissions: DENY_ALL });
  });
});
