// The TOML printer round-trips any config (tables, records of tables, arrays of tables, odd keys).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { configFrom, printConfigToml, resolveConfig } from '.';

test('a config with every kind of value prints and parses back unchanged', () => {
  const config = configFrom({
    server: { base_path: '/s/x', moq_gateway_url: 'http://h/moq "quoted"', cors: { allowed_origins: [] } },
    permissions: {
      role_header: 'x-role',
      max_concurrent_sessions: 3,
      roles: { 'ops team': { list_sessions: true, allowed_nodes: ['audio::*'] } },
    },
    script: {
      global_fetch_allowlist: [
        { url: 'https://a.example/*', methods: ['GET', 'POST'] },
        { url: 'https://b.example/x', methods: ['GET'] },
      ],
      secrets: {
        key: { env: 'KEY', type: 'token', allowed_fetch_urls: ['https://a.example/*'], description: 'd' },
      },
    },
    resources: {
      prewarm: {
        enabled: true,
        plugins: [{ kind: 'plugin::native::vad', params: { threshold: 0.5, nested: { a: [1, 2] } } }],
      },
    },
    telemetry: { otlp_headers: { authorization: 'Bearer t' } },
  });
  for (const comments of [true, false]) {
    const text = printConfigToml(config, { comments });
    const back = resolveConfig({ file: parse(text), fileName: 'printed' });
    assert.deepEqual(back.warnings, []);
    assert.deepEqual(back.config, config);
  }
});

test('empty tables of tables show a commented example', () => {
  const text = printConfigToml(configFrom({}));
  assert.match(text, /^# \[\[script\.global_fetch_allowlist\]\]\n# url = "https:\/\/api\.openai\.com/m);
  assert.match(text, /^# \[script\.secrets\.openai_key\]\n# env = "OPENAI_API_KEY"/m);
  assert.match(text, /^# \[\[resources\.prewarm\.plugins\]\]/m);
  assert.match(text, /^# role_header = "x-streamkit-role"$/m);
});
