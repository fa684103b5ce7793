// One WebTransport session over HTTP/3 and its streams: the WebTransport-like object the MoQ relay serves, and the
// pull-based receiving half of each stream. The H3Connection they live on is reached through WtSessionOwner.
import type { QuicConnection } from '../quic/connection';
import { QuicheStreamError } from '../quic/errors';
import type { QuicSendStream } from '../quic/send-stream';
import type {
  BidirectionalStream,
  FastSendTransport,
  SendStream,
  WebTransportCloseInfo,
  WebTransportLike,
} from '../types';
import { encodeCloseCapsule, encodeVarintBytes, UniStreamType, WEBTRANSPORT_BIDI_SIGNAL } from './frames';

/** WebTransport application error 0 in the HTTP/3 error space (draft-ietf-webtrans-http3 §4.3). */
const WT_APP_ERROR_FIRST = 0x52e4a40fa8db;

export function wtErrorCode(code: number): number {
  return WT_APP_ERROR_FIRST + code + Math.floor(code / 0x1e);
}

/** What a session and its streams need from their connection (H3Connection). */
export interface WtSessionOwner {
  readonly quic: QuicConnection;
  stopReading(id: number, code: number): void;
  forget(id: number): void;
  sessionEnded(session: Http3WebTransportSession): void;
  newReceiveStream(id: number, first: Uint8Array | undefined): WtReceiveStream;
  receiveStreamForLocal(send: QuicSendStream): WtReceiveStream;
  writableOf(send: QuicSendStream): WritableStream<Uint8Array>;
}

/** The receiving half of a WebTransport stream: a pull-based ReadableStream over the QUIC stream. */
export class WtReceiveStream {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private done = false;
  private draining = false;
  id = -1;

  constructor(
    private readonly owner: WtSessionOwner,
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
    private readonly owner: WtSessionOwner,
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
