// The legacy `@moq/qmux` WebSocket framing: subprotocol names and choice, frame types, the sending half of one
// stream (over the frames its transport writes) and the bounded set of ended peer stream ids.
import type { SendStream } from './types';

/** WebSocket subprotocol names of the legacy framing; `webtransport.<alpn>` carries an application protocol. */
export const WEBTRANSPORT_SUBPROTOCOL = 'webtransport';

/** Clients close the session on STREAM payloads above this size, so every send is split at it. */
export const MAX_STREAM_PAYLOAD = 16_360;

export const FRAME_STREAM = 0x08;
export const FRAME_STREAM_FIN = 0x09;
export const FRAME_RESET_STREAM = 0x04;
export const FRAME_STOP_SENDING = 0x05;
export const FRAME_APPLICATION_CLOSE = 0x1d;

/** moq-lite versions a client may pin through `webtransport.<alpn>`, most preferred first. */
const PINNED_ALPNS = ['moq-lite-04', 'moq-lite-03'];

/**
 * Picks the subprotocol to answer from the client's offer, or false. Bare `webtransport` wins when offered: every
 * `@moq/*` browser client offers it and then negotiates lite-02 in SETUP, the combination measured with browsers.
 * A client offering only `webtransport.moq-lite-0N` gets that version pinned.
 */
export function selectWebTransportSubprotocol(offered: Iterable<string>): string | false {
  const set = new Set(offered);
  if (set.has(WEBTRANSPORT_SUBPROTOCOL)) return WEBTRANSPORT_SUBPROTOCOL;
  for (const alpn of PINNED_ALPNS) {
    const p = `${WEBTRANSPORT_SUBPROTOCOL}.${alpn}`;
    if (set.has(p)) return p;
  }
  return false;
}

/** The frames a send stream writes through its transport (WebSocketTransport). */
export interface WsFrameSink {
  sendStreamData(id: number, data: Uint8Array, done: ((err?: Error) => void) | undefined): void;
  sendLengthPrefixed(id: number, payload: Uint8Array): void;
  sendFin(id: number): void;
  sendControl(type: number, id: number, code: number): void;
  releaseSend(id: number): void;
}

export class WsSendStream implements SendStream {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  finished = false;

  constructor(
    private readonly transport: WsFrameSink,
    readonly id: number,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  write(chunk: Uint8Array): void {
    if (this.finished) return;
    this.transport.sendStreamData(this.id, chunk, undefined);
  }

  writeFrame(payload: Uint8Array): void {
    if (this.finished) return;
    this.transport.sendLengthPrefixed(this.id, payload);
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.transport.sendFin(this.id);
    this.transport.releaseSend(this.id);
    this.resolveDone();
  }

  reset(code = 0): void {
    if (this.finished) return;
    this.finished = true;
    this.transport.sendControl(FRAME_RESET_STREAM, this.id, code);
    this.transport.releaseSend(this.id);
    this.resolveDone();
  }

  /** The peer asked us to stop (STOP_SENDING) or the session ended. */
  stopped(): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveDone();
  }
}

/**
 * Peer stream ids that ended. QUIC ids only grow, so everything below the lowest still-open id could be
 * dropped; a small ring of recent ids is enough to recognise late frames without growing per stream.
 */
export class ClosedIdSet {
  private readonly ring = new Float64Array(1024).fill(-1);
  private readonly set = new Set<number>();
  private at = 0;

  add(id: number): void {
    const old = this.ring[this.at];
    if (old >= 0) this.set.delete(old);
    this.ring[this.at] = id;
    this.at = (this.at + 1) % this.ring.length;
    this.set.add(id);
  }

  has(id: number): boolean {
    return this.set.has(id);
  }
}
