// Transfers of the `skit` client: multipart bodies streamed from disk and progress lines on stderr.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { ClientError, http, type ClientOptions } from './connection';

/** What a transfer needs of the command's context. */
export interface TransferContext {
  opts: ClientOptions;
  /** True when stderr is a terminal (progress redraws one line). */
  tty: boolean;
  err(text: string): void;
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Progress of a transfer on stderr: one redrawn line on a terminal, a line every second otherwise. */
export class Progress {
  private last = 0;
  private done = 0;

  constructor(
    private readonly ctx: TransferContext,
    private readonly label: string,
    private readonly total?: number,
  ) {}

  add(bytes: number): void {
    this.done += bytes;
    const now = performance.now();
    if (now - this.last >= (this.ctx.tty ? 100 : 1000)) {
      this.last = now;
      this.print(false);
    }
  }

  finish(): void {
    this.print(true);
  }

  private print(final: boolean): void {
    const pct = this.total ? ` ${Math.min(100, Math.floor((this.done / this.total) * 100))}%` : '';
    const of = this.total ? ` of ${size(this.total)}` : '';
    const line = `${this.label}:${pct} ${size(this.done)}${of}${final ? ' done' : ''}`;
    if (this.ctx.tty) this.ctx.err(`\r\x1b[K${line}${final ? '\n' : ''}`);
    else this.ctx.err(`${line}\n`);
  }
}

/** A multipart body streamed from disk, counting what the server has taken. */
export function multipart(
  fields: { name: string; value: string }[],
  file: { field: string; path: string },
  progress: (n: number) => void,
): { body: ReadableStream<Uint8Array>; contentType: string; length: number } {
  const boundary = `----skit${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
  const parts = fields.map(
    (f) => `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"\r\n\r\n${f.value}\r\n`,
  );
  const head = Buffer.from(
    `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; ` +
      `filename="${basename(file.path).replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const fileSize = statSync(file.path).size;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield head;
    for await (const chunk of createReadStream(file.path, { highWaterMark: 64 * 1024 })) {
      const buf = chunk as Buffer;
      progress(buf.length);
      yield buf;
    }
    yield tail;
  }
  return {
    body: Readable.toWeb(Readable.from(chunks())) as ReadableStream<Uint8Array>,
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + fileSize + tail.length,
  };
}

export async function upload(
  ctx: TransferContext,
  path: string,
  field: string,
  route: string,
  what: string,
): Promise<unknown> {
  if (!existsSync(path)) throw new ClientError(`${what} not found: ${path}`);
  const progress = new Progress(ctx, `Uploading ${basename(path)}`, statSync(path).size);
  const body = multipart([], { field, path }, (n) => progress.add(n));
  const res = await http(ctx.opts, 'POST', route, {
    body: body.body,
    headers: { 'content-type': body.contentType, 'content-length': String(body.length) },
    duplex: 'half',
  });
  progress.finish();
  return res.json();
}
