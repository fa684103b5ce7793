// The quiche QUIC library as `@matrixai/quic` ships it: a prebuilt Node-API binary inside a per-platform npm
// package (`@matrixai/quic-linux-x64`, ...), so it installs from the registry alone. We drive the native
// binding ourselves (see endpoint.ts) rather than through the package's JS layer; loading never throws.
import { createRequire } from 'node:module';

export interface HostPort {
  host: string;
  port: number;
}

export interface QuicheConfig {
  verifyPeer(verify: boolean): void;
  grease(grease: boolean): void;
  setApplicationProtos(protos: string[]): void;
  setMaxIdleTimeout(ms: number): void;
  setMaxRecvUdpPayloadSize(size: number): void;
  setMaxSendUdpPayloadSize(size: number): void;
  setInitialMaxData(v: number): void;
  setInitialMaxStreamDataBidiLocal(v: number): void;
  setInitialMaxStreamDataBidiRemote(v: number): void;
  setInitialMaxStreamDataUni(v: number): void;
  setInitialMaxStreamsBidi(v: number): void;
  setInitialMaxStreamsUni(v: number): void;
  setDisableActiveMigration(v: boolean): void;
  enableDgram(enabled: boolean, recvQueueLen: number, sendQueueLen: number): void;
  setMaxStreamWindow(v: number): void;
  setMaxConnectionWindow(v: number): void;
}

export interface QuicheConnection {
  recv(data: Uint8Array, info: { from: HostPort; to: HostPort }): number;
  send(data: Uint8Array): [number, { from: HostPort; to: HostPort }] | null;
  streamRecv(streamId: number, data: Uint8Array): [number, boolean] | null;
  streamSend(streamId: number, data: Uint8Array, fin: boolean): number | null;
  streamShutdown(streamId: number, direction: number, err: number): void | null;
  streamFinished(streamId: number): boolean;
  peerStreamsLeftBidi(): number;
  peerStreamsLeftUni(): number;
  readable(): Iterable<number>;
  writable(): Iterable<number>;
  dgramRecvVec(): Uint8Array | null;
  dgramSend(data: Uint8Array): void | null;
  timeout(): number | null;
  onTimeout(): void;
  close(app: boolean, err: number, reason: Uint8Array): void | null;
  isEstablished(): boolean;
  peerCertChain(): Uint8Array[] | null;
  isClosed(): boolean;
  isDraining(): boolean;
  isTimedOut(): boolean;
  peerError(): { isApp: boolean; errorCode: number; reason: Uint8Array } | null;
  localError(): { isApp: boolean; errorCode: number; reason: Uint8Array } | null;
  stats(): { recv: number; sent: number; lost: number; sentBytes: number; recvBytes: number };
}

export interface QuicheHeader {
  ty: number;
  version: number;
  dcid: Uint8Array;
  scid: Uint8Array;
  token?: Uint8Array;
}

export interface QuicheBinding {
  Config: {
    withBoringSslCtx(
      verifyPeer: boolean,
      verifyAllowFail: boolean,
      ca: Uint8Array | null,
      key: Uint8Array[] | null,
      cert: Uint8Array[] | null,
      sigalgs: string | null,
    ): QuicheConfig;
  };
  Connection: {
    accept(
      scid: Uint8Array,
      odcid: Uint8Array | null,
      local: HostPort,
      remote: HostPort,
      config: QuicheConfig,
    ): QuicheConnection;
    connect(
      serverName: string | null,
      scid: Uint8Array,
      local: HostPort,
      remote: HostPort,
      config: QuicheConfig,
    ): QuicheConnection;
  };
  Header: { fromSlice(data: Uint8Array, dcidLen: number): QuicheHeader };
  Type: { Initial: number; Retry: number; Handshake: number; ZeroRTT: number; Short: number };
  Shutdown: { Read: number; Write: number };
  negotiateVersion(scid: Uint8Array, dcid: Uint8Array, out: Uint8Array): number;
  retry(
    scid: Uint8Array,
    dcid: Uint8Array,
    newScid: Uint8Array,
    token: Uint8Array,
    version: number,
    out: Uint8Array,
  ): number;
  versionIsSupported(version: number): boolean;
  MAX_CONN_ID_LEN: number;
  MAX_DATAGRAM_SIZE: number;
}

export type QuicheAvailability =
  { available: true; binding: QuicheBinding } | { available: false; reason: string };

const PACKAGE = '@matrixai/quic';

let cached: QuicheAvailability | undefined;

/** Loads the native quiche binding of `@matrixai/quic` for this platform, once. */
export function loadQuiche(): QuicheAvailability {
  cached ??= ((): QuicheAvailability => {
    const native = `${PACKAGE}-${process.platform}-${process.arch}`;
    try {
      // The platform package is an optional dependency of @matrixai/quic: resolve it from there.
      const fromPackage = createRequire(createRequire(__filename).resolve(`${PACKAGE}/package.json`));
      const binding = fromPackage(native) as QuicheBinding;
      if (typeof binding?.Connection?.accept !== 'function') {
        return { available: false, reason: `${native} does not export the expected quiche binding` };
      }
      return { available: true, binding };
    } catch (err) {
      return {
        available: false,
        reason: `the QUIC binary ${native} could not be loaded (${(err as Error).message.split('\n')[0]})`,
      };
    }
  })();
  return cached;
}
