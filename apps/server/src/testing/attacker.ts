/**
 * Sends a batch of HTTP requests from a worker thread, so the client's own work (serializing a large body,
 * reading answers) does not run on the server's event loop and `/healthz` latency measures only the server.
 *
 *   const answers = await attackFromWorker(server.url, [{ method: 'POST', path: '/api/v1/graphql', body }]);
 */
import { Worker } from 'node:worker_threads';

export interface AttackRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface AttackAnswer {
  status: number;
  /** The first 4 KiB of the body, as text. */
  body: string;
  ms: number;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { baseUrl, requests, concurrency, gapMs } = workerData;
(async () => {
  const answers = new Array(requests.length);
  let next = 0;
  async function lane() {
    while (next < requests.length) {
      const i = next++;
      const r = requests[i];
      const started = performance.now();
      try {
        const res = await fetch(baseUrl + r.path, { method: r.method, headers: r.headers, body: r.body });
        const text = Buffer.from(await res.arrayBuffer()).subarray(0, 4096).toString('utf8');
        answers[i] = { status: res.status, body: text, ms: performance.now() - started };
      } catch (err) {
        answers[i] = { status: 0, body: String(err && err.cause ? err.cause : err), ms: performance.now() - started };
      }
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
