// A QUIC server endpoint on one UDP socket: stateless retry (an Initial without our token costs us no state),
// then one QuicConnection per client, found by the connection id we issued. Every step is synchronous, so
// the second Initial of a ClientHello that spans several packets finds the connection the first one made
// (the duplicate-connection bug of @matrixai/quic's JS layer cannot happen here).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { QuicConnection } from './connection';
import type { HostPort, QuicheBinding, QuicheConfig } from './quiche';

/** Connection ids we issue: the most QUIC allows, so short-header packets are routed by a fixed slice. */
const CID_LEN = 20;
/** How long a retry token stays valid. */
const TOKEN_LIFETIME_MS = 10_000;
const MIN_INITIAL_SIZE = 1200;

export interface QuicLimits {
  /** QUIC connections at once; more are refused (CONNECTION_REFUSED). */
  maxConnections: number;
  /** Idle timeout negotiated with clients. */
  idleTimeoutMs: number;
  /** A connection whose handshake has not completed by then is closed. */
  handshakeTimeoutMs: number;
  /** Concurrent bidirectional / unidirectional streams a client may open. */
  maxStreamsBidi: number;
  maxStreamsUni: number;
  /** Flow-control windows: the unread bytes a client can make us hold per connection / per stream. */
  maxData: number;
  maxStreamData: number;
}

export const DEFAULT_QUIC_LIMITS: QuicLimits = {
  maxConnections: 1000,
  idleTimeoutMs: 30_000,
  handshakeTimeoutMs: 10_000,
  maxStreamsBidi: 128,
  maxStreamsUni: 256,
  maxData: 8 << 20,
  maxStreamData: 1 << 20,
};

export interface QuicEndpointOptions {
  binding: QuicheBinding;
  host: string;
  port: number;
  cert: string;
  key: string;
  alpn: string[];
  limits?: Partial<QuicLimits>;
  onConnection(conn: QuicConnection): void;
}

export interface QuicEndpointStats {
  connections: number;
  accepted: number;
  refused: number;
  retries: number;
  invalidTokens: number;
}

export class QuicEndpoint {
  readonly limits: QuicLimits;
  readonly stats: QuicEndpointStats = {
    connections: 0,
    accepted: 0,
    refused: 0,
    retries: 0,
    invalidTokens: 0,
  };
  private readonly binding: QuicheBinding;
  private readonly connections = new Map<string, QuicConnection>();
  private readonly tokenKey = randomBytes(32);
  private config: QuicheConfig;
  private readonly local: HostPort;
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly options: QuicEndpointOptions,
  ) {
    this.binding = options.binding;
    this.limits = { ...DEFAULT_QUIC_LIMITS, ...options.limits };
    this.config = this.makeConfig(options.cert, options.key);
    const address = socket.address();
    this.local = { host: address.address, port: address.port };
    socket.on('message', (msg, rinfo) => {
      try {
        this.onDatagram(msg, rinfo);
      } catch {
        // A datagram that breaks our handling is dropped; the connection it belongs to (if any) times out.
      }
    });
  }

  /** Binds UDP `host:port` and serves QUIC there. */
  static async listen(options: QuicEndpointOptions): Promise<QuicEndpoint> {
    const v6 = isIPv6(options.host) || options.host === '::';
    const socket = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Errors on an open UDP socket (ICMP unreachable and the like) concern single packets.
    socket.on('error', () => undefined);
    return new QuicEndpoint(socket, options);
  }

  get port(): number {
    return this.local.port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** New connections use this certificate; open ones keep theirs. */
  setCertificate(cert: string, key: string): void {
    this.config = this.makeConfig(cert, key);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of [...this.connections.values()]) c.close(0x100, 'server shutting down');
    this.socket.close();
  }

  private makeConfig(cert: string, key: string): QuicheConfig {
    const l = this.limits;
    const config = this.binding.Config.withBoringSslCtx(
      false,
      false,
      null,
      [Buffer.from(key)],
      [Buffer.from(cert)],
      null,
    );
    config.setApplicationProtos(this.options.alpn);
    config.setMaxIdleTimeout(l.idleTimeoutMs);
    config.setMaxRecvUdpPayloadSize(1500);
    config.setMaxSendUdpPayloadSize(this.binding.MAX_DATAGRAM_SIZE);
    config.setInitialMaxData(l.maxData);
    config.setInitialMaxStreamDataBidiLocal(l.maxStreamData);
    config.setInitialMaxStreamDataBidiRemote(l.maxStreamData);
    config.setInitialMaxStreamDataUni(l.maxStreamData);
    config.setInitialMaxStreamsBidi(l.maxStreamsBidi);
    config.setInitialMaxStreamsUni(l.maxStreamsUni);
    // The windows may grow with the measured rate, but never past twice the initial ones.
    config.setMaxStreamWindow(l.maxStreamData * 2);
    config.setMaxConnectionWindow(l.maxData * 2);
    config.setDisableActiveMigration(true);
    // HTTP/3 datagrams must be on for browsers to offer WebTransport; moq-lite sends none, we drop them.
    config.enableDgram(true, 16, 16);
    config.grease(true);
    return config;
  }

  private send(packet: Uint8Array, to: HostPort): void {
    if (this.closed) return;
    this.socket.send(packet, to.port, to.host);
  }

  private readonly sink = { send: (packet: Uint8Array, to: HostPort) => this.send(packet, to) };

  private onDatagram(data: Buffer, rinfo: RemoteInfo): void {
    if (this.closed || data.length === 0) return;
    const from = { host: rinfo.address, port: rinfo.port };
    if ((data[0] & 0x80) === 0) {
      // Short header: our connection id follows the first byte.
      if (data.length < 1 + CID_LEN) return;
      this.connections.get(data.toString('latin1', 1, 1 + CID_LEN))?.receive(data, from);
      return;
    }
    let header: ReturnType<QuicheBinding['Header']['fromSlice']>;
    try {
      header = this.binding.Header.fromSlice(data, CID_LEN);
    } catch {
      return; // not QUIC
    }
    const key = Buffer.from(header.dcid).toString('latin1');
    const existing = this.connections.get(key);
    if (existing) {
      existing.receive(data, from);
      return;
    }
    if (header.ty !== this.binding.Type.Initial || data.length < MIN_INITIAL_SIZE) return;
    if (!this.binding.versionIsSupported(header.version)) {
      const out = Buffer.allocUnsafe(this.binding.MAX_DATAGRAM_SIZE);
      const n = this.binding.negotiateVersion(header.scid, header.dcid, out);
      this.send(out.subarray(0, n), from);
      return;
    }
    const token = header.token;
    if (!token || token.length === 0) {
      this.sendRetry(header.scid, header.dcid, header.version, from);
      return;
    }
    const odcid = this.validateToken(Buffer.from(token), Buffer.from(header.dcid), from);
    if (!odcid) {
      this.stats.invalidTokens++;
      return;
    }
    this.accept(Buffer.from(header.dcid), odcid, from, data);
  }

  private accept(scid: Buffer, odcid: Buffer, from: HostPort, first: Buffer): void {
    const native = this.binding.Connection.accept(scid, odcid, this.local, from, this.config);
    const key = scid.toString('latin1');
    const timer: { handshake?: NodeJS.Timeout } = {};
    const conn = new QuicConnection({
      native,
      binding: this.binding,
      local: this.local,
      remote: from,
      sink: this.sink,
      maxSendUdpPayload: this.binding.MAX_DATAGRAM_SIZE,
      onGone: (c) => {
        clearTimeout(timer.handshake);
        if (this.connections.get(key) === c) this.connections.delete(key);
        this.stats.connections = this.connections.size;
      },
    });
    // Registered before the first packet is processed: the ClientHello's next Initial finds it.
    this.connections.set(key, conn);
    this.stats.connections = this.connections.size;
    if (this.connections.size > this.limits.maxConnections) {
      this.stats.refused++;
      conn.refuse(first, from, 0x02, `too many connections (limit ${this.limits.maxConnections})`);
      return;
    }
    this.stats.accepted++;
    timer.handshake = setTimeout(() => {
      if (!conn.isEstablished) conn.close(0x01, 'handshake timeout', false);
    }, this.limits.handshakeTimeoutMs);
    timer.handshake.unref();
    this.options.onConnection(conn);
    conn.receive(first, from);
  }

  private sendRetry(scid: Uint8Array, dcid: Uint8Array, version: number, to: HostPort): void {
    const newScid = randomBytes(CID_LEN);
    const token = this.mintToken(Buffer.from(dcid), newScid, to);
    const out = Buffer.allocUnsafe(this.binding.MAX_DATAGRAM_SIZE);
    const n = this.binding.retry(scid, dcid, newScid, token, version, out);
    this.stats.retries++;
    this.send(out.subarray(0, n), to);
  }

  private tokenMac(time: Buffer, odcid: Buffer, scid: Buffer, peer: HostPort): Buffer {
    return createHmac('sha256', this.tokenKey)
      .update(time)
      .update(odcid)
      .update(scid)
      .update(`${peer.host}|${peer.port}`)
      .digest()
      .subarray(0, 16);
  }

  /** Token: time (8 bytes) | odcid length | odcid | MAC(time, odcid, the new scid, peer address). */
  private mintToken(odcid: Buffer, newScid: Buffer, peer: HostPort): Buffer {
    const time = Buffer.alloc(8);
    time.writeBigUInt64BE(BigInt(Date.now()));
    return Buffer.concat([
      time,
      Buffer.from([odcid.length]),
      odcid,
      this.tokenMac(time, odcid, newScid, peer),
    ]);
  }

  /** The original destination connection id when the token is ours, fresh and for this peer and id. */
  private validateToken(token: Buffer, dcid: Buffer, peer: HostPort): Buffer | undefined {
    if (token.length < 9 + 16) return undefined;
    const odcidLen = token[8];
    if (odcidLen > CID_LEN || token.length !== 9 + odcidLen + 16) return undefined;
    const time = token.subarray(0, 8);
    const age = Date.now() - Number(time.readBigUInt64BE());
    if (age < 0 || age > TOKEN_LIFETIME_MS) return undefined;
    const odcid = token.subarray(9, 9 + odcidLen);
    const mac = token.subarray(9 + odcidLen);
    if (!timingSafeEqual(mac, this.tokenMac(time, odcid, dcid, peer))) return undefined;
    return Buffer.from(odcid);
  }
}
