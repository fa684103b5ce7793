// Config layering and validation: merge rules, role merging, env coercion, normalisation, key-named errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_ROLES, ConfigError, EMPTY_ROLE, defaultConfig, resolveConfig } from '.';

test('defaults match StreamKit', () => {
  const c = defaultConfig();
  assert.equal(c.server.address, '127.0.0.1:4545');
  assert.equal(c.server.samples_dir, './samples/pipelines');
  assert.equal(c.server.max_body_size, 104857600);
  assert.equal(c.server.cors.allowed_origins.length, 8);
  assert.deepEqual(c.security.allowed_file_paths, ['samples/**']);
  assert.deepEqual(c.security.allowed_write_paths, []);
  assert.equal(c.permissions.default_role, 'admin');
  assert.equal(c.permissions.role_header, undefined);
  assert.equal(c.permissions.allow_insecure_no_auth, false);
  assert.deepEqual(Object.keys(c.permissions.roles), ['admin', 'user']);
  assert.equal(c.plugins.directory, '.plugins');
  assert.equal(c.log.file_path, './skit.log');
  assert.equal(c.engine.packet_batch_size, 32);
  assert.equal(c.script.default_timeout_ms, 100);
});

test('tables merge, arrays replace; roles merge over the built-ins; new roles deny by default', () => {
  const { config } = resolveConfig({
    file: {
      server: { cors: { allowed_origins: ['https://app.example'] } },
      permissions: {
        roles: {
          user: { allowed_nodes: ['audio::gain'] },
          readonly: { list_sessions: true, list_nodes: true, allowed_nodes: ['*'] },
        },
      },
    },
  });
  assert.deepEqual(config.server.cors.allowed_origins, ['https://app.example']);
  assert.equal(config.server.address, '127.0.0.1:4545');
  assert.deepEqual(config.permissions.roles.user.allowed_nodes, ['audio::gain']);
  assert.equal(config.permissions.roles.user.create_sessions, true);
  assert.deepEqual(config.permissions.roles.user.allowed_plugins, BUILTIN_ROLES.user.allowed_plugins);
  assert.deepEqual(config.permissions.roles.admin, BUILTIN_ROLES.admin);
  assert.deepEqual(config.permissions.roles.readonly, {
    ...EMPTY_ROLE,
    list_sessions: true,
    list_nodes: true,
    allowed_nodes: ['*'],
  });
});

test('SK_ environment variables: `__` nests, values typed by the schema', () => {
  const { config, warnings } = resolveConfig({
    file: { server: { address: '127.0.0.1:1000' } },
    env: {
      SK_SERVER__ADDRESS: '127.0.0.1:5000',
      SK_TELEMETRY__ENABLE: 'false',
      SK_SERVER__MAX_BODY_SIZE: '1024',
      SK_SECURITY__ALLOWED_WRITE_PATHS: '["out/**", "tmp/*.ogg"]',
      SK_SECURITY__ALLOWED_FILE_PATHS: 'samples/**,media/**',
      SK_PERMISSIONS__ROLES__USER__LOAD_PLUGINS: 'true',
      SK_TELEMETRY__OTLP_HEADERS: '{ authorization = "Bearer x" }',
      SK_ROLE: 'user',
      SK_NOPE__X: '1',
      PATH: '/usr/bin',
    },
  });
  assert.equal(config.server.address, '127.0.0.1:5000');
  assert.equal(config.telemetry.enable, false);
  assert.equal(config.server.max_body_size, 1024);
  assert.deepEqual(config.security.allowed_write_paths, ['out/**', 'tmp/*.ogg']);
  assert.deepEqual(config.security.allowed_file_paths, ['samples/**', 'media/**']);
  assert.equal(config.permissions.roles.user.load_plugins, true);
  assert.deepEqual(config.telemetry.otlp_headers, { authorization: 'Bearer x' });
  assert.deepEqual(warnings, [
    "Unknown configuration key 'nope.x' in environment variable SK_NOPE__X (ignored)",
  ]);
});

test('flags win over the environment', () => {
  const { config } = resolveConfig({
    env: { SK_SERVER__ADDRESS: '127.0.0.1:5000' },
    flags: { address: '127.0.0.1:6000' },
  });
  assert.equal(config.server.address, '127.0.0.1:6000');
});

test('type errors name the key', () => {
  const bad = (file: unknown, key: string, pattern: RegExp) =>
    assert.throws(
      () => resolveConfig({ file, fileName: 'skit.toml' }),
      (err: unknown) => err instanceof ConfigError && err.key === key && pattern.test(err.message),
    );
  bad({ server: { tls: 'yes' } }, 'server.tls', /'server\.tls' must be a boolean/);
  bad(
    { server: { cors: { allowed_origins: 'http://x' } } },
    'server.cors.allowed_origins',
    /must be an array of strings/,
  );
  bad({ log: { console_level: 'loud' } }, 'log.console_level', /must be one of "trace", "debug"/);
  bad(
    { permissions: { roles: { x: { create_sessions: 1 } } } },
    'permissions.roles.x.create_sessions',
    /boolean/,
  );
  bad({ server: { max_body_size: 1.5 } }, 'server.max_body_size', /integer/);
  bad({ server: { address: 'localhost:4545' } }, 'server.address', /IP address and port/);
  bad({ server: { tls: true } }, 'server.cert_path', /must be set when server\.tls = true/);
  bad(
    { script: { global_fetch_allowlist: [{ methods: ['GET'] }] } },
    'script.global_fetch_allowlist.0.url',
    /required/,
  );
  bad({ permissions: { default_role: 'nobody' } }, 'permissions.default_role', /not defined/);
});

test('unknown keys are warnings and are dropped', () => {
  const { config, warnings } = resolveConfig({
    file: { server: { adress: 'x' }, extra: {} },
    fileName: 'skit.toml',
  });
  assert.deepEqual(warnings, [
    "Unknown configuration key 'server.adress' in skit.toml (ignored)",
    "Unknown configuration key 'extra' in skit.toml (ignored)",
  ]);
  assert.equal('adress' in config.server, false);
});

test('normalisation: base_path and sample allow-list prefixes', () => {
  const norm = (base: string) =>
    resolveConfig({ file: { server: { base_path: base } } }).config.server.base_path;
  assert.equal(norm(' s/test/ '), '/s/test');
  assert.equal(norm('/'), undefined);
  assert.equal(norm(''), undefined);
  const { config } = resolveConfig({
    file: {
      server: { samples_dir: './pipelines' },
      permissions: {
        roles: {
          demo: {
            allowed_samples: [
              'samples/pipelines/demo/*.yml',
              './samples/pipelines/x/*.yml',
              'pipelines/y/*.yml',
              '*',
            ],
          },
        },
      },
    },
  });
  assert.deepEqual(config.permissions.roles.demo.allowed_samples, ['demo/*.yml', 'x/*.yml', 'y/*.yml', '*']);
});

test('array-of-table entries get their defaults', () => {
  const { config } = resolveConfig({
    file: {
      script: {
        global_fetch_allowlist: [{ url: 'https://api.example.com/*' }],
        secrets: { k: { env: 'KEY' } },
      },
    },
  });
  assert.deepEqual(config.script.global_fetch_allowlist, [
    { url: 'https://api.example.com/*', methods: ['GET'] },
  ]);
  assert.deepEqual(config.script.secrets.k, {
    env: 'KEY',
    type: 'string',
    allowed_fetch_urls: [],
    description: '',
  });
});
