// The client end of one QUIC connection on its own UDP socket: what tests, benchmarks and the fuzzer use to
// reach the server over HTTP/3. The server is trusted by the SHA-256 of its certificate, as browsers do with
// WebTransport `serverCertificateHashes`.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { QuicConnection } from './connection';
import { loadQuiche, type HostPort } from './quiche';

export interface QuicClientOptions {
  host: string;
  port: number;
  alpn: string[];
  /** Accepted SHA-256 hashes (hex) of the server certificate; empty accepts any (tests only). */
  certificateHashes?: string[];
  timeoutMs?: number;
  idleTimeoutMs?: number;
}

/** Connects and completes the handshake; the returned connection owns its socket. */
export async function connectQuic(options: QuicClientOptions): Promise<QuicConnection> {
  const loaded = loadQuiche();
  if (!loaded.available) throw new Error(`QUIC is unavailable: ${loaded.reason}`);
  const binding = loaded.binding;
  const v6 = isIPv6(options.host);
  const socket = createSocket(v6 ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, v6 ? '::1' : '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', () => undefined);
  const address = socket.address();
  const local: HostPort = { host: address.address, port: address.port };
  const remote: HostPort = { host: options.host, port: options.port };
  const config = binding.Config.withBoringSslCtx(false, false, null, null, null, null);
  config.setApplicationProtos(options.alpn);
  config.setMaxIdleTimeout(options.idleTimeoutMs ?? 30_000);
  config.setMaxRecvUdpPayloadSize(1500);
  config.setMaxSendUdpPayloadSize(binding.MAX_DATAGRAM_SIZE);
  config.setInitialMaxData(16 << 20);
  config.setInitialMaxStreamDataBidiLocal(1 << 20);
  config.setInitialMaxStreamDataBidiRemote(1 << 20);
  config.setInitialMaxStreamDataUni(1 << 20);
  config.setInitialMaxStreamsBidi(256);
  config.setInitialMaxStreamsUni(1024);
  config.setDisableActiveMigration(true);
  config.enableDgram(true, 16, 16);
  const native = binding.Connection.connect(null, randomBytes(16), local, remote, config);
  let onEstablished: () => void = () => undefined;
  let onClosed: (reason: string) => void = () => undefined;
  const conn = new QuicConnection({
    native,
    binding,
    local,
    remote,
    isClient: true,
    sink: { send: (packet, to) => socket.send(packet, to.port, to.host) },
    maxSendUdpPayload: binding.MAX_DATAGRAM_SIZE,
    onGone: () => socket.close(),
  });
  socket.on('message', (msg, rinfo) => conn.receive(msg, { host: rinfo.address, port: rinfo.port }));
  conn.handler = {
    onEstablished: () => onEstablished(),
    onStreamReadable: () => undefined,
    onClosed: (reason) => onClosed(reason),
  };
  const established = new Promise<void>((resolve, reject) => {
    onEstablished = resolve;
    onClosed = (reason) => reject(new Error(`QUIC handshake failed: ${reason}`));
  });
  conn.flush();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      established,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`QUIC handshake timed out after ${options.timeoutMs ?? 5000} ms`)),
          options.timeoutMs ?? 5000,
        );
      }),
    ]);
  } catch (err) {
    conn.close(0, 'handshake failed', false);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const hashes = options.certificateHashes ?? [];
  if (hashes.length > 0) {
    const leaf = conn.peerCertificates()[0];
    const hash = leaf ? createHash('sha256').update(leaf).digest('hex') : '';
    if (!hashes.includes(hash)) {
      conn.close(0x12a, 'certificate hash mismatch', false);
      throw new Error(`server certificate ${hash || '(none)'} matches none of the expected hashes`);
    }
  }
  conn.handler = undefined;
  return conn;
}
