// MoQ discovery on a real server: `/api/v1/moq/fingerprints`, `/certificate.sha256`, the `/moq` path over plain
// HTTP, and the one warning logged when HTTP/3 WebTransport cannot start (here: its UDP port is taken).
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { connectWebTransport } from '@streamkit/moq';
import { resolveConfig } from '../config';
import { startServer, type RunningServer } from '../main';
import { startTestServer } from '../testing/test-server';

/** A real server at a port whose UDP side is already bound, so HTTP/3 cannot start; logs are captured. */
async function startWithUdpTaken(): Promise<{ server: RunningServer; udp: Socket; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const { config } = resolveConfig({
      file: {
        server: { address: `127.0.0.1:${port}` },
        log: { file_enable: false, console_enable: false },
      },
      fileName: 'test overrides',
      env: {},
    });
    try {
      const server = await startServer(config, { logger: pino({ level: 'info' }, sink), env: {} });
      return { server, udp, logs };
    } catch (err) {
      udp.close();
      // The TCP side of a free UDP port is almost always free too; try another port if not.
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw err;
    }
  }
}

describe('MoQ discovery routes', () => {
  it('reports HTTP/3 off: no fingerprints, 503 on /certificate.sha256, one warning naming the reason', async () => {
    const { server, udp, logs } = await startWithUdpTaken();
    try {
      const res = await fetch(`${server.url}/api/v1/moq/fingerprints`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { fingerprints: [], http3: false });

      for (let i = 0; i < 2; i++) {
        const cert = await fetch(`${server.url}/certificate.sha256`);
        assert.equal(cert.status, 503);
        const text = await cert.text();
        assert.match(text, /HTTP\/3 is off/);
        assert.match(text, /WebSocket path/);
      }

      const config = (await (await fetch(`${server.url}/api/v1/config`)).json()) as {
        moq_gateway_url: string;
      };
      assert.equal(config.moq_gateway_url, `${server.url}/moq`);

      // Plain HTTP on the gateway path says how to connect instead of a 404.
      const plain = await fetch(`${server.url}/moq`);
      assert.equal(plain.status, 426);
      assert.match(await plain.text(), /subprotocol 'webtransport'/);

      const warnings = logs
        .map((line) => JSON.parse(line) as { msg: string; level: number; component?: string })
        .filter((l) => l.msg.includes('MoQ HTTP/3 is off'));
      assert.equal(warnings.length, 1, 'logged once');
      assert.equal(warnings[0].level, 40);
      assert.equal(warnings[0].component, 'moq');
      assert.match(warnings[0].msg, /served over the WebSocket path \/moq/);
    } finally {
      await server.close();
      udp.close();
    }
  });

  it('serves the fingerprint of the certificate HTTP/3 presents, on every install', async () => {
    const server = await startTestServer();
    try {
      const body = (await (await fetch(`${server.url}/api/v1/moq/fingerprints`)).json()) as {
        fingerprints: string[];
        http3: boolean;
      };
      // HTTP/3 no longer depends on an optional native download: the quiche binary ships in the npm package.
      assert.equal(body.http3, true);
      assert.equal(body.fingerprints.length, 1);
      assert.match(body.fingerprints[0], /^[0-9a-f]{64}$/);
      const cert = await fetch(`${server.url}/certificate.sha256`);
      assert.equal(cert.status, 200);
      assert.match(cert.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(await cert.text(), body.fingerprints[0]);
      // The certificate a client gets over QUIC is the one advertised.
      const session = await connectWebTransport(`https://127.0.0.1:${server.port}/moq/discovery`, {
        certificateHashes: body.fingerprints,
      });
      session.close();
    } finally {
      await server.close();
    }
  });
});
