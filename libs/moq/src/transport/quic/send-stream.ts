// The sending half of a QUIC stream: bytes wait in JS until quiche takes them (flow or congestion control may
// say wait), and the stream's end or reset. The connection pumps it; `QuicSendStreamOwner` is what it reports to.
import type { QuicheConnection } from './quiche';

/** What a send stream needs from its connection. */
export interface QuicSendStreamOwner {
  /** `bytes` more wait in `stream` (0 for a FIN): quiche should be offered them. */
  noteQueued(stream: QuicSendStream, bytes: number): void;
  /** `bytes` left the JS queue (sent or dropped). */
  forgetQueued(bytes: number): void;
  /** Sends RESET_STREAM on `id`. */
  shutdownWrite(id: number, code: number): void;
}

/** An outgoing stream whose bytes wait in JS until quiche takes them. */
export class QuicSendStream {
  /** -1 until the stream is opened (stream credit may be short for locally opened streams). */
  id: number;
  private queue: Uint8Array[] = [];
  private queued = 0;
  private finQueued = false;
  finished = false;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly conn: QuicSendStreamOwner,
    id: number,
    readonly bidi: boolean,
  ) {
    this.id = id;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  write(chunk: Uint8Array): void {
    if (this.finished || this.finQueued || chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.conn.noteQueued(this, chunk.length);
  }

  writeFrame(payload: Uint8Array): void {
    const n = payload.length;
    const size = n < 0x40 ? 1 : n < 0x4000 ? 2 : n < 0x40000000 ? 4 : 8;
    const out = Buffer.allocUnsafe(size + n);
    if (size === 1) out[0] = n;
    else if (size === 2) out.writeUInt16BE(0x4000 | n, 0);
    else if (size === 4) out.writeUInt32BE((0x80000000 | n) >>> 0, 0);
    else throw new RangeError('frame too large');
    out.set(payload, size);
    this.write(out);
  }

  close(): void {
    if (this.finished || this.finQueued) return;
    this.finQueued = true;
    this.conn.noteQueued(this, 0);
  }

  reset(code = 0): void {
    if (this.finished) return;
    this.conn.forgetQueued(this.queued);
    this.queue = [];
    this.queued = 0;
    if (this.id >= 0) this.conn.shutdownWrite(this.id, code);
    this.end();
  }

  /** @internal Hands queued bytes to quiche; true when nothing is left to send. */
  pump(native: QuicheConnection): boolean {
    if (this.finished) return true;
    while (this.queue.length > 0) {
      const chunk = this.queue[0];
      const last = this.queue.length === 1 && this.finQueued;
      let written: number | null;
      try {
        written = native.streamSend(this.id, chunk, last);
      } catch {
        // STOP_SENDING from the peer, or the stream is gone: nothing more will be sent.
        this.conn.forgetQueued(this.queued);
        this.queue = [];
        this.queued = 0;
        this.end();
        return true;
      }
      if (written === null || written === 0) return false;
      this.queued -= written;
      this.conn.forgetQueued(written);
      if (written < chunk.length) {
        this.queue[0] = chunk.subarray(written);
        return false;
      }
      this.queue.shift();
      if (last) {
        this.end();
        return true;
      }
    }
    if (this.finQueued) {
      try {
        if (native.streamSend(this.id, new Uint8Array(0), true) === null) return false;
      } catch {
        // Stopped by the peer: the FIN is moot.
      }
      this.end();
    }
    return true;
  }

  /** @internal */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveDone();
  }
}
