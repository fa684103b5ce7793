// Pull-based decoding over a ReadableStream of byte chunks: waits for exactly the bytes a field needs.
import { ByteReader, ShortBufferError } from './varint';

export class StreamReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private buf: Uint8Array = new Uint8Array(0);
  private readonly cursor = new ByteReader();
  private ended = false;

  constructor(
    stream: ReadableStream<Uint8Array>,
    /** Upper bound for one size-prefixed message; larger ones are a protocol error. */
    private readonly maxMessage = 1 << 20,
  ) {
    this.reader = stream.getReader();
  }

  /** Appends the next chunk; false at end of stream. */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.ended = true;
      return false;
    }
    if (this.buf.length === 0) this.buf = value;
    else {
      const next = new Uint8Array(this.buf.length + value.length);
      next.set(this.buf);
      next.set(value, this.buf.length);
      this.buf = next;
    }
    return true;
  }

  private async need(n: number): Promise<void> {
    while (this.buf.length < n) {
      if (!(await this.fill())) throw new Error('unexpected end of stream');
    }
  }

  private take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** True once the stream ended with no buffered bytes left (waits for data otherwise). */
  async done(): Promise<boolean> {
    if (this.buf.length > 0) return false;
    return !(await this.fill());
  }

  async u8(): Promise<number> {
    await this.need(1);
    return this.take(1)[0];
  }

  async varint(): Promise<number> {
    for (;;) {
      try {
        const v = this.cursor.reset(this.buf).varint();
        this.buf = this.buf.subarray(this.cursor.pos);
        return v;
      } catch (err) {
        if (!(err instanceof ShortBufferError)) throw err;
        if (!(await this.fill())) throw new Error('unexpected end of stream', { cause: err });
      }
    }
  }

  async bytes(n: number): Promise<Uint8Array> {
    await this.need(n);
    return this.take(n);
  }

  /** A varint-size-prefixed message body. */
  async message(limit = this.maxMessage): Promise<Uint8Array> {
    const size = await this.varint();
    if (size > limit) throw new MessageTooLargeError(size, limit);
    return this.bytes(size);
  }

  /** A varint-size-prefixed message body, or undefined when the stream ended cleanly before it. */
  async messageOrEnd(limit = this.maxMessage): Promise<Uint8Array | undefined> {
    if (await this.done()) return undefined;
    return this.message(limit);
  }

  /** A u16-size-prefixed message body (the SETUP compat encoding). */
  async u16Message(): Promise<Uint8Array> {
    await this.need(2);
    const head = this.take(2);
    return this.bytes((head[0] << 8) | head[1]);
  }

  /** Stops reading; the peer is told to stop sending (STOP_SENDING). */
  cancel(): void {
    this.ended = true;
    this.reader.cancel().catch(() => undefined);
  }

  /** Resolves when the stream closes or errors (the peer finished or reset it). */
  get closed(): Promise<void> {
    return this.reader.closed.then(
      () => undefined,
      () => undefined,
    );
  }
}

export class MessageTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`message of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}
