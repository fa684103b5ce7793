// HTTP/3 (RFC 9114) just far enough for WebTransport (draft-ietf-webtrans-http3, the draft-02 wire format
// browsers speak plus the draft-07 settings): control streams and SETTINGS, extended CONNECT (RFC 9220) with
// `:protocol: webtransport`, the 0x41 / 0x54 stream prefixes and the CLOSE capsule. One session per
// connection. Anything malformed closes that connection with the HTTP/3 error code, never more.
import { ByteReader, ShortBufferError } from '../../protocol/varint';
import type { QuicConnection, QuicConnectionHandler } from '../quic/connection';
import type { QuicSendStream } from '../quic/send-stream';
import { QuicheStreamError } from '../quic/errors';
import type {
  BidirectionalStream,
  FastSendTransport,
  SendStream,
  WebTransportCloseInfo,
  WebTransportLike,
} from '../types';
import {
  Capsule,
  encodeCloseCapsule,
  encodeFrame,
  encodeSettings,
  encodeVarintBytes,
  FrameType,
  H3ConnectionError,
  H3Error,
  isGrease,
  readLooseVarint,
  RESERVED_H2_FRAMES,
  Setting,
  TlvReader,
  UniStreamType,
  WEBTRANSPORT_BIDI_SIGNAL,
  decodeSettings,
} from './frames';
import { decodeFieldSection, encodeFieldSection, QpackError, type HeaderField } from './qpack';

/** A WebTransport CONNECT request as the application sees it. */
export interface WebTransportRequest {
  /** Path and query of `:path`. */
  path: string;
  authority: string;
  origin: string | undefined;
  /** Header fields (lowercase names), pseudo-headers excluded. */
  headers: ReadonlyMap<string, string>;
  /** Application protocols offered in `wt-available-protocols`, in order. */
  protocols: string[];
  remote: { host: string; port: number };
}

/** The application's answer: 2xx accepts (with the protocol chosen), anything else refuses. */
export interface WebTransportDecision {
  status: number;
  protocol?: string;
  reason?: string;
}

export interface H3Limits {
  /** Time after the handshake for a WebTransport CONNECT to be accepted; then the connection is closed. */
  sessionTimeoutMs: number;
  /** Largest HEADERS frame (QPACK field section) accepted. */
  maxFieldSectionBytes: number;
  /** WebTransport streams buffered while their session is not established yet. */
  maxPendingStreams: number;
  /** Bytes a WebTransport stream may hold unread in JS before reading from QUIC pauses. */
  streamHighWaterMark: number;
  /** Bytes queued on the connection above which WHATWG writers wait. */
  writeHighWaterMark: number;
}

export const DEFAULT_H3_LIMITS: H3Limits = {
  sessionTimeoutMs: 10_000,
  maxFieldSectionBytes: 16 * 1024,
  maxPendingStreams: 32,
  streamHighWaterMark: 256 * 1024,
  writeHighWaterMark: 1 << 20,
};

export interface H3ServerHooks {
  authorize(request: WebTransportRequest): WebTransportDecision | Promise<WebTransportDecision>;
  onSession(session: Http3WebTransportSession, request: WebTransportRequest): void;
}

/** What a client asks for, and hears back (the session on a 2xx, else the status). */
export interface H3ClientRequest {
  authority: string;
  path: string;
  origin?: string;
  protocols?: string[];
  headers?: Record<string, string>;
  onResponse(status: number, session: Http3WebTransportSession | undefined): void;
}

const CONTROL_FRAME_LIMIT = 4096;
const CAPSULE_LIMIT = 4096;
/** WebTransport application error 0 in the HTTP/3 error space (draft-ietf-webtrans-http3 §4.3). */
const WT_APP_ERROR_FIRST = 0x52e4a40fa8db;
const WT_BUFFERED_STREAM_REJECTED = 0x3994bd84;

function wtErrorCode(code: number): number {
  return WT_APP_ERROR_FIRST + code + Math.floor(code / 0x1e);
}

/** Parses a structured-field list of strings (`"a", "b"`), as `wt-available-protocols` carries. */
export function parseProtocolList(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*"([^"\\]*)"\s*(;.*)?$/.exec(part);
    if (m) out.push(m[1]);
  }
  return out.slice(0, 16);
}

type StreamRole =
  | { kind: 'prefix'; buf: Uint8Array }
  | { kind: 'control'; frames: TlvReader; settingsSeen: boolean }
  | { kind: 'qpack-encoder' }
  | { kind: 'discard' }
  | { kind: 'request'; frames: TlvReader }
  | { kind: 'response'; frames: TlvReader }
  | { kind: 'connect'; frames: TlvReader; capsules: TlvReader; session?: Http3WebTransportSession }
  | { kind: 'held' }
  | { kind: 'wt'; recv: WtReceiveStream };

/** The receiving half of a WebTransport stream: a pull-based ReadableStream over the QUIC stream. */
class WtReceiveStream {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private done = false;
  private draining = false;
  id = -1;

  constructor(
    private readonly owner: H3Connection,
    first: Uint8Array | undefined,
    highWaterMark: number,
  ) {
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
          if (first && first.length > 0) c.enqueue(first);
        },
        pull: () => this.drain(),
        cancel: () => {
          if (this.done) return;
          this.done = true;
          if (this.id >= 0) this.owner.stopReading(this.id, wtErrorCode(0));
        },
      },
      { highWaterMark, size: (chunk) => chunk.byteLength },
    );
  }

  /** Reads from QUIC while the consumer wants more; the rest stays in QUIC (flow control pushes back). */
  drain(): void {
    // enqueue() may call pull() (this method) synchronously: one loop at a time.
    if (this.done || this.id < 0 || this.draining) return;
    this.draining = true;
    try {
      while (!this.done && (this.controller.desiredSize ?? 0) > 0) {
        let r: { data: Uint8Array; fin: boolean } | null;
        try {
          r = this.owner.quic.read(this.id);
        } catch (err) {
          this.fail(
            err instanceof QuicheStreamError && err.kind === 'reset'
              ? `stream reset (${err.code})`
              : 'stream failed',
          );
          return;
        }
        if (!r) return;
        if (r.data.length > 0) this.controller.enqueue(r.data);
        if (r.fin) {
          this.finish();
          return;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** The stream's end was already read (it arrived with the prefix). */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.controller.close();
    if (this.id >= 0) this.owner.forget(this.id);
  }

  fail(reason: string): void {
    if (this.done) return;
    this.done = true;
    this.controller.error(new Error(reason));
    if (this.id >= 0) this.owner.forget(this.id);
  }
}

/** One WebTransport session: the WebTransport-like object the MoQ relay serves. */
export class Http3WebTransportSession implements WebTransportLike, FastSendTransport {
  readonly ready = Promise.resolve();
  readonly closed: Promise<WebTransportCloseInfo>;
  readonly incomingBidirectionalStreams: ReadableStream<BidirectionalStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  private bidiController!: ReadableStreamDefaultController<BidirectionalStream>;
  private uniController!: ReadableStreamDefaultController<ReadableStream<Uint8Array>>;
  private resolveClosed!: (info: WebTransportCloseInfo) => void;
  private isClosed = false;
  private readonly sendStreams = new Set<QuicSendStream>();
  private readonly recvStreams = new Set<WtReceiveStream>();
  private readonly prefixUni: Uint8Array;
  private readonly prefixBidi: Uint8Array;

  constructor(
    private readonly owner: H3Connection,
    readonly sessionId: number,
    private readonly connect: QuicSendStream,
    readonly protocol: string,
  ) {
    this.prefixUni = encodeVarintBytes([UniStreamType.WEBTRANSPORT, sessionId]);
    this.prefixBidi = encodeVarintBytes([WEBTRANSPORT_BIDI_SIGNAL, sessionId]);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.incomingBidirectionalStreams = new ReadableStream({ start: (c) => void (this.bidiController = c) });
    this.incomingUnidirectionalStreams = new ReadableStream({ start: (c) => void (this.uniController = c) });
  }

  get bufferedAmount(): number {
    return this.owner.quic.bufferedAmount;
  }

  /** The remote address (for logs and limits). */
  get remote(): { host: string; port: number } {
    return this.owner.quic.remote;
  }

  openUniSend(): SendStream {
    this.assertOpen();
    const s = this.owner.quic.openUni();
    s.write(this.prefixUni);
    this.track(s);
    return s;
  }

  openBidiSend(): { send: SendStream; readable: ReadableStream<Uint8Array> } {
    this.assertOpen();
    const s = this.owner.quic.openBidi();
    s.write(this.prefixBidi);
    this.track(s);
    const recv = this.owner.receiveStreamForLocal(s);
    this.recvStreams.add(recv);
    return { send: s, readable: recv.readable };
  }

  async createBidirectionalStream(): Promise<BidirectionalStream> {
    const { send, readable } = this.openBidiSend();
    return { readable, writable: this.owner.writableOf(send as QuicSendStream) };
  }

  async createUnidirectionalStream(): Promise<WritableStream<Uint8Array>> {
    return this.owner.writableOf(this.openUniSend() as QuicSendStream);
  }

  close(info: Partial<WebTransportCloseInfo> = {}): void {
    if (this.isClosed) return;
    this.connect.write(encodeCloseCapsule(info.closeCode ?? 0, info.reason ?? ''));
    this.connect.close();
    this.end(info.closeCode ?? 0, info.reason ?? '');
    this.owner.sessionEnded(this);
  }

  /** @internal a stream the peer opened for this session; `fin` when its end already arrived */
  accept(
    kind: 'uni' | 'bidi',
    id: number,
    first: Uint8Array | undefined,
    fin: boolean,
  ): WtReceiveStream | undefined {
    if (this.isClosed) return undefined;
    const recv = this.owner.newReceiveStream(id, first);
    if (fin) recv.finish();
    this.recvStreams.add(recv);
    if (kind === 'uni') this.uniController.enqueue(recv.readable);
    else {
      const send = this.owner.quic.sendStreamFor(id);
      this.track(send);
      this.bidiController.enqueue({ readable: recv.readable, writable: this.owner.writableOf(send) });
    }
    return recv;
  }

  /** @internal the session ended: capsule, CONNECT stream end, or the connection went away */
  end(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = `session closed: ${code} ${reason}`;
    for (const s of this.sendStreams) s.reset(wtErrorCode(0));
    for (const r of this.recvStreams) r.fail(err);
    this.sendStreams.clear();
    this.recvStreams.clear();
    try {
      this.bidiController.close();
      this.uniController.close();
    } catch {
      // Already closed by a reader cancel.
    }
    this.resolveClosed({ closeCode: code, reason });
  }

  private track(s: QuicSendStream): void {
    this.sendStreams.add(s);
    void s.done.then(() => this.sendStreams.delete(s));
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error('WebTransport session is closed');
  }
}

/** HTTP/3 on one QUIC connection. */
export class H3Connection implements QuicConnectionHandler {
  private readonly roles = new Map<number, StreamRole>();
  private readonly localReceivers = new Map<QuicSendStream, WtReceiveStream>();
  private session: Http3WebTransportSession | undefined;
  private connectStream = -1;
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
  private gone = false;

  private readonly hooks: H3ServerHooks | undefined;
  private readonly client: H3ClientRequest | undefined;

  constructor(
    readonly quic: QuicConnection,
    private readonly limits: H3Limits,
    mode: { server: H3ServerHooks } | { client: H3ClientRequest },
  ) {
    this.hooks = 'server' in mode ? mode.server : undefined;
    this.client = 'client' in mode ? mode.client : undefined;
    quic.handler = this;
    quic.onOpened = (s) => {
      const recv = this.localReceivers.get(s);
      if (recv) {
        this.localReceivers.delete(s);
        recv.id = s.id;
        this.roles.set(s.id, { kind: 'wt', recv });
      } else if (s === this.clientConnect) {
        this.roles.set(s.id, { kind: 'response', frames: new TlvReader(this.limits.maxFieldSectionBytes) });
      }
    };
    if (this.client && quic.isEstablished) this.onEstablished();
  }

  private clientConnect: QuicSendStream | undefined;

  onEstablished(): void {
    this.sendSettings();
    if (this.client) {
      this.sendConnect(this.client);
      return;
    }
    this.sessionTimer = setTimeout(() => {
      if (!this.session) this.fail(new H3ConnectionError(H3Error.NO_ERROR, 'no WebTransport session'));
    }, this.limits.sessionTimeoutMs);
    this.sessionTimer.unref();
  }

  /** Client: the extended CONNECT that asks for a WebTransport session. */
  private sendConnect(req: H3ClientRequest): void {
    const s = this.quic.openBidi();
    this.clientConnect = s;
    const fields: HeaderField[] = [
      { name: ':method', value: 'CONNECT' },
      { name: ':protocol', value: 'webtransport' },
      { name: ':scheme', value: 'https' },
      { name: ':authority', value: req.authority },
      { name: ':path', value: req.path },
      { name: 'sec-webtransport-http3-draft02', value: '1' },
    ];
    if (req.origin) fields.push({ name: 'origin', value: req.origin });
    if (req.protocols?.length)
      fields.push({ name: 'wt-available-protocols', value: req.protocols.map((p) => `"${p}"`).join(', ') });
    for (const [name, value] of Object.entries(req.headers ?? {})) fields.push({ name, value });
    s.write(encodeFrame(FrameType.HEADERS, encodeFieldSection(fields, { huffman: true })));
  }

  private onResponseFrames(
    id: number,
    role: Extract<StreamRole, { kind: 'response' }>,
    fin: boolean,
  ): StreamRole | undefined {
    const req = this.client as H3ClientRequest;
    for (let f = role.frames.next(); f; f = role.frames.next()) {
      if (f.type !== FrameType.HEADERS) continue;
      const fields = decodeFieldSection(f.payload);
      const status = Number(fields.find((x) => x.name === ':status')?.value ?? 0);
      const protocolField = fields.find((x) => x.name === 'wt-protocol')?.value;
      const protocol = parseProtocolList(protocolField)[0] ?? '';
      if (status < 200 || status > 299) {
        this.roles.delete(id);
        req.onResponse(status, undefined);
        this.quic.close(H3Error.NO_ERROR, `CONNECT answered ${status}`);
        return undefined;
      }
      const session = new Http3WebTransportSession(this, id, this.clientConnect as QuicSendStream, protocol);
      this.session = session;
      const connect: StreamRole = {
        kind: 'connect',
        frames: new TlvReader(CAPSULE_LIMIT),
        capsules: new TlvReader(CAPSULE_LIMIT),
        session,
      };
      this.roles.set(id, connect);
      req.onResponse(status, session);
      const rest = role.frames.pending;
      return rest.length > 0 || fin ? this.onData(id, connect, rest, fin) : connect;
    }
    if (fin) {
      this.roles.delete(id);
      req.onResponse(0, undefined);
      return undefined;
    }
    return role;
  }

  private sendSettings(): void {
    const control = this.quic.openUni();
    control.write(encodeVarintBytes([UniStreamType.CONTROL]));
    const wt = 1;
    control.write(
      encodeSettings(
        new Map([
          [Setting.ENABLE_CONNECT_PROTOCOL, 1],
          [Setting.H3_DATAGRAM, 1],
          [Setting.H3_DATAGRAM_DRAFT04, 1],
          [Setting.ENABLE_WEBTRANSPORT, 1],
          [Setting.WEBTRANSPORT_MAX_SESSIONS_DRAFT02, wt],
          [Setting.WEBTRANSPORT_MAX_SESSIONS, wt],
          [Setting.MAX_FIELD_SECTION_SIZE, this.limits.maxFieldSectionBytes],
        ]),
      ),
    );
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

  /** Handles bytes of a stream in its current role; returns the role to continue with, if any. */
  private onData(id: number, role: StreamRole, data: Uint8Array, fin: boolean): StreamRole | undefined {
    switch (role.kind) {
      case 'prefix':
        return this.onPrefix(id, role, data, fin);
      case 'control':
        if (fin) throw new H3ConnectionError(H3Error.CLOSED_CRITICAL_STREAM, 'control stream closed');
        role.frames.push(data);
        this.onControlFrames(role);
        return role;
      case 'qpack-encoder':
        if (fin) throw new H3ConnectionError(H3Error.CLOSED_CRITICAL_STREAM, 'QPACK encoder stream closed');
        // Only "Set Dynamic Table Capacity" to 0 fits our SETTINGS (capacity 0).
        for (const b of data) {
          if (b !== 0x20) {
            throw new H3ConnectionError(
              H3Error.QPACK_ENCODER_STREAM_ERROR,
              'dynamic table use with capacity 0',
            );
          }
        }
        return role;
      case 'discard':
        if (fin) this.roles.delete(id);
        return fin ? undefined : role;
      case 'request':
        role.frames.push(data);
        return this.onRequestFrames(id, role, fin);
      case 'response':
        role.frames.push(data);
        return this.onResponseFrames(id, role, fin);
      case 'connect':
        role.frames.push(data);
        this.onConnectFrames(role);
        if (fin) this.onConnectEnd(id, role, 0, '');
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

  private onControlFrames(role: { kind: 'control'; frames: TlvReader; settingsSeen: boolean }): void {
    for (let f = role.frames.next(); f; f = role.frames.next()) {
      if (!role.settingsSeen) {
        if (f.type !== FrameType.SETTINGS) {
          throw new H3ConnectionError(
            H3Error.MISSING_SETTINGS,
            'the control stream must start with SETTINGS',
          );
        }
        role.settingsSeen = true;
        decodeSettings(f.payload);
        continue;
      }
      if (f.type === FrameType.SETTINGS)
        throw new H3ConnectionError(H3Error.FRAME_UNEXPECTED, 'second SETTINGS frame');
      if (f.type === FrameType.DATA || f.type === FrameType.HEADERS || f.type === FrameType.PUSH_PROMISE)
        throw new H3ConnectionError(
          H3Error.FRAME_UNEXPECTED,
          `frame 0x${f.type.toString(16)} on the control stream`,
        );
      if (RESERVED_H2_FRAMES.has(f.type))
        throw new H3ConnectionError(H3Error.FRAME_UNEXPECTED, `reserved frame 0x${f.type.toString(16)}`);
      // GOAWAY, MAX_PUSH_ID, CANCEL_PUSH and unknown frames need nothing from a server with one session.
    }
  }

  private onRequestFrames(
    id: number,
    role: { kind: 'request'; frames: TlvReader },
    fin: boolean,
  ): StreamRole | undefined {
    for (let f = role.frames.next(); f; f = role.frames.next()) {
      if (f.type === FrameType.HEADERS) {
        const fields = decodeFieldSection(f.payload);
        const connect: StreamRole = {
          kind: 'connect',
          frames: new TlvReader(CAPSULE_LIMIT),
          capsules: new TlvReader(CAPSULE_LIMIT),
        };
        this.roles.set(id, connect);
        this.onRequest(id, fields, connect);
        // Whatever followed the HEADERS frame belongs to the CONNECT stream's data.
        const rest = role.frames.pending;
        if (rest.length > 0 || fin) return this.onData(id, connect, rest, fin);
        return connect;
      }
      if (
        f.type === FrameType.DATA ||
        RESERVED_H2_FRAMES.has(f.type) ||
        f.type === FrameType.SETTINGS ||
        f.type === FrameType.GOAWAY ||
        f.type === FrameType.MAX_PUSH_ID ||
        f.type === FrameType.CANCEL_PUSH
      )
        throw new H3ConnectionError(
          H3Error.FRAME_UNEXPECTED,
          `frame 0x${f.type.toString(16)} before HEADERS`,
        );
    }
    if (fin) {
      this.roles.delete(id);
      return undefined;
    }
    return role;
  }

  private onRequest(id: number, fields: HeaderField[], role: Extract<StreamRole, { kind: 'connect' }>): void {
    const pseudo = new Map<string, string>();
    const headers = new Map<string, string>();
    let regular = false;
    for (const { name, value } of fields) {
      if (name !== name.toLowerCase())
        throw new H3ConnectionError(H3Error.MESSAGE_ERROR, 'uppercase header name');
      if (name.startsWith(':')) {
        if (regular || pseudo.has(name))
          throw new H3ConnectionError(H3Error.MESSAGE_ERROR, `misplaced ${name}`);
        pseudo.set(name, value);
      } else {
        regular = true;
        const prior = headers.get(name);
        headers.set(name, prior === undefined ? value : `${prior}, ${value}`);
      }
    }
    const respond = (status: number): void => {
      const send = this.quic.sendStreamFor(id);
      send.write(
        encodeFrame(FrameType.HEADERS, encodeFieldSection([{ name: ':status', value: String(status) }])),
      );
      send.close();
      this.roles.delete(id);
      this.quic.shutdownRead(id, H3Error.NO_ERROR);
    };
    const method = pseudo.get(':method');
    if (method !== 'CONNECT' || pseudo.get(':protocol') !== 'webtransport') {
      respond(method === 'CONNECT' ? 501 : 404);
      return;
    }
    const path = pseudo.get(':path');
    const authority = pseudo.get(':authority');
    if (pseudo.get(':scheme') !== 'https' || !path || !authority) {
      throw new H3ConnectionError(
        H3Error.MESSAGE_ERROR,
        'extended CONNECT without :scheme https, :path and :authority',
      );
    }
    if (this.session || this.connectStream >= 0) {
      respond(429);
      return;
    }
    this.connectStream = id;
    const request: WebTransportRequest = {
      path,
      authority,
      origin: headers.get('origin'),
      headers,
      protocols: parseProtocolList(headers.get('wt-available-protocols')),
      remote: this.quic.remote,
    };
    void Promise.resolve()
      .then(() => (this.hooks as H3ServerHooks).authorize(request))
      .then(
        (decision) => this.decided(id, role, request, decision),
        (err: unknown) => this.decided(id, role, request, { status: 500, reason: (err as Error).message }),
      )
      .catch((err: unknown) => this.fail(err));
  }

  private decided(
    id: number,
    role: Extract<StreamRole, { kind: 'connect' }>,
    request: WebTransportRequest,
    decision: WebTransportDecision,
  ): void {
    if (this.gone || this.roles.get(id) !== role) return;
    const send = this.quic.sendStreamFor(id);
    if (decision.status < 200 || decision.status > 299) {
      send.write(
        encodeFrame(
          FrameType.HEADERS,
          encodeFieldSection([{ name: ':status', value: String(decision.status) }]),
        ),
      );
      send.close();
      this.roles.delete(id);
      this.quic.shutdownRead(id, H3Error.REQUEST_REJECTED);
      this.connectStream = -1;
      this.rejectPending();
      return;
    }
    const extra: HeaderField[] = [{ name: 'sec-webtransport-http3-draft', value: 'draft02' }];
    if (decision.protocol) extra.push({ name: 'wt-protocol', value: `"${decision.protocol}"` });
    send.write(
      encodeFrame(FrameType.HEADERS, encodeFieldSection([{ name: ':status', value: '200' }, ...extra])),
    );
    const session = new Http3WebTransportSession(this, id, send, decision.protocol ?? '');
    this.session = session;
    role.session = session;
    clearTimeout(this.sessionTimer);
    (this.hooks as H3ServerHooks).onSession(session, request);
    for (const p of this.pending.splice(0)) {
      if (p.session !== id) {
        this.rejectStream(p.id, p.kind);
        continue;
      }
      const recv = session.accept(p.kind, p.id, p.first, p.fin);
      if (!recv) this.rejectStream(p.id, p.kind);
      else recv.drain();
    }
  }

  private rejectPending(): void {
    for (const p of this.pending.splice(0)) this.rejectStream(p.id, p.kind);
  }

  private onConnectFrames(role: Extract<StreamRole, { kind: 'connect' }>): void {
    for (let f = role.frames.next(); f; f = role.frames.next()) {
      if (f.type === FrameType.DATA) {
        role.capsules.push(f.payload);
        for (let c = role.capsules.next(); c; c = role.capsules.next())
          this.onCapsule(role, c.type, c.payload);
      } else if (f.type === FrameType.HEADERS) {
        // Trailers end the request; the session ends with the stream.
      } else if (
        f.type === Capsule.CLOSE_WEBTRANSPORT_SESSION ||
        f.type === Capsule.DRAIN_WEBTRANSPORT_SESSION ||
        isGrease(f.type)
      ) {
        // Capsules sent straight on the stream (without DATA framing), as some clients do.
        this.onCapsule(role, f.type, f.payload);
      } else if (
        RESERVED_H2_FRAMES.has(f.type) ||
        f.type === FrameType.SETTINGS ||
        f.type === FrameType.GOAWAY
      ) {
        throw new H3ConnectionError(
          H3Error.FRAME_UNEXPECTED,
          `frame 0x${f.type.toString(16)} on the CONNECT stream`,
        );
      }
    }
  }

  private onCapsule(role: Extract<StreamRole, { kind: 'connect' }>, type: number, payload: Uint8Array): void {
    if (type !== Capsule.CLOSE_WEBTRANSPORT_SESSION) return;
    if (payload.length < 4)
      throw new H3ConnectionError(H3Error.MESSAGE_ERROR, 'short CLOSE_WEBTRANSPORT_SESSION');
    const code = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
    const reason = Buffer.from(payload.subarray(4)).toString('utf8');
    const session = role.session;
    if (session) {
      session.end(code, reason);
      this.sessionEnded(session);
    }
  }

  private onConnectEnd(
    id: number,
    role: Extract<StreamRole, { kind: 'connect' }>,
    code: number,
    reason: string,
  ): void {
    this.roles.delete(id);
    const session = role.session;
    if (session) {
      session.end(code, reason);
      this.sessionEnded(session);
    } else if (this.connectStream === id) {
      this.connectStream = -1;
    }
  }

  private streamReset(id: number, role: StreamRole, err: unknown): void {
    const e = QuicheStreamError.from(err);
    this.roles.delete(id);
    if (role.kind === 'control' || role.kind === 'qpack-encoder')
      throw new H3ConnectionError(H3Error.CLOSED_CRITICAL_STREAM, `critical stream reset (${e.message})`);
    if (role.kind === 'connect') this.onConnectEnd(id, role, e.code, 'CONNECT stream reset');
  }
}
