// One place in the worker pool and its bookkeeping: the worker it runs now, the requests waiting for that
// worker's answers, its load and heartbeat, and what it reports of itself (`WorkerInfo`).
import type { Worker } from 'node:worker_threads';
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { WorkerLoad } from './placement';

export interface WorkerInfo {
  index: number;
  threadId: number;
  /** Times this slot's worker was replaced. */
  restarts: number;
  ready: boolean;
  /** From `new Worker` to its ready message (module loading, registry, services), in ms. */
  startupMs: number | undefined;
  /** Smoothed event-loop utilisation (0..1); 0 until `measured`. */
  elu: number;
  /** Its load has been sampled since it became ready (the warm-up window after startup is not counted). */
  measured: boolean;
  /** Sessions and oneshot runs placed on it. */
  graphs: number;
}

/** Raised for requests a lost worker will never answer. */
export class WorkerLostError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'WorkerLostError';
  }
}

export interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** One place in the pool; its worker changes when it is replaced. */
export class WorkerSlot {
  worker: Worker | undefined;
  threadId = 0;
  restarts = 0;
  ready = false;
  lost = true;
  spawnedAt = 0;
  startupMs: number | undefined;
  elu = 0;
  /** Load samples taken since ready; the first closes the warm-up window and is not counted. */
  samples = 0;
  graphs = 0;
  placedSinceSample = 0;
  readonly pending = new Map<number, Pending>();
  prevElu: EventLoopUtilization | undefined;
  heartbeat: Int32Array | undefined;
  lastBeat = 0;
  lastBeatAt = 0;
  /** The cause reported before the worker ended (process.exit notice, 'error' event). */
  cause: string | undefined;
  channels: { close(reason: string): void }[] = [];
  /** Consecutive deaths before becoming ready (backs off restarts of a worker that cannot start). */
  failedStarts = 0;

  constructor(readonly index: number) {}

  /** A worker just started for this slot (`heartbeat` is the buffer it beats in): nothing is measured yet. */
  attach(worker: Worker, heartbeat: SharedArrayBuffer): void {
    this.worker = worker;
    this.spawnedAt = performance.now();
    this.startupMs = undefined;
    this.threadId = worker.threadId;
    this.ready = false;
    this.lost = false;
    this.cause = undefined;
    this.elu = 0;
    this.prevElu = undefined;
    this.samples = 0;
    this.placedSinceSample = 0;
    this.heartbeat = new Int32Array(heartbeat);
    this.lastBeat = 0;
    this.lastBeatAt = Date.now();
  }

  info(): WorkerInfo {
    return {
      index: this.index,
      threadId: this.threadId,
      restarts: this.restarts,
      ready: this.ready,
      startupMs: this.startupMs,
      elu: this.elu,
      measured: this.samples > 1,
      graphs: this.graphs,
    };
  }

  /** What placement weighs (see `pickWorker`). */
  load(): WorkerLoad {
    return {
      index: this.index,
      elu: this.elu,
      graphs: this.graphs,
      placedSinceSample: this.placedSinceSample,
      available: !this.lost,
    };
  }
}
