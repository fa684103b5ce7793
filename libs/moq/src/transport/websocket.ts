// Server side of the WebSocket fallback the `@moq/*` clients speak (subprotocol `webtransport`, the legacy
// framing of `@moq/qmux`): one binary message per frame, QUIC varint stream ids, no flow control.
import type { RawData, WebSocket } from 'ws';
import { ByteReader, varintSize, writeVarint } from '../protocol/varint';
import type {
  BidirectionalStream,
  FastSendTransport,
  SendStream,
  WebTransportCloseInfo,
  WebTransportLike,
} from './types';
import {
  ClosedIdSet,
  FRAME_APPLICATION_CLOSE,
  FRAME_RESET_STREAM,
  FRAME_STOP_SENDING,
  FRAME_STREAM,
  FRAME_STREAM_FIN,
  MAX_STREAM_PAYLOAD,
  WEBTRANSPORT_SUBPROTOCOL,
  WsSendStream,
  type WsFrameSink,
} from './websocket-framing';

export {
  MAX_STREAM_PAYLOAD,
  WEBTRANSPORT_SUBPROTOCOL,
  selectWebTransportSubprotocol,
} from './websocket-framing';

export interface WebSocketTransportOptions {
  /** Which end of the connection this is (default server); decides stream id bits. */
  role?: 'server' | 'client';
  /** Bytes queued on the socket above which WHATWG writers wait for the socket to drain (default 1 MiB). */
  highWaterMark?: number;
  /**
   * Streams the peer may have open at once (default 256), and streams it opened that the application has not
   * taken yet (default 64, e.g. before SETUP). The framing has no flow control, so going past either closes
   * the connection, as QUIC does on a stream-limit violation.
   */
  maxStreams?: number;
  maxPendingStreams?: number;
  /** Bytes one stream may hold unread before the connection is closed (default 1 MiB). */
  maxStreamBuffer?: number;
}

interface StreamEntry {
  recv?: ReadableStreamDefaultController<Uint8Array>;
  send?: WsSendStream;
  /** Opened by the peer (counts against maxStreams until its receiving side ends). */
  peer?: boolean;
}

/** One open WebSocket connection seen as a WebTransport session (server role by default). */
export class WebSocketTransport implements WebTransportLike, FastSendTransport, WsFrameSink {
  readonly ready: Promise<void>;
  readonly closed: Promise<WebTransportCloseInfo>;
  readonly incomingBidirectionalStreams: ReadableStream<BidirectionalStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;

  private readonly streams = new Map<number, StreamEntry>();
  /** Peer stream ids whose receiving side ended, so late frames do not reopen them (bounded: see ClosedIdSet). */
  private readonly closedPeerIds = new ClosedIdSet();
  private bidiController!: ReadableStreamDefaultController<BidirectionalStream>;
  private uniController!: ReadableStreamDefaultController<ReadableStream<Uint8Array>>;
  private resolveClosed!: (info: WebTransportCloseInfo) => void;
  private nextBidi = 0;
  private nextUni = 0;
  private isClosed = false;
  private readonly reader = new ByteReader();
  private readonly highWaterMark: number;
  private readonly maxStreams: number;
  private readonly maxPendingStreams: number;
  private readonly maxStreamBuffer: number;
  /** Streams the peer opened that are still open on its side. */
  private peerStreams = 0;
  /** Stream id bit 0 of the streams this end opens. */
  private readonly localBit: number;

  constructor(
    private readonly ws: WebSocket,
    options: WebSocketTransportOptions = {},
  ) {
    this.highWaterMark = options.highWaterMark ?? 1 << 20;
    this.maxStreams = options.maxStreams ?? 256;
    this.maxPendingStreams = options.maxPendingStreams ?? 64;
    this.maxStreamBuffer = options.maxStreamBuffer ?? 1 << 20;
    this.localBit = options.role === 'client' ? 0 : 1;
    this.ready =
      ws.readyState === ws.OPEN
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            ws.once('open', () => resolve());
            ws.once('error', reject);
          });
    this.ready.catch(() => undefined);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    // The queues hold the streams the application has not taken yet: desiredSize tells how many.
    const pending = { highWaterMark: this.maxPendingStreams };
    this.incomingBidirectionalStreams = new ReadableStream(
      {
        start: (c) => {
          this.bidiController = c;
        },
      },
      pending,
    );
    this.incomingUnidirectionalStreams = new ReadableStream(
      {
        start: (c) => {
          this.uniController = c;
        },
      },
      pending,
    );
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.onClosed(code, reason.toString()));
    ws.on('error', () => this.onClosed(1006, 'websocket error'));
  }

  /** The application protocol after `webtransport.` in the negotiated subprotocol, or '' (SETUP negotiates). */
  get protocol(): string {
    const raw = this.ws.protocol;
    return raw.startsWith(`${WEBTRANSPORT_SUBPROTOCOL}.`)
      ? raw.slice(WEBTRANSPORT_SUBPROTOCOL.length + 1)
      : '';
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  openUniSend(): SendStream {
    this.assertOpen();
    const id = this.nextUni++ * 4 + 2 + this.localBit;
    const send = new WsSendStream(this, id);
    this.streams.set(id, { send });
    return send;
  }

  openBidiSend(): { send: SendStream; readable: ReadableStream<Uint8Array> } {
    this.assertOpen();
    const id = this.nextBidi++ * 4 + this.localBit;
    const send = new WsSendStream(this, id);
    const entry: StreamEntry = { send };
    this.streams.set(id, entry);
    return { send, readable: this.makeReadable(id, entry) };
  }

  async createBidirectionalStream(): Promise<BidirectionalStream> {
    const { send, readable } = this.openBidiSend();
    return { readable, writable: this.makeWritable(send as WsSendStream) };
  }

  async createUnidirectionalStream(): Promise<WritableStream<Uint8Array>> {
    return this.makeWritable(this.openUniSend() as WsSendStream);
  }

  close(info: Partial<WebTransportCloseInfo> = {}): void {
    if (this.isClosed) return;
    const reason = Buffer.from(info.reason ?? '');
    const code = info.closeCode ?? 0;
    const frame = Buffer.allocUnsafe(1 + varintSize(code) + reason.length);
    frame[0] = FRAME_APPLICATION_CLOSE;
    reason.copy(frame, writeVarint(frame, 1, code));
    this.rawSend(frame);
    this.ws.close(1000, info.reason?.slice(0, 120));
    this.onClosed(code, info.reason ?? '');
  }

  /** Sends `data` on stream `id`, split at MAX_STREAM_PAYLOAD; `done` (if any) runs once the last part is flushed. */
  sendStreamData(id: number, data: Uint8Array, done: ((err?: Error) => void) | undefined): void {
    const idLen = varintSize(id);
    let offset = 0;
    do {
      const end = Math.min(offset + MAX_STREAM_PAYLOAD, data.length);
      const frame = Buffer.allocUnsafe(1 + idLen + (end - offset));
      frame[0] = FRAME_STREAM;
      writeVarint(frame, 1, id);
      frame.set(data.subarray(offset, end), 1 + idLen);
      offset = end;
      this.rawSend(frame, offset >= data.length ? done : undefined);
    } while (offset < data.length);
  }

  sendLengthPrefixed(id: number, payload: Uint8Array): void {
    const idLen = varintSize(id);
    const lenLen = varintSize(payload.length);
    if (lenLen + payload.length > MAX_STREAM_PAYLOAD) {
      const prefix = Buffer.allocUnsafe(lenLen);
      writeVarint(prefix, 0, payload.length);
      this.sendStreamData(id, prefix, undefined);
      this.sendStreamData(id, payload, undefined);
      return;
    }
    const frame = Buffer.allocUnsafe(1 + idLen + lenLen + payload.length);
    frame[0] = FRAME_STREAM;
    const at = writeVarint(frame, writeVarint(frame, 1, id), payload.length);
    frame.set(payload, at);
    this.rawSend(frame);
  }

  sendFin(id: number): void {
    const frame = Buffer.allocUnsafe(1 + varintSize(id));
    frame[0] = FRAME_STREAM_FIN;
    writeVarint(frame, 1, id);
    this.rawSend(frame);
  }

  sendControl(type: number, id: number, code: number): void {
    const frame = Buffer.allocUnsafe(1 + varintSize(id) + varintSize(code));
    frame[0] = type;
    writeVarint(frame, writeVarint(frame, 1, id), code);
    this.rawSend(frame);
  }

  releaseSend(id: number): void {
    const entry = this.streams.get(id);
    if (!entry) return;
    entry.send = undefined;
    if (!entry.recv) this.streams.delete(id);
  }

  private rawSend(frame: Uint8Array, cb?: (err?: Error) => void): void {
    if (this.isClosed) {
      cb?.(new Error('session closed'));
      return;
    }
    this.ws.send(frame, { binary: true }, cb);
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error('WebTransport session is closed');
  }

  private makeReadable(id: number, entry: StreamEntry): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          entry.recv = c;
        },
        cancel: () => {
          if (!entry.recv) return;
          this.recvEnded(id, entry);
          if (!this.isClosed) this.sendControl(FRAME_STOP_SENDING, id, 0);
        },
      },
      { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
    );
  }

  /** The receiving side of stream `id` is over (FIN, reset or cancel). */
  private recvEnded(id: number, entry: StreamEntry): void {
    entry.recv = undefined;
    if (entry.peer) {
      entry.peer = false;
      this.peerStreams--;
      this.closedPeerIds.add(id);
    }
    if (!entry.send) this.streams.delete(id);
  }

  private makeWritable(send: WsSendStream): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (send.finished) throw new Error('stream stopped by peer');
        if (this.ws.bufferedAmount + chunk.length <= this.highWaterMark) {
          this.sendStreamData(send.id, chunk, undefined);
          return;
        }
        // Backpressure: the writer waits until this chunk reached the socket.
        return new Promise<void>((resolve, reject) =>
          this.sendStreamData(send.id, chunk, (err) => (err ? reject(err) : resolve())),
        );
      },
      close: () => send.close(),
      abort: () => send.reset(0),
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!isBinary || !Buffer.isBuffer(data)) {
      this.close({ closeCode: 1, reason: 'protocol violation: expected one binary message per frame' });
      return;
    }
    try {
      this.onFrame(data);
    } catch (err) {
      this.close({ closeCode: 1, reason: `protocol violation: ${(err as Error).message}` });
    }
  }

  private onFrame(data: Buffer): void {
    const r = this.reader.reset(data);
    const type = r.u8();
    if (type === FRAME_STREAM || type === FRAME_STREAM_FIN) {
      const id = r.varint();
      this.onStream(id, data.subarray(r.pos), type === FRAME_STREAM_FIN);
    } else if (type === FRAME_RESET_STREAM) {
      const id = r.varint();
      const code = r.varint();
      const entry = this.streams.get(id);
      if (entry?.recv) {
        entry.recv.error(new Error(`RESET_STREAM: ${code}`));
        this.recvEnded(id, entry);
      }
    } else if (type === FRAME_STOP_SENDING) {
      const id = r.varint();
      const code = r.varint();
      const entry = this.streams.get(id);
      if (entry?.send) {
        const send = entry.send;
        this.sendControl(FRAME_RESET_STREAM, id, code);
        this.releaseSend(id);
        send.stopped();
      }
    } else if (type === FRAME_APPLICATION_CLOSE) {
      const code = r.varint();
      const reason = data.subarray(r.pos).toString();
      this.ws.close(1000);
      this.onClosed(code, reason);
    } else {
      throw new Error(`unknown frame type 0x${type.toString(16)}`);
    }
  }

  private onStream(id: number, payload: Uint8Array, fin: boolean): void {
    let entry = this.streams.get(id);
    if (!entry) {
      // Our own streams that are gone (or a peer writing on one of our unidirectional ids).
      if (id % 2 === this.localBit) return;
      // Ids of closed peer streams are not reused: a frame for one is late data, dropped.
      if (this.closedPeerIds.has(id)) return;
      const bidi = (id & 2) === 0;
      const queue = bidi ? this.bidiController : this.uniController;
      if (this.peerStreams >= this.maxStreams)
        throw new Error(`stream limit exceeded (${this.maxStreams} open streams)`);
      if ((queue.desiredSize ?? 0) <= 0)
        throw new Error(`stream limit exceeded (${this.maxPendingStreams} streams not yet accepted)`);
      this.peerStreams++;
      entry = { peer: true };
      this.streams.set(id, entry);
      const readable = this.makeReadable(id, entry);
      if (bidi) {
        const send = new WsSendStream(this, id);
        entry.send = send;
        this.bidiController.enqueue({ readable, writable: this.makeWritable(send) });
      } else {
        this.uniController.enqueue(readable);
      }
    }
    const recv = entry.recv;
    if (!recv) return;
    if (payload.length > 0) {
      recv.enqueue(payload);
      if ((recv.desiredSize ?? 0) < -this.maxStreamBuffer)
        throw new Error(`stream ${id} holds more than ${this.maxStreamBuffer} unread bytes`);
    }
    if (fin) {
      recv.close();
      this.recvEnded(id, entry);
    }
  }

  private onClosed(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = new Error(`session closed: ${code} ${reason}`);
    for (const entry of this.streams.values()) {
      entry.recv?.error(err);
      entry.send?.stopped();
    }
    this.streams.clear();
    try {
      this.bidiController.close();
      this.uniController.close();
    } catch {
      // Already closed by a reader cancel.
    }
    this.resolveClosed({ closeCode: code, reason });
  }
}

/** Wraps an open server-side `ws` WebSocket (subprotocol `webtransport`) as a WebTransport session. */
export function acceptWebSocketTransport(
  ws: WebSocket,
  options?: WebSocketTransportOptions,
): WebSocketTransport {
  return new WebSocketTransport(ws, options);
}
