/**
 * Sends a batch of HTTP requests from a worker thread, so the client's own work (building and sending a large
 * body, reading answers) does not run on the server's event loop and `/healthz` latency measures only the server.
 *
 *   const answers = await attackFromWorker(server.url, [{ method: 'POST', path: '/api/v1/graphql', body }]);
 *
 * A `StreamedBody` is generated in the worker and sent chunked (no content-length): strings as UTF-8, byte
 * arrays as they are, numbers as that many zero bytes; with `abortAfterBytes` the client vanishes mid-body, like a killed process.
 */
import { Worker } from 'node:worker_threads';

export interface StreamedBody {
  parts: (string | number | Uint8Array)[];
  abortAfterBytes?: number;
}

export interface AttackRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | StreamedBody;
  /** The client gives up (aborts) this long after sending, answered or not. */
  abortAfterMs?: number;
}

export interface AttackAnswer {
  /** 0 when no answer came (connection reset, or the client aborted on purpose). */
  status: number;
  /** The first 4 KiB of the body, as text (or the error when status is 0 or the body broke off). */
  body: string;
  /** False when the answer's body broke off (the server aborted a response it had started). */
  complete: boolean;
  ms: number;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { baseUrl, requests, concurrency, gapMs } = workerData;
const CHUNK = 1 << 20;

function streamed(spec, abort) {
  let sent = 0;
  async function* chunks() {
    for (const part of spec.parts) {
      if (typeof part !== 'number') {
        const bytes = Buffer.from(part);
        yield bytes;
        sent += bytes.length;
        continue;
      }
      const zeros = Buffer.alloc(Math.min(CHUNK, part));
      for (let left = part; left > 0; left -= zeros.length) {
        const chunk = left >= zeros.length ? zeros : zeros.subarray(0, left);
        yield chunk;
        sent += chunk.length;
        if (spec.abortAfterBytes !== undefined && sent >= spec.abortAfterBytes) {
          // Let the bytes reach the server, then vanish.
          await new Promise((r) => setTimeout(r, 200));
          abort.abort();
          throw new Error('client killed');
        }
      }
    }
  }
  const it = chunks();
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await it.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
  });
}

(async () => {
  const answers = new Array(requests.length);
  let next = 0;
  async function lane() {
    while (next < requests.length) {
      const i = next++;
      const r = requests[i];
      const started = performance.now();
      const abort = new AbortController();
      const isStreamed = r.body && typeof r.body === 'object' && Array.isArray(r.body.parts);
      const body = isStreamed ? streamed(r.body, abort) : r.body;
      let status = 0;
      const timer = r.abortAfterMs === undefined ? undefined : setTimeout(() => abort.abort(), r.abortAfterMs);
      try {
        const res = await fetch(baseUrl + r.path, {
          method: r.method,
          headers: r.headers,
          body,
          signal: abort.signal,
          ...(isStreamed ? { duplex: 'half' } : {}),
        });
        status = res.status;
        const text = Buffer.from(await res.arrayBuffer()).subarray(0, 4096).toString('utf8');
        answers[i] = { status, body: text, complete: true, ms: performance.now() - started };
      } catch (err) {
        const text = String(err && err.cause ? err.cause : err);
        answers[i] = { status, body: text, complete: false, ms: performance.now() - started };
      }
      clearTimeout(timer);
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  parentPort.postMessage(answers);
})();
`;

/** Sends `requests` over `concurrency` lanes, each waiting `gapMs` after an answer before its next request. */
export function attackFromWorker(
  baseUrl: string,
  requests: AttackRequest[],
  options: { concurrency?: number; gapMs?: number } = {},
): Promise<AttackAnswer[]> {
  const { concurrency = 1, gapMs = 0 } = options;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { baseUrl, requests, concurrency, gapMs } });
    worker.once('message', (answers: AttackAnswer[]) => {
      resolve(answers);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** A multipart/form-data body as `StreamedBody` parts; a number as a value stands for that many zero bytes. */
export function multipartParts(
  boundary: string,
  parts: { name: string; filename?: string; type?: string; value: string | number | Uint8Array }[],
): (string | number | Uint8Array)[] {
  const out: (string | number | Uint8Array)[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    out.push(
      `--${boundary}\r\nContent-Disposition: ${disposition}\r\n` +
        (p.type ? `Content-Type: ${p.type}\r\n` : '') +
        '\r\n',
    );
    out.push(p.value);
    out.push('\r\n');
  }
  out.push(`--${boundary}--\r\n`);
  return out;
}
