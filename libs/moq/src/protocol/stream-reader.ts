// Pull-based decoding over a ReadableStream of byte chunks: waits for exactly the bytes a field needs.
import { ByteReader, ProtocolError, ShortBufferError } from './varint';

export class StreamReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Unread bytes are `buf[start, end)`; `buf` is a received chunk or our own growable copy (`owned`). */
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  private owned = false;
  private readonly cursor = new ByteReader();
  private ended = false;

  constructor(
    stream: ReadableStream<Uint8Array>,
    /** Upper bound for one size-prefixed message; larger ones are a protocol error. */
    private readonly maxMessage = 1 << 20,
  ) {
    this.reader = stream.getReader();
  }

  private get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Appends the next chunk; false at end of stream. Appending is amortised O(chunk): a message that arrives
   * in many small chunks is copied into a buffer that doubles, never re-copied whole per chunk.
   */
  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.ended = true;
      return false;
    }
    if (value.length === 0) return true;
    if (this.buffered === 0) {
      this.buf = value;
      this.start = 0;
      this.end = value.length;
      this.owned = false;
      return true;
    }
    const need = this.buffered + value.length;
    if (!this.owned || this.end + value.length > this.buf.length) {
      // Always a fresh buffer: views handed out by `take` must keep their bytes.
      const next = new Uint8Array(Math.max(need * 2, 256));
      next.set(this.buf.subarray(this.start, this.end), 0);
      this.buf = next;
      this.end = this.buffered;
      this.start = 0;
      this.owned = true;
    }
    this.buf.set(value, this.end);
    this.end += value.length;
    return true;
  }

  private async need(n: number): Promise<void> {
    while (this.buffered < n) {
      if (!(await this.fill())) throw new ProtocolError('unexpected end of stream');
    }
  }

  /** The next `n` buffered bytes: a view, valid until the next read (copy to keep it longer). */
  private take(n: number): Uint8Array {
    const out = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    if (this.start === this.end && this.owned) {
      // Hand the bytes out, and start afresh (the view above must not be overwritten).
      this.buf = new Uint8Array(0);
      this.start = this.end = 0;
      this.owned = false;
    }
    return out;
  }

  /** True once the stream ended with no buffered bytes left (waits for data otherwise). */
  async done(): Promise<boolean> {
    if (this.buffered > 0) return false;
    return !(await this.fill());
  }

  async u8(): Promise<number> {
    await this.need(1);
    return this.take(1)[0];
  }

  async varint(): Promise<number> {
    for (;;) {
      try {
        const v = this.cursor.reset(this.buf.subarray(this.start, this.end)).varint();
        this.take(this.cursor.pos);
        return v;
      } catch (err) {
        if (!(err instanceof ShortBufferError)) throw err;
        if (!(await this.fill())) throw new ProtocolError('unexpected end of stream');
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

export class MessageTooLargeError extends ProtocolError {
  override readonly name: string = 'MessageTooLargeError';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`message of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}
