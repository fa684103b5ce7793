// One kind of event and the listeners that want it: the typed emitter every listener set in the project uses
// (sessions, the registry, the server's services). A listener that throws is isolated: the others still hear
// the event, the emitter carries on, and the error goes to `onError` (the owner's logger) instead of up the
// emitter's stack.

/** Where a listener's error goes; the default writes it to stderr with what was being delivered. */
export type ListenerErrorHandler = (err: unknown) => void;

const toStderr =
  (what: string): ListenerErrorHandler =>
  (err) =>
    console.error(
      `a ${what} listener threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );

export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();
  private readonly onError: ListenerErrorHandler;

  /** `what` names the event in the default error report; `onError` replaces that report. */
  constructor(what: string, onError?: ListenerErrorHandler) {
    this.onError = onError ?? toStderr(what);
  }

  /** Adds a listener; returns the function that removes it (idempotent). */
  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  /** Calls every listener in the order they were added; one that throws does not stop the others. */
  emit(...args: A): void {
    for (const listener of this.set) {
      try {
        listener(...args);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  get size(): number {
    return this.set.size;
  }

  clear(): void {
    this.set.clear();
  }
}
