/**
 * Measures how responsive the server stays while an attack runs: `/healthz` is requested back to back (one at
 * a time, 10 ms apart) until `stop()`, which answers the latency percentiles in milliseconds.
 *
 *   const { latency } = await whileProbing(server.url, () => attack());
 *   assert.ok(latency.p99 < 100);
 */
export interface HealthzLatency {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface HealthzProbe {
  stop(): Promise<HealthzLatency>;
}

export function probeHealthz(baseUrl: string, gapMs = 10): HealthzProbe {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${baseUrl}/healthz`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      samples.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const sorted = [...samples].sort((a, b) => a - b);
      if (sorted.length === 0) throw new Error('/healthz was never measured');
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
      return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
    },
  };
}

/** Runs `attack` while probing `/healthz`; the probe stops however the attack ends. */
export async function whileProbing<T>(
  baseUrl: string,
  attack: () => Promise<T>,
): Promise<{ result: T; latency: HealthzLatency }> {
  const probe = probeHealthz(baseUrl);
  let result: T;
  try {
    result = await attack();
  } catch (err) {
    await probe.stop().catch(() => undefined);
    throw err;
  }
  return { result, latency: await probe.stop() };
}
