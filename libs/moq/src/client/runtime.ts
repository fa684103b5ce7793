// What `@moq/lite` (a browser-first library) expects from its runtime, for use as a client inside Node 20:
// Promise.withResolvers and Set.prototype.difference (both Node 22+) and a global WebSocket (the `ws` package).

type WithResolvers = <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };

/** Installs the missing pieces once; existing implementations are kept. */
export function ensureMoqClientRuntime(): void {
  const P = Promise as unknown as { withResolvers?: WithResolvers };
  P.withResolvers ??= <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  const S = Set.prototype as unknown as { difference?: (other: Set<unknown>) => Set<unknown> };
  S.difference ??= function (this: Set<unknown>, other: Set<unknown>): Set<unknown> {
    const out = new Set<unknown>();
    for (const v of this) if (!other.has(v)) out.add(v);
    return out;
  };
  const g = globalThis as unknown as { WebSocket?: unknown };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded when a client first connects
  g.WebSocket ??= (require('ws') as typeof import('ws')).WebSocket;
}
