// The self-signed certificate must satisfy Chromium's serverCertificateHashes rules: ECDSA P-256, < 14 days.
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { certificateFingerprint, generateSelfSignedCertificate } from './cert';

describe('self-signed ECDSA P-256 certificate', () => {
  const c = generateSelfSignedCertificate();
  const x = new X509Certificate(c.cert);

  it('parses as X.509, is self-signed and verifies with its own key', () => {
    assert.equal(x.subject, 'CN=streamkit');
    assert.equal(x.issuer, 'CN=streamkit');
    assert.equal(x.verify(x.publicKey), true);
    assert.equal(x.publicKey.asymmetricKeyType, 'ec');
    assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(x.checkPrivateKey(createPrivateKey(c.key)), true);
  });

  it('is valid now and for less than 14 days', () => {
    const from = new Date(x.validFrom).getTime();
    const to = new Date(x.validTo).getTime();
    assert.ok(from <= Date.now() && Date.now() < to);
    assert.ok(to - from < 14 * 86_400_000, `validity ${(to - from) / 86_400_000} days`);
    assert.throws(() => generateSelfSignedCertificate({ days: 14 }), /under 14 days/);
  });

  it('names localhost and the loopback addresses', () => {
    assert.equal(x.checkHost('localhost'), 'localhost');
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x.checkIP('::1'), '::1');
  });

  it('fingerprints the DER with SHA-256 (hex), from DER or PEM', () => {
    const expected = createHash('sha256').update(x.raw).digest('hex');
    assert.equal(c.fingerprint, expected);
    assert.equal(certificateFingerprint(c.cert), expected);
    assert.match(x.fingerprint256, new RegExp(expected.slice(0, 2).toUpperCase()));
  });

  it('is accepted by openssl', () => {
    const out = execFileSync('openssl', ['x509', '-noout', '-text'], { input: c.cert }).toString();
    assert.match(out, /ecdsa-with-SHA256/);
    assert.match(out, /DNS:localhost/);
  });
});
