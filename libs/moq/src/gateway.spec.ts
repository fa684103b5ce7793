// The gateway as the server uses it: WebSocket path on a real HTTP server, HTTP/3 reported off (with the
// reason, once) where the native transport is not installed.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import * as Moq from '@moq/lite';
import { startMoqGateway } from './gateway';
import { installMoqClientEnv } from './testing/client-env';
import { loadHttp3 } from './transport/http3';

installMoqClientEnv();

describe('startMoqGateway', () => {
  it('serves the WebSocket path and logs once why HTTP/3 is off', async () => {
    const http = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    const logs: string[] = [];
    const gateway = await startMoqGateway({
      httpServer: http,
      host: '127.0.0.1',
      port,
      log: { debug() {}, info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`) },
    });
    const h3 = await loadHttp3();
    if (!h3.available) {
      assert.equal(gateway.http3.enabled, false);
      assert.deepEqual(gateway.fingerprints(), []);
      assert.equal(logs.length, 1);
      assert.match(
        logs[0],
        /^warn MoQ HTTP\/3 is off \(HTTP\/3 is off: optional dependency .* is not installed/,
      );
    }
    const conn = await Moq.Connection.connect(new URL(`http://127.0.0.1:${port}/moq/gw`));
    assert.equal(conn.version, 'moq-lite-02');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(gateway.moq.sessionCount, 1);
    conn.close();
    gateway.close();
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
  });
});
