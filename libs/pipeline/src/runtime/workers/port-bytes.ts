// A byte stream over a MessagePort with credit-based backpressure: the sender keeps at most `window` chunks
// unacknowledged and the receiver acknowledges each chunk when its reader takes it. Chunks travel as
// transferred ArrayBuffers: a chunk that owns its whole buffer is handed over as is, anything else is copied
// once into a buffer of its own (on the side that sends, so the worker pays for its output, not the main thread).
import type { MessagePort } from 'node:worker_threads';

export type ByteStreamMessage =
  | { t: 'bytes'; s: string; buf: ArrayBuffer }
  | { t: 'bytes_end'; s: string }
  | { t: 'bytes_error'; s: string; message: string }
  | { t: 'bytes_credit'; s: string; n: number }
  | { t: 'bytes_cancel'; s: string };

/** Any message arriving on a port that carries byte streams (`handle` picks its own). */
export type PortMessage = { t: string; s?: string; n?: number; buf?: ArrayBuffer; message?: string };

/**
 * A copy of the bytes in an ArrayBuffer of their own. (Not `chunk.slice()`: on a Node Buffer that is a view
 * of the same memory, whose `.buffer` may hold far more than the chunk.)
 */
export function copyBytes(chunk: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(chunk.byteLength);
  copy.set(chunk);
  return copy;
}

/** True when the view covers its whole (non-shared) ArrayBuffer, so transferring it takes nothing from anyone. */
export function ownsBuffer(chunk: Uint8Array): boolean {
  return (
    chunk.byteOffset === 0 &&
    chunk.buffer instanceof ArrayBuffer &&
    chunk.byteLength === chunk.buffer.byteLength &&
    chunk.byteLength > 0
  );
}

export interface ByteSenderOptions {
  /** Unacknowledged chunks before `send` waits (default 8). */
  window?: number;
  /**
   * `transfer`: a chunk owning its whole buffer is transferred (the caller gives it up: the view is detached
   * afterwards); `copy`: every chunk is copied first (the producer may still hold its buffer).
   */
  ownership: 'transfer' | 'copy';
}

export class PortByteSender {
  private inflight = 0;
  private waiter: ((open: boolean) => void) | undefined;
  private cancelled = false;
  private finished = false;
  private readonly window: number;
  /** Chunks handed over without a copy, and chunks copied first (for the capacity report). */
  transferred = 0;
  copied = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly stream: string,
    private readonly options: ByteSenderOptions,
  ) {
    this.window = Math.max(1, options.window ?? 8);
  }

  /** True once the receiver said it reads no more. */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** undefined when sent within the window; otherwise a promise resolving once there is room (false: cancelled). */
  send(chunk: Uint8Array): undefined | Promise<boolean> {
    if (this.cancelled || this.finished) return Promise.resolve(false);
    if (chunk.byteLength === 0) return undefined;
    let buf: ArrayBuffer;
    if (this.options.ownership === 'transfer' && ownsBuffer(chunk)) {
      buf = chunk.buffer as ArrayBuffer;
      this.transferred++;
    } else {
      buf = copyBytes(chunk).buffer;
      this.copied++;
    }
    this.port.postMessage({ t: 'bytes', s: this.stream, buf } satisfies ByteStreamMessage, [buf]);
    this.inflight++;
    if (this.inflight < this.window) return undefined;
    return new Promise<boolean>((resolve) => {
      this.waiter = resolve;
    });
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.cancelled)
      this.port.postMessage({ t: 'bytes_end', s: this.stream } satisfies ByteStreamMessage);
    this.wake(false);
  }

  fail(message: string): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.cancelled)
      this.port.postMessage({ t: 'bytes_error', s: this.stream, message } satisfies ByteStreamMessage);
    this.wake(false);
  }

  /** The other side is gone (port closed, worker died): a waiting `send` resolves false. */
  abandon(): void {
    this.cancelled = true;
    this.wake(false);
  }

  /** Takes credit and cancel messages of this stream; false for anything else. */
  handle(m: PortMessage): boolean {
    if (m.s !== this.stream) return false;
    if (m.t === 'bytes_credit') {
      this.inflight -= m.n ?? 0;
      if (this.inflight < this.window) this.wake(true);
      return true;
    }
    if (m.t === 'bytes_cancel') {
      this.cancelled = true;
      this.wake(false);
      return true;
    }
    return false;
  }

  private wake(open: boolean): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(open);
  }
}

export class PortByteReceiver implements AsyncIterableIterator<Uint8Array> {
  private queue: Uint8Array[] = [];
  private head = 0;
  private ended = false;
  private error: Error | undefined;
  private cancelled = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly port: MessagePort,
    private readonly stream: string,
    /** Builds the error the reader sees when the sender failed. */
    private readonly makeError: (message: string) => Error = (message) => new Error(message),
  ) {}

  /** Takes the data, end and error messages of this stream; false for anything else. */
  handle(m: PortMessage): boolean {
    if (m.s !== this.stream) return false;
    switch (m.t) {
      case 'bytes':
        if (!this.cancelled && m.buf) this.queue.push(new Uint8Array(m.buf));
        break;
      case 'bytes_end':
        this.ended = true;
        break;
      case 'bytes_error':
        this.error ??= this.makeError(m.message ?? 'the byte stream failed');
        break;
      default:
        return false;
    }
    this.wake();
    return true;
  }

  /** Ends iteration with `error` (the sender can no longer finish, e.g. its thread died). */
  fail(error: Error): void {
    if (this.ended || this.cancelled) return;
    this.error ??= error;
    this.wake();
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      if (this.head < this.queue.length) {
        const chunk = this.queue[this.head];
        this.queue[this.head++] = undefined as unknown as Uint8Array;
        if (this.head === this.queue.length) {
          this.queue = [];
          this.head = 0;
        }
        this.post({ t: 'bytes_credit', s: this.stream, n: 1 });
        return { value: chunk, done: false };
      }
      if (this.error) throw this.error;
      if (this.ended || this.cancelled) return { value: undefined, done: true };
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  /** The reader stopped: the sender is told to stop. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.cancelled && !this.ended && !this.error) {
      this.cancelled = true;
      this.post({ t: 'bytes_cancel', s: this.stream });
    }
    this.queue = [];
    this.head = 0;
    this.wake();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  private post(m: ByteStreamMessage): void {
    try {
      this.port.postMessage(m);
    } catch {
      // The port is closed: the sender is gone and needs no credit.
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
