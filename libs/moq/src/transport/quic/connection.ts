// One QUIC connection driven through the quiche binding: datagrams in, packets out, the loss/idle timer,
// and streams. Reads are pulled (the peer's flow control pushes back while a reader is slow); writes are
// synchronous and queue in JS only when flow or congestion control says wait, which `bufferedAmount` reports.
import { QuicheStreamError } from './errors';
import type { HostPort, QuicheBinding, QuicheConnection } from './quiche';
import { QuicSendStream, type QuicSendStreamOwner } from './send-stream';

/** What the application layer (HTTP/3) hears from a connection. */
export interface QuicConnectionHandler {
  onEstablished(): void;
  /** Stream `id` has data, a FIN or a reset to read. */
  onStreamReadable(id: number): void;
  onClosed(reason: string): void;
}

export interface QuicPacketSink {
  send(packet: Uint8Array, to: HostPort): void;
}

const SCRATCH_SIZE = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_SIZE);

export interface QuicConnectionOptions {
  native: QuicheConnection;
  binding: QuicheBinding;
  local: HostPort;
  remote: HostPort;
  sink: QuicPacketSink;
  maxSendUdpPayload: number;
  /** Client end (stream ids 0/2 mod 4 are ours) rather than server (1/3). */
  isClient?: boolean;
  /** Called once when the connection is closed and drained. */
  onGone(conn: QuicConnection): void;
}

/** Server side of one QUIC connection. */
export class QuicConnection implements QuicSendStreamOwner {
  handler: QuicConnectionHandler | undefined;
  readonly remote: HostPort;
  private readonly native: QuicheConnection;
  private readonly binding: QuicheBinding;
  private readonly local: HostPort;
  private readonly sink: QuicPacketSink;
  private readonly maxPayload: number;
  private readonly onGone: (conn: QuicConnection) => void;
  private established = false;
  private gone = false;
  private closeNotified = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private flushQueued = false;
  /** Streams with bytes (or a FIN) quiche has not taken yet. */
  private readonly blocked = new Set<QuicSendStream>();
  /** Locally opened streams waiting for stream credit, in opening order. */
  private readonly waitingUni: QuicSendStream[] = [];
  private readonly waitingBidi: QuicSendStream[] = [];
  private nextUni: number;
  private nextBidi: number;
  readonly isClient: boolean;
  private queuedBytes = 0;
  readonly createdAt = Date.now();

  constructor(options: QuicConnectionOptions) {
    this.native = options.native;
    this.binding = options.binding;
    this.local = options.local;
    this.remote = options.remote;
    this.sink = options.sink;
    this.maxPayload = options.maxSendUdpPayload;
    this.onGone = options.onGone;
    this.isClient = options.isClient ?? false;
    this.nextUni = this.isClient ? 2 : 3;
    this.nextBidi = this.isClient ? 0 : 1;
  }

  /** True for streams this end opened. */
  isLocal(id: number): boolean {
    return (id & 1) === (this.isClient ? 0 : 1);
  }

  /** DER certificates the peer presented (the client checks the server's against expected hashes). */
  peerCertificates(): Uint8Array[] {
    return this.native.peerCertChain() ?? [];
  }

  get isEstablished(): boolean {
    return this.established;
  }

  get closed(): boolean {
    return this.gone;
  }

  /** Bytes written by the application that quiche has not accepted yet. */
  get bufferedAmount(): number {
    return this.queuedBytes;
  }

  /** A UDP datagram for this connection arrived. */
  receive(data: Uint8Array, from: HostPort): void {
    if (this.gone) return;
    try {
      this.native.recv(data, { from, to: this.local });
    } catch {
      // Undecryptable or late packets are dropped by quiche; protocol errors close the connection, which
      // the flush below notices.
    }
    if (!this.established && this.native.isEstablished()) {
      this.established = true;
      this.handler?.onEstablished();
    }
    if (this.established) {
      // Datagrams are not used by moq-lite: drop what the peer sends.
      while (this.native.dgramRecvVec() !== null);
      for (const id of this.native.readable()) {
        if (this.gone) break;
        this.handler?.onStreamReadable(id);
      }
    }
    this.pumpAll();
    this.flush();
    if (!this.gone && this.native.isDraining()) this.notifyClosed();
  }

  /** Refuses a new connection: its first packet is read (for the keys) and CONNECTION_CLOSE is all we send. */
  refuse(first: Uint8Array, from: HostPort, code: number, reason: string): void {
    try {
      this.native.recv(first, { from, to: this.local });
    } catch {
      // A broken Initial: the close below still goes out if quiche can send one.
    }
    this.close(code, reason, false);
  }

  /** Reads what stream `id` holds (a copy), `fin` once its end was read; null when nothing waits. */
  read(id: number): { data: Uint8Array; fin: boolean } | null {
    let result: [number, boolean] | null;
    try {
      result = this.native.streamRecv(id, scratch);
    } catch (err) {
      throw QuicheStreamError.from(err);
    }
    if (result === null) return null;
    const [n, fin] = result;
    this.scheduleFlush(); // flow-control credit to hand back
    return { data: Uint8Array.prototype.slice.call(scratch, 0, n) as Uint8Array, fin };
  }

  /** Sends an unreliable datagram (RFC 9221); dropped when quiche's queue is full or it is too large. */
  sendDatagram(data: Uint8Array): void {
    if (this.gone || !this.established) return;
    try {
      this.native.dgramSend(data);
    } catch {
      // Dropped, as datagrams may be.
    }
    this.scheduleFlush();
  }

  /** Opens a unidirectional stream (id assigned when stream credit allows). */
  openUni(): QuicSendStream {
    const s = new QuicSendStream(this, -1, false);
    this.waitingUni.push(s);
    this.scheduleFlush();
    return s;
  }

  /** Opens a bidirectional stream; its id (for reading) is known once opened: `whenOpened`. */
  openBidi(): QuicSendStream {
    const s = new QuicSendStream(this, -1, true);
    this.waitingBidi.push(s);
    this.scheduleFlush();
    return s;
  }

  /** A send stream for a stream the peer opened (bidirectional). */
  sendStreamFor(id: number): QuicSendStream {
    return new QuicSendStream(this, id, true);
  }

  /** Sends STOP_SENDING on `id`. */
  shutdownRead(id: number, code: number): void {
    if (this.gone) return;
    try {
      this.native.streamShutdown(id, this.binding.Shutdown.Read, code);
    } catch {
      // Already finished.
    }
    this.scheduleFlush();
  }

  /** Sends RESET_STREAM on `id`. */
  shutdownWrite(id: number, code: number): void {
    if (this.gone) return;
    try {
      this.native.streamShutdown(id, this.binding.Shutdown.Write, code);
    } catch {
      // Already finished.
    }
    this.scheduleFlush();
  }

  /** Closes the connection with an application (HTTP/3) error code. */
  close(code: number, reason: string, app = true): void {
    if (this.gone) return;
    try {
      this.native.close(app, code, Buffer.from(reason.slice(0, 200)));
    } catch {
      // Already closing.
    }
    this.flush();
  }

  /** @internal */
  noteQueued(stream: QuicSendStream, bytes: number): void {
    this.queuedBytes += bytes;
    this.blocked.add(stream);
    this.scheduleFlush();
  }

  /** @internal */
  forgetQueued(bytes: number): void {
    this.queuedBytes -= bytes;
  }

  /** Flushes on the next microtask so writes of one tick share packets. */
  scheduleFlush(): void {
    if (this.flushQueued || this.gone) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.pumpAll();
      this.flush();
    });
  }

  /** Opens waiting streams as credit allows and hands queued bytes to quiche. */
  private pumpAll(): void {
    if (this.gone || !this.established) return;
    this.openWaiting(this.waitingUni, () => this.native.peerStreamsLeftUni(), false);
    this.openWaiting(this.waitingBidi, () => this.native.peerStreamsLeftBidi(), true);
    for (const s of this.blocked) {
      if (s.id < 0) continue;
      if (s.pump(this.native)) this.blocked.delete(s);
    }
  }

  private openWaiting(queue: QuicSendStream[], left: () => number, bidi: boolean): void {
    if (queue.length === 0) return;
    let credit = left();
    let i = 0;
    while (i < queue.length && credit > 0) {
      const s = queue[i++];
      if (s.finished) continue;
      if (bidi) {
        s.id = this.nextBidi;
        this.nextBidi += 4;
      } else {
        s.id = this.nextUni;
        this.nextUni += 4;
      }
      credit--;
      this.blocked.add(s);
      this.opened(s);
    }
    queue.splice(0, i);
  }

  /** Hook for the application to learn a local bidirectional stream's id. */
  onOpened: ((s: QuicSendStream) => void) | undefined;

  private opened(s: QuicSendStream): void {
    if (s.bidi) this.onOpened?.(s);
  }

  /** Sends every packet quiche has, re-arms the timer and notices the end of the connection. */
  flush(): void {
    if (this.gone) return;
    for (;;) {
      const buf = Buffer.allocUnsafe(this.maxPayload);
      let result: ReturnType<QuicheConnection['send']>;
      try {
        result = this.native.send(buf);
      } catch {
        break;
      }
      if (result === null) break;
      const [n, info] = result;
      this.sink.send(buf.subarray(0, n), info.to);
    }
    if (this.native.isClosed()) {
      this.finish();
      return;
    }
    this.armTimer();
  }

  private armTimer(): void {
    const ms = this.native.timeout();
    if (ms === null) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    const at = Date.now() + ms;
    // An earlier timer is kept (quiche ignores an early on_timeout); a later one is moved forward.
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.gone) return;
      this.native.onTimeout();
      this.pumpAll();
      this.flush();
    }, ms);
  }

  private finish(): void {
    if (this.gone) return;
    this.gone = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.blocked) s.end();
    for (const s of this.waitingUni) s.end();
    for (const s of this.waitingBidi) s.end();
    this.blocked.clear();
    this.waitingUni.length = 0;
    this.waitingBidi.length = 0;
    this.queuedBytes = 0;
    this.onGone(this);
    this.notifyClosed();
  }

  /** Tells the application once: when the peer closed (draining) or the connection is gone. */
  private notifyClosed(): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    const peer = this.native.peerError();
    const local = this.native.localError();
    const reason = this.native.isTimedOut()
      ? 'idle timeout'
      : peer
        ? `closed by peer (${peer.isApp ? 'application' : 'transport'} error 0x${peer.errorCode.toString(16)}${peer.reason.length ? `: ${Buffer.from(peer.reason).toString()}` : ''})`
        : local
          ? `closed (${local.isApp ? 'application' : 'transport'} error 0x${local.errorCode.toString(16)}${local.reason.length ? `: ${Buffer.from(local.reason).toString()}` : ''})`
          : 'closed';
    this.handler?.onClosed(reason);
  }
}
