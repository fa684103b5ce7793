// Settings shared by every fuzz suite (`*.fuzz.spec.ts`, fast-check properties). In `npm test` a property
// runs a bounded number of cases with a fixed seed, stopping after a few seconds, so CI is deterministic
// and short. `npm run fuzz` sets FUZZ_SECONDS (a time budget per property, unlimited cases) and a fresh
// seed unless FUZZ_SEED is given; a failure prints the seed and path that replay it.
//
//   FUZZ_SECONDS=120 npm run fuzz            # long run, random seed
//   FUZZ_SEED=1234 FUZZ_RUNS=5000 npm run fuzz
import fc from 'fast-check';

/** The seed of `npm test` runs (any fixed number: failures must reproduce). */
const CI_SEED = 0x5eed23;
/** Time budget of one property in `npm test`. */
const CI_SECONDS = 3;

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** True under `npm run fuzz` (a long run). */
export function longFuzz(): boolean {
  return (envNumber('FUZZ_SECONDS') ?? 0) > 0;
}

/**
 * fast-check parameters for one property: `runs` cases in `npm test` (FUZZ_RUNS overrides), and in a long run
 * as many as FUZZ_SECONDS allows. Interrupting at the time budget is not a failure.
 */
export function fuzzParams<T>(runs: number): fc.Parameters<T> {
  const seconds = envNumber('FUZZ_SECONDS') ?? 0;
  const seed = envNumber('FUZZ_SEED') ?? (seconds > 0 ? Date.now() % 2 ** 31 : CI_SEED);
  const numRuns = envNumber('FUZZ_RUNS') ?? (seconds > 0 ? Number.MAX_SAFE_INTEGER : runs);
  return {
    seed,
    numRuns,
    interruptAfterTimeLimit: (seconds > 0 ? seconds : CI_SECONDS) * 1000,
    markInterruptAsFailure: false,
    endOnFailure: true,
  };
}

/** Test timeout for a fuzz test: its budget plus a margin. */
export function fuzzTimeoutMs(): number {
  return ((envNumber('FUZZ_SECONDS') ?? CI_SECONDS) + 60) * 1000;
}

/** Bytes cut into chunks of arbitrary sizes (how a stream arrives). */
export function chunked(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes.length > 0 ? sizes[i % sizes.length] : bytes.length);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** An arbitrary damaging `bytes`: flipped bytes, a cut, a spliced run of noise (the shapes a broken upload takes). */
export function damaged(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = bytes.length;
  return fc.oneof(
    fc
      .array(fc.tuple(fc.nat({ max: Math.max(0, n - 1) }), fc.integer({ min: 0, max: 255 })), {
        maxLength: 32,
      })
      .map((flips) => {
        const copy = bytes.slice();
        for (const [i, v] of flips) copy[i] = v;
        return copy;
      }),
    fc.nat({ max: n }).map((cut) => bytes.subarray(0, cut)),
    fc
      .tuple(fc.nat({ max: n }), fc.uint8Array({ maxLength: 4096 }), fc.nat({ max: 4096 }))
      .map(([at, noise, skip]) => {
        const out = new Uint8Array(at + noise.length + Math.max(0, n - at - skip));
        out.set(bytes.subarray(0, at));
        out.set(noise, at);
        out.set(bytes.subarray(Math.min(n, at + skip)), at + noise.length);
        return out;
      }),
  );
}
