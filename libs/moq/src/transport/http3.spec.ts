// The HTTP/3 adapter: guarded loading (the quiche transport is an optional dependency that cannot install
// here) and protocol selection. The session shape is exercised by the relay tests through adaptHttp3Session.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { loadHttp3, selectHttp3Protocol, startHttp3Server } from './http3';
import { generateSelfSignedCertificate } from './cert';

function quicheInstalled(): boolean {
  try {
    createRequire(__filename).resolve('@fails-components/webtransport-transport-http3-quiche/package.json');
    return true;
  } catch {
    return false;
  }
}

describe('HTTP/3 WebTransport adapter', () => {
  it('reports why HTTP/3 is unavailable instead of throwing', async () => {
    const first = await loadHttp3();
    assert.equal(await loadHttp3(), first, 'loads once');
    if (quicheInstalled()) {
      assert.equal(first.available, true);
      return;
    }
    assert.equal(first.available, false);
    if (!first.available) assert.match(first.reason, /webtransport-transport-http3-quiche is not installed/);
    const c = generateSelfSignedCertificate();
    await assert.rejects(
      startHttp3Server({ host: '127.0.0.1', port: 0, cert: c.cert, key: c.key, onSession: () => undefined }),
      /HTTP\/3 is off: .*not installed/,
    );
  });

  it('picks moq-lite-04, then moq-lite-03, else SETUP negotiation', () => {
    assert.equal(selectHttp3Protocol('"moq-lite-04", "moq-lite-03", "moql"'), 'moq-lite-04');
    assert.equal(selectHttp3Protocol('"moql", "moq-lite-03"'), 'moq-lite-03');
    assert.equal(selectHttp3Protocol('"moq-00"'), '');
    assert.equal(selectHttp3Protocol(undefined), '');
  });
});
