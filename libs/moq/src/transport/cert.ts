// Certificates for HTTP/3 WebTransport. Browsers accept a self-signed certificate through
// `serverCertificateHashes` only when it is ECDSA P-256 and valid for under 14 days, so the server makes one
// (with @peculiar/x509 over WebCrypto) and replaces it before it expires; open sessions keep the one they
// were made with (QUIC does not re-check a certificate after the handshake). A configured certificate is used
// as given.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface SelfSignedCertificate {
  /** PEM certificate and PKCS#8 PEM private key. */
  cert: string;
  key: string;
  /** DER bytes of the certificate. */
  der: Buffer;
  /** SHA-256 of the DER, lowercase hex (what `/certificate.sha256` serves). */
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
}

export interface SelfSignedOptions {
  /** Subject alternative names: DNS names or IP addresses (default localhost, 127.0.0.1, ::1). */
  hosts?: string[];
  /** Validity, under 14 days (default 13 days). */
  validityMs?: number;
  commonName?: string;
  now?: Date;
}

const DAY_MS = 86_400_000;
/** Chromium's limit for `serverCertificateHashes` certificates. */
export const MAX_SELF_SIGNED_VALIDITY_MS = 14 * DAY_MS;
export const DEFAULT_SELF_SIGNED_VALIDITY_MS = 13 * DAY_MS;

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** Makes a self-signed ECDSA P-256 certificate valid from (about) a minute ago for `validityMs`. */
export async function generateSelfSignedCertificate(
  options: SelfSignedOptions = {},
): Promise<SelfSignedCertificate> {
  const validityMs = options.validityMs ?? DEFAULT_SELF_SIGNED_VALIDITY_MS;
  if (!(validityMs > 0 && validityMs < MAX_SELF_SIGNED_VALIDITY_MS))
    throw new Error(`certificate validity must be under 14 days, got ${validityMs / DAY_MS} days`);
  const hosts = options.hosts ?? ['localhost', '127.0.0.1', '::1'];
  const now = options.now ?? new Date();
  // Backdated a little for clocks that lag ours (a minute, or a tenth of a short test validity).
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - Math.min(60_000, validityMs / 10));
  const notAfter = new Date(notBefore.getTime() + validityMs);
  const keys = await webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${options.commonName ?? 'streamkit'}`,
    notBefore,
    notAfter,
    keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
    signingAlgorithm: ECDSA_P256,
    extensions: [
      new x509.SubjectAlternativeNameExtension(
        hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
      ),
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const der = Buffer.from(certificate.rawData);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`;
  return {
    cert: certificate.toString('pem'),
    key,
    der,
    fingerprint: certificateFingerprint(der),
    notBefore,
    notAfter,
  };
}

/** SHA-256 of a certificate's DER, lowercase hex. Accepts DER bytes or a PEM string. */
export function certificateFingerprint(cert: Buffer | string): string {
  const der = typeof cert === 'string' ? new X509Certificate(cert).raw : cert;
  return createHash('sha256').update(der).digest('hex');
}

export interface ServedCertificate {
  cert: string;
  key: string;
  fingerprint: string;
  notAfter: Date;
  selfSigned: boolean;
}

export interface CertificateRotatorOptions {
  /** A certificate and key (PEM) to use as given; otherwise self-signed ones are made and rotated. */
  configured?: { cert: string; key: string };
  hosts?: string[];
  validityMs?: number;
  /** A self-signed certificate is replaced this long before it expires (default 1 day). */
  rotateBeforeMs?: number;
  /** Called with each new certificate after the first (the HTTP/3 endpoint takes it for new connections). */
  onRotate?: (next: ServedCertificate) => void;
  onError?: (err: Error) => void;
}

/** The certificate HTTP/3 serves, replaced before it expires. */
export class CertificateRotator {
  private currentCert: ServedCertificate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** How many times the certificate was replaced. */
  rotations = 0;

  constructor(private readonly options: CertificateRotatorOptions = {}) {}

  async start(): Promise<ServedCertificate> {
    if (this.options.configured) {
      const { cert, key } = this.options.configured;
      const x = new X509Certificate(cert);
      this.currentCert = {
        cert,
        key,
        fingerprint: certificateFingerprint(x.raw),
        notAfter: new Date(x.validTo),
        selfSigned: false,
      };
      return this.currentCert;
    }
    this.currentCert = await this.make();
    this.schedule();
    return this.currentCert;
  }

  get current(): ServedCertificate {
    if (!this.currentCert) throw new Error('certificate not started');
    return this.currentCert;
  }

  /** SHA-256 fingerprint of the certificate new connections get (the only one a new client can use). */
  fingerprints(): string[] {
    return this.currentCert ? [this.currentCert.fingerprint] : [];
  }

  /** Replaces the self-signed certificate now (also what the timer does). */
  async rotate(): Promise<ServedCertificate> {
    const next = await this.make();
    if (this.stopped) return next;
    this.currentCert = next;
    this.rotations++;
    this.options.onRotate?.(next);
    this.schedule();
    return next;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async make(): Promise<ServedCertificate> {
    const c = await generateSelfSignedCertificate({
      hosts: this.options.hosts,
      validityMs: this.options.validityMs,
    });
    return { cert: c.cert, key: c.key, fingerprint: c.fingerprint, notAfter: c.notAfter, selfSigned: true };
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped || !this.currentCert) return;
    const validity = this.options.validityMs ?? DEFAULT_SELF_SIGNED_VALIDITY_MS;
    const before = Math.min(this.options.rotateBeforeMs ?? DAY_MS, validity / 2);
    const due = Math.max(0, this.currentCert.notAfter.getTime() - before - Date.now());
    // setTimeout holds at most ~24.8 days; validity is under 14.
    this.timer = setTimeout(() => {
      this.rotate().catch((err: unknown) => {
        this.options.onError?.(err as Error);
        // Try again in a minute rather than let the certificate lapse.
        this.timer = setTimeout(() => void this.rotate().catch(() => undefined), 60_000);
        this.timer.unref();
      });
    }, due);
    this.timer.unref();
  }
}
