// HTTP/3 (RFC 9114) just far enough for WebTransport (draft-ietf-webtrans-http3, the draft-02 wire format
// browsers speak plus the draft-07 settings): control streams and SETTINGS, extended CONNECT (RFC 9220) with
// `:protocol: webtransport`, the 0x41 / 0x54 stream prefixes and the CLOSE capsule. One session per
// connection. Anything malformed closes that connection with the HTTP/3 error code, never more.
// Here: H3Connection and its stream demux; the session (wt-session.ts), the CONNECT (connect.ts) and the
// control streams (control.ts) are its collaborators.
import { ByteReader, ShortBufferError } from '../../protocol/varint';
import type { QuicConnection, QuicConnectionHandler } from '../quic/connection';
import { QuicheStreamError } from '../quic/errors';
import type { QuicSendStream } from '../quic/send-stream';
import { ExtendedConnect, type ConnectHost } from './connect';
import { checkEncoderStream, CONTROL_FRAME_LIMIT, readControlFrames, sendSettings } from './control';
import {
  H3ConnectionError,
  H3Error,
  readLooseVarint,
  TlvReader,
  UniStreamType,
  WEBTRANSPORT_BIDI_SIGNAL,
} from './frames';
import { QpackError } from './qpack';
import type { H3ClientRequest, H3Limits, H3ServerHooks, StreamRole } from './types';
import { Http3WebTransportSession, WtReceiveStream, wtErrorCode } from './wt-session';

export { parseProtocolList } from './connect';
export {
  DEFAULT_H3_LIMITS,
  type H3ClientRequest,
  type H3Limits,
  type H3ServerHooks,
  type WebTransportDecision,
  type WebTransportRequest,
} from './types';
export { Http3WebTransportSession } from './wt-session';

const WT_BUFFERED_STREAM_REJECTED = 0x3994bd84;

/** HTTP/3 on one QUIC connection. */
export class H3Connection implements QuicConnectionHandler, ConnectHost {
  /** @internal */
  readonly roles = new Map<number, StreamRole>();
  private readonly localReceivers = new Map<QuicSendStream, WtReceiveStream>();
  /** @internal */
  session: Http3WebTransportSession | undefined;
  private peerControl = false;
  private peerEncoder = false;
  private peerDecoder = false;
  private readonly pending: {
    id: number;
    kind: 'uni' | 'bidi';
    session: number;
    first: Uint8Array;
    fin: boolean;
  }[] = [];
  private sessionTimer: NodeJS.Timeout | undefined;
  /** @internal */
  gone = false;

  private readonly client: H3ClientRequest | undefined;
  private readonly connect: ExtendedConnect;

  constructor(
    readonly quic: QuicConnection,
    private readonly limits: H3Limits,
    mode: { server: H3ServerHooks } | { client: H3ClientRequest },
  ) {
    this.client = 'client' in mode ? mode.client : undefined;
    this.connect = new ExtendedConnect(this, mode);
    quic.handler = this;
    quic.onOpened = (s) => {
      const recv = this.localReceivers.get(s);
      if (recv) {
        this.localReceivers.delete(s);
        recv.id = s.id;
        this.roles.set(s.id, { kind: 'wt', recv });
      } else if (s === this.connect.clientConnect) {
        this.roles.set(s.id, { kind: 'response', frames: new TlvReader(this.limits.maxFieldSectionBytes) });
      }
    };
    if (this.client && quic.isEstablished) this.onEstablished();
  }

  onEstablished(): void {
    sendSettings(this.quic, this.limits);
    if (this.client) {
      this.connect.sendConnect(this.client);
      return;
    }
    this.sessionTimer = setTimeout(() => {
      if (!this.session) this.fail(new H3ConnectionError(H3Error.NO_ERROR, 'no WebTransport session'));
    }, this.limits.sessionTimeoutMs);
    this.sessionTimer.unref();
  }

  onStreamReadable(id: number): void {
    if (this.gone) return;
    try {
      this.readStream(id);
    } catch (err) {
      this.fail(err);
    }
  }

  onClosed(reason: string): void {
    if (this.gone) return;
    this.gone = true;
    if (this.client && !this.session) this.client.onResponse(0, undefined);
    clearTimeout(this.sessionTimer);
    this.session?.end(0, reason);
    for (const role of this.roles.values()) if (role.kind === 'wt') role.recv.fail(reason);
    this.roles.clear();
  }

  /** Closes the connection for a protocol error (or an unexpected exception). */
  fail(err: unknown): void {
    const code =
      err instanceof H3ConnectionError
        ? err.code
        : err instanceof QpackError
          ? H3Error.QPACK_DECOMPRESSION_FAILED
          : H3Error.INTERNAL_ERROR;
    const message = err instanceof Error ? err.message : String(err);
    if (process.env.MOQ_TRACE) process.stderr.write(`[h3 fail] ${(err as Error).stack}\n`);
    this.quic.close(code, message);
    this.onClosed(message);
  }

  /** @internal */
  stopReading(id: number, code: number): void {
    this.roles.delete(id);
    this.quic.shutdownRead(id, code);
  }

  /** @internal */
  forget(id: number): void {
    this.roles.delete(id);
  }

  /** @internal the session ended from our side: the connection goes after the close capsule is out */
  sessionEnded(session: Http3WebTransportSession): void {
    if (this.session !== session) return;
    setTimeout(() => this.quic.close(H3Error.NO_ERROR, 'session closed'), 100).unref();
  }

  /** @internal */
  newReceiveStream(id: number, first: Uint8Array | undefined): WtReceiveStream {
    const recv = new WtReceiveStream(this, first, this.limits.streamHighWaterMark);
    recv.id = id;
    this.roles.set(id, { kind: 'wt', recv });
    return recv;
  }

  /** @internal the reading half of a bidirectional stream we open (its id comes when it opens) */
  receiveStreamForLocal(send: QuicSendStream): WtReceiveStream {
    const recv = new WtReceiveStream(this, undefined, this.limits.streamHighWaterMark);
    this.localReceivers.set(send, recv);
    return recv;
  }

  /** @internal a WHATWG writer over a send stream, waiting while the connection's queue is long */
  writableOf(send: QuicSendStream): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (send.finished) throw new Error('stream stopped by peer');
        send.write(chunk);
        while (this.quic.bufferedAmount > this.limits.writeHighWaterMark && !send.finished && !this.gone) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      close: () => send.close(),
      abort: () => send.reset(wtErrorCode(0)),
    });
  }

  /** @internal */
  sessionOpened(session: Http3WebTransportSession): void {
    this.session = session;
    clearTimeout(this.sessionTimer);
  }

  /** @internal */
  adoptPending(session: Http3WebTransportSession): void {
    for (const p of this.pending.splice(0)) {
      if (p.session !== session.sessionId) {
        this.rejectStream(p.id, p.kind);
        continue;
      }
      const recv = session.accept(p.kind, p.id, p.first, p.fin);
      if (!recv) this.rejectStream(p.id, p.kind);
      else recv.drain();
    }
  }

  /** @internal */
  rejectPending(): void {
    for (const p of this.pending.splice(0)) this.rejectStream(p.id, p.kind);
  }

  private readStream(id: number): void {
    let role = this.roles.get(id);
    if (!role) {
      if (this.quic.isLocal(id)) return; // our own stream with nothing registered to read it
      if (this.session === undefined && this.roles.size >= 64)
        throw new H3ConnectionError(H3Error.EXCESSIVE_LOAD, 'too many streams before a session');
      role = { kind: 'prefix', buf: new Uint8Array(0) };
      this.roles.set(id, role);
    }
    if (role.kind === 'wt') {
      role.recv.drain();
      return;
    }
    if (role.kind === 'held') return;
    for (;;) {
      let r: { data: Uint8Array; fin: boolean } | null;
      try {
        r = this.quic.read(id);
      } catch (err) {
        this.streamReset(id, role, err);
        return;
      }
      if (!r) return;
      role = this.onData(id, role, r.data, r.fin);
      if (!role) return;
      if (role.kind === 'wt') {
        role.recv.drain();
        return;
      }
    }
  }

  /** @internal Handles bytes of a stream in its current role; returns the role to continue with, if any. */
  onData(id: number, role: StreamRole, data: Uint8Array, fin: boolean): StreamRole | undefined {
    switch (role.kind) {
      case 'prefix':
        return this.onPrefix(id, role, data, fin);
      case 'control':
        if (fin) throw new H3ConnectionError(H3Error.CLOSED_CRITICAL_STREAM, 'control stream closed');
        role.frames.push(data);
        readControlFrames(role);
        return role;
      case 'qpack-encoder':
        if (fin) throw new H3ConnectionError(H3Error.CLOSED_CRITICAL_STREAM, 'QPACK encoder stream closed');
        checkEncoderStream(data);
        return role;
      case 'discard':
        if (fin) this.roles.delete(id);
        return fin ? undefined : role;
      case 'request':
        role.frames.push(data);
        return this.connect.onRequestFrames(id, role, fin);
      case 'response':
        role.frames.push(data);
        return this.connect.onResponseFrames(id, role, fin);
      case 'connect':
        role.frames.push(data);
        this.connect.onConnectFrames(role);
        if (fin) this.connect.onConnectEnd(id, role, 0, '');
        return fin ? undefined : role;
      case 'wt':
      case 'held':
        return role;
    }
  }

  private onPrefix(
    id: number,
    role: { kind: 'prefix'; buf: Uint8Array },
    data: Uint8Array,
    fin: boolean,
  ): StreamRole | undefined {
    const buf = new Uint8Array(role.buf.length + data.length);
    buf.set(role.buf);
    buf.set(data, role.buf.length);
    role.buf = buf;
    const r = new ByteReader(buf);
    const uni = (id & 2) !== 0;
    let type: number;
    try {
      type = readLooseVarint(r);
    } catch (err) {
      if (!(err instanceof ShortBufferError)) throw err;
      if (fin) this.roles.delete(id);
      return fin ? undefined : role;
    }
    if (uni) return this.onUniType(id, type, r, fin);
    if (type === WEBTRANSPORT_BIDI_SIGNAL) return this.onWtStream(id, 'bidi', r, fin, role);
    if (this.client)
      throw new H3ConnectionError(H3Error.STREAM_CREATION_ERROR, 'server-initiated request stream');
    // A request stream: the bytes so far are HTTP/3 frames.
    const request: StreamRole = { kind: 'request', frames: new TlvReader(this.limits.maxFieldSectionBytes) };
    this.roles.set(id, request);
    return this.onData(id, request, buf, fin);
  }

  private onUniType(id: number, type: number, r: ByteReader, fin: boolean): StreamRole | undefined {
    const rest = r.buf.subarray(r.pos);
    switch (type) {
      case UniStreamType.CONTROL: {
        if (this.peerControl)
          throw new H3ConnectionError(H3Error.STREAM_CREATION_ERROR, 'second control stream');
        this.peerControl = true;
        const role: StreamRole = {
          kind: 'control',
          frames: new TlvReader(CONTROL_FRAME_LIMIT),
          settingsSeen: false,
        };
        this.roles.set(id, role);
        return this.onData(id, role, rest, fin);
      }
      case UniStreamType.QPACK_ENCODER: {
        if (this.peerEncoder)
          throw new H3ConnectionError(H3Error.STREAM_CREATION_ERROR, 'second QPACK encoder stream');
        this.peerEncoder = true;
        const role: StreamRole = { kind: 'qpack-encoder' };
        this.roles.set(id, role);
        return this.onData(id, role, rest, fin);
      }
      case UniStreamType.QPACK_DECODER: {
        if (this.peerDecoder)
          throw new H3ConnectionError(H3Error.STREAM_CREATION_ERROR, 'second QPACK decoder stream');
        this.peerDecoder = true;
        const role: StreamRole = { kind: 'discard' };
        this.roles.set(id, role);
        return role;
      }
      case UniStreamType.PUSH:
        throw new H3ConnectionError(H3Error.STREAM_CREATION_ERROR, 'clients cannot push');
      case UniStreamType.WEBTRANSPORT:
        return this.onWtStream(id, 'uni', r, fin, undefined);
      default:
        // Unknown and GREASE stream types are ignored (RFC 9114 §6.2.3).
        this.roles.delete(id);
        this.quic.shutdownRead(id, H3Error.STREAM_CREATION_ERROR);
        return undefined;
    }
  }

  private onWtStream(
    id: number,
    kind: 'uni' | 'bidi',
    r: ByteReader,
    fin: boolean,
    role: StreamRole | undefined,
  ): StreamRole | undefined {
    let sessionId: number;
    try {
      sessionId = readLooseVarint(r);
    } catch (err) {
      if (!(err instanceof ShortBufferError)) throw err;
      if (fin) this.roles.delete(id);
      return fin ? undefined : (role ?? { kind: 'prefix', buf: r.buf });
    }
    const first = r.buf.slice(r.pos);
    if (sessionId % 4 !== 0) throw new H3ConnectionError(H3Error.ID_ERROR, `invalid session id ${sessionId}`);
    if (this.session && this.session.sessionId === sessionId) {
      const recv = this.session.accept(kind, id, first, fin);
      if (recv) return fin ? undefined : this.roles.get(id);
    } else if (!this.session && this.pending.length < this.limits.maxPendingStreams) {
      // The CONNECT is still being decided: hold the stream (QUIC flow control bounds what it can send).
      this.pending.push({ id, kind, session: sessionId, first, fin });
      const held: StreamRole = { kind: 'held' };
      this.roles.set(id, held);
      return undefined;
    }
    // Not our session, it is closed, or too many streams wait for one.
    this.rejectStream(id, kind);
    return undefined;
  }

  private rejectStream(id: number, kind: 'uni' | 'bidi'): void {
    this.roles.delete(id);
    this.quic.shutdownRead(id, WT_BUFFERED_STREAM_REJECTED);
    if (kind === 'bidi') this.quic.shutdownWrite(id, WT_BUFFERED_STREAM_REJECTED);
  }

  private streamReset(id: number, role: StreamRole, err: unknown): void {
    const e = QuicheStreamError.from(err);
    this.roles.delete(id);
    if (role.kind === 'control' || role.kind === 'qpack-encoder')
      throw new H3ConnectionError(H3Error.CLOSED_CRITICAL_STREAM, `critical stream reset (${e.message})`);
    if (role.kind === 'connect') this.connect.onConnectEnd(id, role, e.code, 'CONNECT stream reset');
  }
}
