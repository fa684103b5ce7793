// Synchronous SendStreams over any WebTransportLike: native ones for transports that offer them (WebSocket),
// otherwise an adapter that queues writes on a WHATWG writer (HTTP/3, clients).
import { varintSize, writeVarint } from '../protocol/varint';
import { isFastSendTransport, type SendStream, type WebTransportLike } from './types';

/** Wraps a (possibly not yet opened) WritableStream as a SendStream; write errors end the stream. */
export class WritableSendStream implements SendStream {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  private pending: Uint8Array[] | undefined = [];
  private finish: 'close' | 'reset' | undefined;
  private finished = false;

  constructor(writable: WritableStream<Uint8Array> | Promise<WritableStream<Uint8Array>>) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    Promise.resolve(writable).then(
      (w) => this.attach(w),
      () => this.end(),
    );
  }

  private attach(writable: WritableStream<Uint8Array>): void {
    const writer = writable.getWriter();
    this.writer = writer;
    writer.closed.then(
      () => this.end(),
      () => this.end(),
    );
    const queued = this.pending ?? [];
    this.pending = undefined;
    for (const c of queued) this.push(c);
    if (this.finish === 'close') writer.close().catch(() => undefined);
    else if (this.finish === 'reset') writer.abort(new Error('reset')).catch(() => undefined);
  }

  private push(chunk: Uint8Array): void {
    if (this.pending) this.pending.push(chunk);
    else this.writer?.write(chunk).catch(() => this.end());
  }

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveDone();
  }

  write(chunk: Uint8Array): void {
    if (this.finish || this.finished) return;
    this.push(chunk);
  }

  writeFrame(payload: Uint8Array): void {
    if (this.finish || this.finished) return;
    const out = new Uint8Array(varintSize(payload.length) + payload.length);
    out.set(payload, writeVarint(out, 0, payload.length));
    this.push(out);
  }

  close(): void {
    if (this.finish) return;
    this.finish = 'close';
    if (this.writer) this.writer.close().catch(() => undefined);
  }

  reset(): void {
    if (this.finish) return;
    this.finish = 'reset';
    if (this.writer) this.writer.abort(new Error('reset')).catch(() => undefined);
    this.end();
  }
}

export function openUniSend(transport: WebTransportLike): SendStream {
  if (isFastSendTransport(transport)) return transport.openUniSend();
  return new WritableSendStream(transport.createUnidirectionalStream());
}

export function openBidiSend(transport: WebTransportLike): {
  send: SendStream;
  readable: Promise<ReadableStream<Uint8Array>>;
} {
  if (isFastSendTransport(transport)) {
    const { send, readable } = transport.openBidiSend();
    return { send, readable: Promise.resolve(readable) };
  }
  const bidi = transport.createBidirectionalStream();
  return {
    send: new WritableSendStream(bidi.then((b) => b.writable)),
    readable: bidi.then((b) => b.readable),
  };
}

/** Bytes queued on the transport, when it can tell (0 otherwise). */
export function transportBacklog(transport: WebTransportLike): number {
  return isFastSendTransport(transport) ? transport.bufferedAmount : 0;
}
