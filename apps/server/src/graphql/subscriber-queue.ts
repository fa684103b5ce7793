// A per-subscriber bounded delivery queue, consumed as an async iterator by one GraphQL subscription, so a
// slow subscriber only ever backs up its own queue: states coalesce per key (latest wins, never dropped),
// stats coalesce per key with a missed count, telemetry is dropped beyond a bound and the drop count rides
// on the next telemetry item, and structural events are kept in full or the subscription fails loudly.
import { GraphQLError } from 'graphql';

export interface SubscriberQueueLimits {
  /** Structural events (node/connection added or removed, params changed, destroyed) kept pending. */
  structural: number;
  /** Telemetry events kept pending; more are dropped and counted. */
  telemetry: number;
}

export const DEFAULT_QUEUE_LIMITS: SubscriberQueueLimits = { structural: 10_000, telemetry: 256 };

/**
 * Pending items are handed out synchronously while the socket takes them, and a socket write completes on the
 * same tick: without a break, every subscriber would drain its whole backlog in one turn of the event loop (a
 * 50-node batch seen by 32 subscriptions held it for 300 ms). All queues share one slice per turn; past it,
 * deliveries continue after the loop has served I/O.
 */
const DELIVERY_SLICE_MS = 4;
let sliceStarted = 0;
let sliceOpen = false;

function sliceExhausted(): boolean {
  const now = performance.now();
  if (!sliceOpen) {
    sliceOpen = true;
    sliceStarted = now;
    setImmediate(() => (sliceOpen = false));
    return false;
  }
  return now - sliceStarted > DELIVERY_SLICE_MS;
}

/** The code a client sees when its subscription fell so far behind that structural events would be lost. */
export const SUBSCRIBER_OVERFLOW = 'SUBSCRIBER_OVERFLOW';

type SlotClass = 'state' | 'stats' | 'telemetry' | 'structural';

interface Slot<T> {
  value: T;
  cls: SlotClass;
  key: string | undefined;
  missed: number;
}

/** Sets the per-subscriber missed count on a delivered value (the shared value itself is never mutated). */
export type WithMissed<T> = (value: T, missed: number) => T;

export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private slots: Slot<T>[] = [];
  private head = 0;
  private readonly pendingState = new Map<string, Slot<T>>();
  private readonly pendingStats = new Map<string, Slot<T>>();
  private structuralCount = 0;
  private telemetryCount = 0;
  private telemetryMissed = 0;
  private waiter: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;
  private ended = false;
  private closed = false;
  private failure: Error | undefined;
  private readonly closeListeners: (() => void)[] = [];
  private pendingListener: ((delta: number) => void) | undefined;

  constructor(
    private readonly withMissed: WithMissed<T>,
    private readonly limits: SubscriberQueueLimits = DEFAULT_QUEUE_LIMITS,
  ) {}

  /** Items pending delivery (for tests and metrics). */
  get size(): number {
    return this.slots.length - this.head;
  }

  /** True once the consumer stopped, the queue failed, or it ended and drained. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Reports every change of `size` to `listener` (with the current size at once), so a connection can bound
   * what all its subscriptions hold together.
   */
  trackPending(listener: (delta: number) => void): void {
    this.pendingListener = listener;
    if (this.size > 0) listener(this.size);
  }

  /** Runs once when the subscription stops for any reason (client stop, overflow, end): detach sources here. */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /** The latest state of `key`; replaces a pending one in place. */
  pushState(key: string, value: T): void {
    if (this.accepting()) this.coalesce(this.pendingState, 'state', key, value);
  }

  /** The latest stats of `key`; a replaced pending one counts as missed. */
  pushStats(key: string, value: T): void {
    if (this.accepting()) this.coalesce(this.pendingStats, 'stats', key, value);
  }

  pushTelemetry(value: T): void {
    if (!this.accepting()) return;
    if (this.deliverDirect(value, this.telemetryMissed)) {
      this.telemetryMissed = 0;
      return;
    }
    if (this.telemetryCount >= this.limits.telemetry) {
      this.telemetryMissed++;
      return;
    }
    this.telemetryCount++;
    this.append({ value, cls: 'telemetry', key: undefined, missed: this.telemetryMissed });
    this.telemetryMissed = 0;
  }

  /**
   * An event that must not be lost. `nodeKey` names the node it concerns: later states and stats of that
   * node queue behind it instead of merging into a slot ahead of it (a removed and re-added node).
   */
  pushStructural(value: T, nodeKey?: string): void {
    if (!this.accepting()) return;
    if (nodeKey !== undefined) {
      this.pendingState.delete(nodeKey);
      this.pendingStats.delete(nodeKey);
    }
    if (this.deliverDirect(value, 0)) return;
    if (this.structuralCount >= this.limits.structural) {
      this.fail(
        new GraphQLError(
          `Subscription closed: the client fell more than ${this.limits.structural} structural events behind; ` +
            'resubscribe and refetch the session pipeline',
          { extensions: { code: SUBSCRIBER_OVERFLOW } },
        ),
      );
      return;
    }
    this.structuralCount++;
    this.append({ value, cls: 'structural', key: undefined, missed: 0 });
  }

  /** Completes the iterator once everything pending is delivered. */
  end(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    if (this.size === 0) this.finish();
  }

  /** Fails the iterator at once (pending items are discarded: the client must resynchronize). */
  fail(error: Error): void {
    if (this.closed) return;
    this.clear();
    const waiter = this.waiter;
    this.waiter = undefined;
    // A waiting consumer gets the error now; otherwise its next call does.
    if (!waiter) this.failure = error;
    this.close();
    waiter?.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      if (sliceExhausted()) return new Promise((resolve) => setImmediate(() => resolve(this.next())));
      return Promise.resolve({ value: this.take(), done: false });
    }
    if (this.failure) {
      const error = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.closed || this.ended) {
      this.finish();
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.failure = undefined;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private accepting(): boolean {
    return !this.closed && !this.ended;
  }

  private coalesce(pending: Map<string, Slot<T>>, cls: 'state' | 'stats', key: string, value: T): void {
    const slot = pending.get(key);
    if (slot) {
      slot.value = value;
      if (cls === 'stats') slot.missed++;
      return;
    }
    if (this.deliverDirect(value, 0)) return;
    const fresh: Slot<T> = { value, cls, key, missed: 0 };
    pending.set(key, fresh);
    this.append(fresh);
  }

  /** Hands the value straight to a waiting consumer (the common, fast case). */
  private deliverDirect(value: T, missed: number): boolean {
    const waiter = this.waiter;
    if (!waiter || this.size > 0) return false;
    this.waiter = undefined;
    waiter.resolve({ value: missed > 0 ? this.withMissed(value, missed) : value, done: false });
    return true;
  }

  private append(slot: Slot<T>): void {
    this.slots.push(slot);
    this.pendingListener?.(1);
  }

  private take(): T {
    const slot = this.slots[this.head];
    this.slots[this.head] = undefined as unknown as Slot<T>;
    this.head++;
    this.pendingListener?.(-1);
    if (this.head === this.slots.length) {
      this.slots = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    switch (slot.cls) {
      case 'state':
        if (this.pendingState.get(slot.key!) === slot) this.pendingState.delete(slot.key!);
        break;
      case 'stats':
        if (this.pendingStats.get(slot.key!) === slot) this.pendingStats.delete(slot.key!);
        break;
      case 'telemetry':
        this.telemetryCount--;
        break;
      case 'structural':
        this.structuralCount--;
        break;
    }
    if (this.ended && this.size === 0) this.finish();
    return slot.missed > 0 ? this.withMissed(slot.value, slot.missed) : slot.value;
  }

  private clear(): void {
    if (this.size > 0) this.pendingListener?.(-this.size);
    this.slots = [];
    this.head = 0;
    this.pendingState.clear();
    this.pendingStats.clear();
    this.structuralCount = 0;
    this.telemetryCount = 0;
  }

  /** Stops for good: pending items are dropped, a waiting consumer completes, listeners run once. */
  private finish(): void {
    if (!this.closed) {
      this.clear();
      this.close();
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners.splice(0)) l();
  }
}
