// The gateway as the server uses it: the WebSocket path on a real HTTP server and HTTP/3 on the same port
// (quiche from the npm package), both reaching one relay; HTTP/3 that cannot bind is logged once, with why.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import * as Moq from '@moq/lite';
import { startMoqGateway } from './gateway';
import { installMoqClientEnv } from './testing/client-env';
import { connectWebTransport } from './transport/h3/client';

installMoqClientEnv();

async function httpServer() {
  const http = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return { http, port: (http.address() as AddressInfo).port };
}

describe('startMoqGateway', () => {
  it('serves the WebSocket path and HTTP/3 at the same port, counting sessions by transport', async () => {
    const { http, port } = await httpServer();
    const logs: string[] = [];
    const gateway = await startMoqGateway({
      httpServer: http,
      host: '127.0.0.1',
      port,
      log: { debug() {}, info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`) },
    });
    try {
      assert.deepEqual(gateway.http3, { enabled: true, implementation: gateway.http3.implementation });
      assert.deepEqual(logs, ['info MoQ over HTTP/3 WebTransport enabled']);
      assert.equal(gateway.fingerprints().length, 1);
      const ws = await Moq.Connection.connect(new URL(`http://127.0.0.1:${port}/moq/gw`));
      assert.equal(ws.version, 'moq-lite-02');
      const session = await connectWebTransport(`https://127.0.0.1:${port}/moq/gw`, {
        certificateHashes: gateway.fingerprints(),
        protocols: ['moq-lite-04'],
      });
      const h3 = await Moq.Connection.connect(new URL(`https://127.0.0.1:${port}/moq/gw`), {
        transport: session,
      } as unknown as Parameters<typeof Moq.Connection.connect>[1]);
      assert.equal(h3.version, 'moq-lite-04');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(gateway.moq.transportStats.websocket.active, 1);
      assert.equal(gateway.moq.transportStats.webtransport.active, 1);
      ws.close();
      h3.close();
    } finally {
      gateway.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it('keeps to the WebSocket path and says why once when the UDP port is taken', async () => {
    const { http, port } = await httpServer();
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
    const logs: string[] = [];
    const gateway = await startMoqGateway({
      httpServer: http,
      host: '127.0.0.1',
      port,
      log: { debug() {}, info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`) },
    });
    try {
      assert.equal(gateway.http3.enabled, false);
      assert.deepEqual(gateway.fingerprints(), []);
      assert.equal(logs.length, 1);
      assert.match(
        logs[0],
        /^warn MoQ HTTP\/3 is off \(.*EADDRINUSE.*\); MoQ is served over the WebSocket path/,
      );
    } finally {
      gateway.close();
      udp.close();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });
});
