// The WebTransport-like session every transport (WebSocket framing, HTTP/3) exposes, shaped after what the
// `@moq/*` clients use, plus the small synchronous send-stream seam the relay writes through.

export interface WebTransportCloseInfo {
  closeCode: number;
  reason: string;
}

export interface BidirectionalStream {
  readable: ReadableStream<Uint8Array>;
  writable: WritableStream<Uint8Array>;
}

/** The subset of the W3C `WebTransport` API that moq-lite clients and our relay need (no datagrams). */
export interface WebTransportLike {
  readonly ready: Promise<void>;
  readonly closed: Promise<WebTransportCloseInfo>;
  /** Negotiated application protocol (`moq-lite-04`, `moq-lite-03`, or `''` when SETUP negotiates). */
  readonly protocol: string;
  readonly incomingBidirectionalStreams: ReadableStream<BidirectionalStream>;
  readonly incomingUnidirectionalStreams: ReadableStream<ReadableStream<Uint8Array>>;
  createBidirectionalStream(options?: { sendOrder?: number }): Promise<BidirectionalStream>;
  createUnidirectionalStream(options?: { sendOrder?: number }): Promise<WritableStream<Uint8Array>>;
  close(info?: Partial<WebTransportCloseInfo>): void;
}

/**
 * An outgoing stream the relay writes synchronously: writes keep their order (also across streams of the
 * same session when the transport allows it, as the WebSocket framing does) and never return promises.
 */
export interface SendStream {
  write(chunk: Uint8Array): void;
  /** Writes varint(payload.length) followed by payload, in one transport frame when possible. */
  writeFrame(payload: Uint8Array): void;
  /** Ends the stream cleanly (FIN). */
  close(): void;
  /** Abandons the stream (RESET_STREAM). */
  reset(code?: number): void;
  /** Resolves when the peer stops reading (STOP_SENDING) or the stream/session ends. */
  readonly done: Promise<void>;
}

/** Transports that can give the relay synchronous send streams implement this. */
export interface FastSendTransport {
  openUniSend(): SendStream;
  openBidiSend(): { send: SendStream; readable: ReadableStream<Uint8Array> };
  /** Bytes queued but not yet handed to the OS; the relay drops groups for subscribers that lag. */
  readonly bufferedAmount: number;
}

export function isFastSendTransport(t: WebTransportLike): t is WebTransportLike & FastSendTransport {
  return typeof (t as Partial<FastSendTransport>).openUniSend === 'function';
}
