// The oneshot output: a bounded queue of byte chunks read as an async iterator. Writers get backpressure;
// a failure ends iteration with an error (never a clean-looking end); `return()` cancels the producer.

/** Service key under which the oneshot runner hands `streamkit::http_input` its byte source. */
export const ONESHOT_INPUT_SERVICE = 'streamkit.oneshot.input';
/** Service key under which the oneshot runner hands `streamkit::http_output` its byte sink. */
export const ONESHOT_OUTPUT_SERVICE = 'streamkit.oneshot.output';

export interface OneshotInputSource {
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  contentType?: string;
}

export interface OneshotOutputSink {
  /** undefined when queued at once; a promise when full, resolving false if the reader went away. */
  write(chunk: Uint8Array): undefined | Promise<boolean>;
}

type Waiter = () => void;

export class ByteStream implements AsyncIterableIterator<Uint8Array>, OneshotOutputSink {
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private error: Error | undefined;
  private cancelled = false;
  private readerWaiter: Waiter | null = null;
  private writerWaiters: Waiter[] = [];
  private firstListeners: Waiter[] = [];
  /** Bytes queued or delivered so far. */
  bytes = 0;

  constructor(
    private readonly capacity = 16,
    private readonly onCancel: () => void = () => {},
  ) {}

  get hasOutput(): boolean {
    return this.bytes > 0;
  }

  get settled(): boolean {
    return this.ended || this.error !== undefined || this.cancelled;
  }

  /** Resolves when the first byte is queued or the stream settles (ended, failed, cancelled). */
  firstByteOrEnd(): Promise<void> {
    if (this.bytes > 0 || this.settled) return Promise.resolve();
    return new Promise((resolve) => this.firstListeners.push(resolve));
  }

  write(chunk: Uint8Array): undefined | Promise<boolean> {
    if (this.cancelled || this.settled) return Promise.resolve(false);
    if (chunk.byteLength === 0) return undefined;
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    this.wakeReader();
    this.wakeFirst();
    if (this.chunks.length < this.capacity) return undefined;
    return new Promise<boolean>((resolve) => {
      this.writerWaiters.push(() => resolve(!this.cancelled));
    });
  }

  end(): void {
    if (this.settled) return;
    this.ended = true;
    this.wakeAll();
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.error = error;
    this.wakeAll();
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        if (this.writerWaiters.length > 0 && this.chunks.length < this.capacity) this.wakeWriters();
        return { value: chunk, done: false };
      }
      if (this.error) throw this.error;
      if (this.ended || this.cancelled) return { value: undefined, done: true };
      await new Promise<void>((resolve) => {
        this.readerWaiter = resolve;
      });
    }
  }

  /** The consumer stopped reading: cancel the producer. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.settled) {
      this.cancelled = true;
      this.chunks.length = 0;
      this.wakeAll();
      this.onCancel();
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  private wakeReader(): void {
    const w = this.readerWaiter;
    if (w) {
      this.readerWaiter = null;
      w();
    }
  }

  private wakeWriters(): void {
    const ws = this.writerWaiters;
    this.writerWaiters = [];
    for (const w of ws) w();
  }

  private wakeFirst(): void {
    const ls = this.firstListeners;
    this.firstListeners = [];
    for (const l of ls) l();
  }

  private wakeAll(): void {
    this.wakeReader();
    this.wakeWriters();
    this.wakeFirst();
  }
}
