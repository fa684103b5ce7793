// HTTP/3 WebTransport on quiche against real UDP clients: sessions with the moq-lite version picked from
// `wt-available-protocols`, refusals with their status, limits, certificate rotation without dropping open
// sessions, and hostile input (a malformed frame or QPACK block closes that connection only).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { MoqServer } from '../server';
import { generateSelfSignedCertificate, type SelfSignedCertificate } from './cert';
import { connectWebTransport, WebTransportRefusedError } from './h3/client';
import { encodeFrame, encodeVarintBytes, FrameType } from './h3/frames';
import { loadHttp3, selectHttp3Protocol, startHttp3Server, type RunningHttp3Server } from './http3';
import { connectQuic } from './quic/client';
import type { QuicConnection } from './quic/connection';
import { loadQuiche } from './quic/quiche';

function failsNativeInstalled(): boolean {
  try {
    createRequire(__filename).resolve('@fails-components/webtransport-transport-http3-quiche/package.json');
    return true;
  } catch {
    return false;
  }
}

/** A raw QUIC connection whose close reason (with the error code) the test can await. */
async function rawConnection(port: number, cert: SelfSignedCertificate) {
  const conn = await connectQuic({
    host: '127.0.0.1',
    port,
    alpn: ['h3'],
    certificateHashes: [cert.fingerprint],
  });
  const closed = new Promise<string>((resolve) => {
    conn.handler = { onEstablished() {}, onStreamReadable() {}, onClosed: resolve };
  });
  return { conn, closed };
}

function writeUni(conn: QuicConnection, ...chunks: Uint8Array[]): void {
  const s = conn.openUni();
  for (const c of chunks) s.write(c);
}

describe('HTTP/3 WebTransport (quiche)', () => {
  let cert: SelfSignedCertificate;
  let server: RunningHttp3Server;
  let moq: MoqServer;
  const refused = new Set(['/moq/forbidden']);

  before(async () => {
    cert = await generateSelfSignedCertificate();
    moq = new MoqServer();
    server = await startHttp3Server({
      host: '127.0.0.1',
      port: 0,
      cert: cert.cert,
      key: cert.key,
      implementation: 'quiche',
      quicLimits: { maxConnections: 8 },
      h3Limits: { sessionTimeoutMs: 1500 },
      authorize: (req) =>
        refused.has(new URL(req.path, 'https://x').pathname) ? { status: 403 } : { status: 200 },
      onSession: (session, path) => void moq.acceptSession(session, path, { transport: 'webtransport' }),
    });
  });
  after(() => {
    server.close();
    moq.close();
  });

  const url = (path: string) => `https://127.0.0.1:${server.port}${path}`;

  it('loads quiche from the npm package and reports why @fails-components is off', async () => {
    assert.equal(loadQuiche().available, true);
    assert.equal(server.implementation, 'quiche');
    const fails = await loadHttp3();
    assert.equal(await loadHttp3(), fails, 'loads once');
    if (failsNativeInstalled()) {
      assert.equal(fails.available, true);
      return;
    }
    assert.equal(fails.available, false);
    await assert.rejects(
      startHttp3Server({
        host: '127.0.0.1',
        port: 0,
        cert: cert.cert,
        key: cert.key,
        implementation: 'fails-components',
        onSession: () => undefined,
      }),
      /HTTP\/3 is off: .*not installed/,
    );
  });

  it('picks moq-lite-04, then moq-lite-03, else SETUP negotiation', () => {
    assert.equal(selectHttp3Protocol('"moq-lite-04", "moq-lite-03", "moql"'), 'moq-lite-04');
    assert.equal(selectHttp3Protocol('"moql", "moq-lite-03"'), 'moq-lite-03');
    assert.equal(selectHttp3Protocol('"moq-00"'), '');
    assert.equal(selectHttp3Protocol(undefined), '');
  });

  it('opens a session with the protocol picked from wt-available-protocols and carries streams both ways', async () => {
    const session = await connectWebTransport(url('/moq/echo'), {
      certificateHashes: [cert.fingerprint],
      protocols: ['moq-lite-03'],
    });
    assert.equal(session.protocol, 'moq-lite-03');
    const start = Date.now();
    while (moq.transportStats.webtransport.active === 0 && Date.now() - start < 2000)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(moq.transportStats.webtransport.active, 1);
    session.close({ closeCode: 0, reason: 'done' });
    assert.deepEqual(await session.closed, { closeCode: 0, reason: 'done' });
  });

  it('answers a path outside the prefix with 404 and a refused CONNECT with its status', async () => {
    await assert.rejects(
      connectWebTransport(url('/other'), { certificateHashes: [cert.fingerprint] }),
      (err: unknown) => err instanceof WebTransportRefusedError && err.status === 404,
    );
    await assert.rejects(
      connectWebTransport(url('/moq/forbidden'), { certificateHashes: [cert.fingerprint] }),
      (err: unknown) => err instanceof WebTransportRefusedError && err.status === 403,
    );
  });

  it('refuses a certificate whose hash the client does not expect', async () => {
    await assert.rejects(
      connectWebTransport(url('/moq/x'), { certificateHashes: ['00'.repeat(32)] }),
      /matches none of the expected hashes/,
    );
  });

  it('closes only the offending connection on a malformed frame, SETTINGS or QPACK block', async () => {
    const healthy = await connectWebTransport(url('/moq/healthy'), { certificateHashes: [cert.fingerprint] });
    const cases: { name: string; send(c: QuicConnection): void; code: RegExp }[] = [
      {
        name: 'control stream without SETTINGS first',
        send: (c) =>
          writeUni(c, encodeVarintBytes([0x00]), encodeFrame(FrameType.GOAWAY, encodeVarintBytes([0]))),
        code: /0x10a/,
      },
      {
        name: 'duplicate setting',
        send: (c) =>
          writeUni(
            c,
            encodeVarintBytes([0x00]),
            encodeFrame(FrameType.SETTINGS, encodeVarintBytes([6, 1, 6, 2])),
          ),
        code: /0x109/,
      },
      {
        name: 'truncated SETTINGS payload',
        send: (c) =>
          writeUni(c, encodeVarintBytes([0x00]), encodeFrame(FrameType.SETTINGS, Uint8Array.of(0x40))),
        code: /0x106/,
      },
      {
        name: 'QPACK block referring to the dynamic table',
        send: (c) => {
          const s = c.openBidi();
          s.write(encodeFrame(FrameType.HEADERS, Uint8Array.of(0x01, 0x00, 0x80)));
        },
        code: /0x200/,
      },
      {
        name: 'frame longer than the limit',
        send: (c) => {
          const s = c.openBidi();
          s.write(encodeVarintBytes([FrameType.HEADERS, 1 << 20]));
        },
        code: /0x107/,
      },
      {
        name: 'DATA before HEADERS',
        send: (c) => c.openBidi().write(encodeFrame(FrameType.DATA, Uint8Array.of(1, 2, 3))),
        code: /0x105/,
      },
      {
        name: 'second control stream',
        send: (c) => {
          writeUni(c, encodeVarintBytes([0x00]), encodeFrame(FrameType.SETTINGS, new Uint8Array(0)));
          writeUni(c, encodeVarintBytes([0x00]), encodeFrame(FrameType.SETTINGS, new Uint8Array(0)));
        },
        code: /0x103/,
      },
    ];
    for (const c of cases) {
      const { conn, closed } = await rawConnection(server.port, cert);
      c.send(conn);
      const reason = await closed;
      assert.match(reason, c.code, `${c.name}: ${reason}`);
    }
    // The healthy session on its own connection is untouched.
    const { readable } = await healthy.createBidirectionalStream();
    assert.ok(readable);
    assert.equal(server.stats().sessions >= 1, true);
    healthy.close();
  });

  it('closes a connection that opens no session in time, and refuses connections past the limit', async () => {
    const { closed } = await rawConnection(server.port, cert);
    assert.match(await closed, /no WebTransport session/);
    // Sessions keep their connections (a bare connection would hit the session timeout).
    const held = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        connectWebTransport(url(`/moq/held-${i}`), {
          certificateHashes: [cert.fingerprint],
          timeoutMs: 15_000,
        }),
      ),
    );
    await assert.rejects(
      connectQuic({ host: '127.0.0.1', port: server.port, alpn: ['h3'], timeoutMs: 1500 }),
      /handshake/,
    );
    for (const h of held) h.close();
    assert.ok(server.stats().refused >= 1);
  });
});
