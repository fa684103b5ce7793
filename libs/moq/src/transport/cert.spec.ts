// The self-signed certificate must satisfy Chromium's serverCertificateHashes rules (ECDSA P-256, < 14 days),
// and the rotator must replace it before it expires.
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import {
  CertificateRotator,
  certificateFingerprint,
  generateSelfSignedCertificate,
  type SelfSignedCertificate,
} from './cert';

describe('self-signed ECDSA P-256 certificate', () => {
  let c: SelfSignedCertificate;
  let x: X509Certificate;
  before(async () => {
    c = await generateSelfSignedCertificate();
    x = new X509Certificate(c.cert);
  });

  it('parses as X.509, is self-signed and verifies with its own key', () => {
    assert.equal(x.subject, 'CN=streamkit');
    assert.equal(x.issuer, 'CN=streamkit');
    assert.equal(x.verify(x.publicKey), true);
    assert.equal(x.publicKey.asymmetricKeyType, 'ec');
    assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(x.checkPrivateKey(createPrivateKey(c.key)), true);
  });

  it('is valid now and for less than 14 days', async () => {
    const from = new Date(x.validFrom).getTime();
    const to = new Date(x.validTo).getTime();
    assert.ok(from <= Date.now() && Date.now() < to);
    assert.ok(to - from < 14 * 86_400_000, `validity ${(to - from) / 86_400_000} days`);
    await assert.rejects(generateSelfSignedCertificate({ validityMs: 14 * 86_400_000 }), /under 14 days/);
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
  });

  it('is accepted by openssl', () => {
    const out = execFileSync('openssl', ['x509', '-noout', '-text'], { input: c.cert }).toString();
    assert.match(out, /ecdsa-with-SHA256/);
    assert.match(out, /DNS:localhost/);
    assert.match(out, /TLS Web Server Authentication/);
  });
});

describe('CertificateRotator', () => {
  it('replaces the self-signed certificate before it expires and reports the new fingerprint', async () => {
    const rotated: string[] = [];
    const r = new CertificateRotator({
      validityMs: 4000,
      rotateBeforeMs: 3000,
      onRotate: (next) => rotated.push(next.fingerprint),
    });
    const first = await r.start();
    assert.deepEqual(r.fingerprints(), [first.fingerprint]);
    const deadline = Date.now() + 5000;
    while (rotated.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    r.stop();
    assert.equal(rotated.length >= 1, true, 'rotated within its validity');
    assert.notEqual(rotated[0], first.fingerprint);
    assert.deepEqual(r.fingerprints(), [rotated.at(-1)]);
    assert.ok(first.notAfter.getTime() > Date.now(), 'the old one was replaced before it expired');
  });

  it('serves a configured certificate as given, without rotating it', async () => {
    const made = await generateSelfSignedCertificate();
    const r = new CertificateRotator({ configured: { cert: made.cert, key: made.key } });
    const served = await r.start();
    assert.equal(served.fingerprint, made.fingerprint);
    assert.equal(served.selfSigned, false);
    r.stop();
  });
});
