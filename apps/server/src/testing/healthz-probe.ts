/**
 * Test helper: polls `GET /healthz` on its own connection every few ms while an attack runs, and reports the
 * latencies (p99, max) so a test can assert the event loop stayed responsive.
 *
 *   const probe = startHealthzProbe(server.url);
 *   await attack();
 *   const { p99 } = await probe.stop();
 *
 * Run the attack for a second or more: p99 needs a hundred probes or so to mean something.
 */
import { request } from 'node:http';

export interface HealthzStats {
  count: number;
  p99: number;
  max: number;
}

function once(url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request({ host: url.hostname, port: url.port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(performance.now() - t)
          : reject(new Error(`healthz ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export function startHealthzProbe(baseUrl: string, intervalMs = 5): { stop(): Promise<HealthzStats> } {
  const url = new URL(baseUrl);
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      latencies.push(await once(url));
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      return { count: sorted.length, p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
    },
  };
}

/** Runs `attack` while probing `/healthz`; the probe stops however the attack ends. */
export async function whileProbing<T>(
  baseUrl: string,
  attack: () => Promise<T>,
): Promise<{ result: T; latency: HealthzStats }> {
  const probe = startHealthzProbe(baseUrl);
  let result: T;
  try {
    result = await attack();
  } catch (err) {
    await probe.stop().catch(() => undefined);
    throw err;
  }
  return { result, latency: await probe.stop() };
}
