// A WebTransport-over-HTTP/3 client on the quiche binding: the Node stand-in for a browser's `WebTransport`
// that tests, the benchmark and the fuzzer use against the server (pass it to `@moq/lite` as `transport`).
import { connectQuic } from '../quic/client';
import { DEFAULT_H3_LIMITS, H3Connection, type Http3WebTransportSession } from './webtransport';

export interface WebTransportClientOptions {
  /** Accepted SHA-256 hashes (hex) of the server certificate (as `serverCertificateHashes`). */
  certificateHashes?: string[];
  /** Offered in `wt-available-protocols`, e.g. `['moq-lite-04', 'moq-lite-03']`. */
  protocols?: string[];
  origin?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Thrown when the server answers the CONNECT with a status other than 2xx. */
export class WebTransportRefusedError extends Error {
  constructor(readonly status: number) {
    super(`WebTransport CONNECT refused with status ${status}`);
  }
}

/** Opens a WebTransport session to `https://host:port/path` over HTTP/3. */
export async function connectWebTransport(
  url: string | URL,
  options: WebTransportClientOptions = {},
): Promise<Http3WebTransportSession> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 443);
  const quic = await connectQuic({
    host,
    port,
    alpn: ['h3'],
    certificateHashes: options.certificateHashes,
    timeoutMs: options.timeoutMs,
  });
  return new Promise<Http3WebTransportSession>((resolve, reject) => {
    const timer = setTimeout(() => {
      quic.close(0x10c, 'CONNECT timed out');
      reject(new Error('WebTransport CONNECT timed out'));
    }, options.timeoutMs ?? 5000);
    const h3 = new H3Connection(quic, DEFAULT_H3_LIMITS, {
      client: {
        authority: target.host,
        path: `${target.pathname}${target.search}`,
        origin: options.origin,
        protocols: options.protocols,
        headers: options.headers,
        onResponse: (status, session) => {
          clearTimeout(timer);
          if (session) resolve(session);
          else reject(new WebTransportRefusedError(status));
        },
      },
    });
    void h3;
  });
}
