// The pool of engine workers: starts them, measures their load, places new graphs, carries requests and
// answers, and treats a worker's death as an event. A worker that crashes, exceeds its memory limit, calls
// process.exit or stops turning its event loop (watchdog) is reported with the cause and replaced at once.
// Native addons the engine uses must stay loaded on this thread: when the last thread that loaded an addon
// ends, Node unloads it, and @evan/opus (its static encode/decode buffers) then crashes the whole process.
import '../../codecs/opus/opus-native';
import { leaseOpusAddon } from '../../codecs/opus/addon-copies';
import { join } from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from '../../core/node';
import { silentLogger } from '../../core/node';
import type { SessionEvent } from '../session-types';
import { HEARTBEAT_MS, SAMPLE_MS, sampleLoad, watchdogCheckMs, watchdogVerdict } from './load-monitor';
import { pickWorker } from './placement';
import { WorkerLostError, WorkerSlot, type WorkerInfo } from './slot';
import { fromWire } from './wire';
import type { FromWorker, KindSource, SessionDefaults, ToWorker, WorkerInit } from './protocol';

export { WorkerLostError, WorkerSlot, type WorkerInfo } from './slot';

export interface WorkerPoolOptions {
  /** Number of worker threads (at least 1). */
  size: number;
  /** Module exporting `setupWorker` (see `WorkerSetup`); absent: the default registry and no services. */
  setupModule?: string;
  /** Structured-clone data handed to `setupWorker` (e.g. the server's config). */
  setupData?: unknown;
  /** Kinds every worker loads after its setup (plugins, modules of node definitions). */
  kinds?: KindSource[];
  session?: SessionDefaults;
  /** V8 old-generation limit per worker (resourceLimits.maxOldGenerationSizeMb); 0 or absent: Node's default. */
  maxHeapMb?: number;
  /** A worker whose event loop stalls this long is terminated and replaced; 0 turns the watchdog off. */
  watchdogMs?: number;
  /**
   * Niceness of each worker thread (Linux sets it per thread): with cores contended, the main thread (the API,
   * the relay) runs before graphs. Default 0.
   */
  nice?: number;
  log?: Logger;
}

/** Extra per-worker ports (e.g. the MoQ relay link): called for every worker started, closed when it ends. */
export type WorkerChannelFactory = (worker: { index: number }) => {
  port: MessagePort;
  close(reason: string): void;
};

export interface PoolDelegate {
  onEvents(slot: WorkerSlot, events: SessionEvent[]): void;
  /** The worker of `slot` is gone; `reason` names the cause. Its replacement starts right after. */
  onLost(slot: WorkerSlot, reason: string): void;
}

const ENTRY = join(__dirname, 'worker-entry.js');
const MAX_RESTART_DELAY_MS = 10_000;

export class WorkerPool {
  readonly slots: WorkerSlot[];
  private readonly log: Logger;
  private readonly kinds: KindSource[];
  private readonly channels = new Map<string, WorkerChannelFactory>();
  private delegate: PoolDelegate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextRid = 1;
  private closing = false;
  private started = false;
  private lastSample = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new Error(`a worker pool needs at least one worker (got ${options.size})`);
    }
    this.log = options.log ?? silentLogger;
    this.kinds = [...(options.kinds ?? [])];
    this.slots = Array.from({ length: options.size }, (_, i) => new WorkerSlot(i));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Registers a per-worker port; must be called before `start`. */
  addChannel(name: string, factory: WorkerChannelFactory): void {
    if (this.started) throw new Error(`worker channel '${name}' added after the pool started`);
    this.channels.set(name, factory);
  }

  /** Spawns every worker (they get ready in the background; requests wait for them). */
  start(delegate: PoolDelegate): void {
    if (this.started) return;
    this.started = true;
    this.delegate = delegate;
    for (const slot of this.slots) this.spawn(slot);
    this.timer = setInterval(
      () => this.tick(),
      Math.min(SAMPLE_MS, watchdogCheckMs(this.options.watchdogMs ?? 0)),
    );
    this.timer.unref();
  }

  /** Resolves once every worker reported ready (or `timeoutMs` passed). */
  async whenReady(timeoutMs = 30_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (this.slots.every((s) => s.ready)) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  info(): WorkerInfo[] {
    return this.slots.map((s) => s.info());
  }

  /** The least loaded worker for a new graph; counts the graph on it (call `release` when it ends). */
  place(): WorkerSlot {
    const index = pickWorker(this.slots.map((s) => s.load()));
    if (index === undefined) throw new WorkerLostError('no engine worker is available (all are restarting)');
    const slot = this.slots[index];
    slot.graphs++;
    slot.placedSinceSample++;
    return slot;
  }

  /** A graph placed on `slot` while its worker was `generation` (its `restarts`) ended. */
  release(slot: WorkerSlot, generation: number): void {
    // A replaced worker started from zero: nothing of its predecessor's is counted on it.
    if (slot.restarts === generation) slot.graphs = Math.max(0, slot.graphs - 1);
  }

  /** Sends a request and resolves with the answer's value (rejects with the rebuilt error). */
  request<T>(slot: WorkerSlot, message: DistributiveOmit<ToWorkerRequest, 'rid'>): Promise<T> {
    if (slot.lost || !slot.worker) {
      return Promise.reject(new WorkerLostError(`engine worker ${slot.index} is not running`));
    }
    const rid = this.nextRid++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(rid, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker!.postMessage({ ...message, rid } as ToWorker);
    });
  }

  /** Posts a message that has no answer (a oneshot run, which talks over its own port). */
  post(slot: WorkerSlot, message: ToWorker, transfer: MessagePort[] = []): void {
    if (slot.lost || !slot.worker) throw new WorkerLostError(`engine worker ${slot.index} is not running`);
    slot.worker.postMessage(message, transfer);
  }

  /** Makes a kind usable on every worker (and on every worker started later). */
  async addKind(source: KindSource): Promise<void> {
    this.kinds.push(source);
    const failures = await this.everyWorker({ t: 'kind_add', source });
    if (failures.length > 0) {
      this.kinds.splice(this.kinds.indexOf(source), 1);
      if (source.type === 'plugin') await this.everyWorker({ t: 'kind_remove', kind: source.kind });
      throw new Error(failures.join('; '));
    }
  }

  async removeKind(kind: string): Promise<void> {
    const i = this.kinds.findIndex((k) => k.type === 'plugin' && k.kind === kind);
    if (i >= 0) this.kinds.splice(i, 1);
    await this.everyWorker({ t: 'kind_remove', kind });
  }

  /** Ends a worker as a crash would (tests, operators); its sessions fail with `reason`. */
  kill(index: number, reason: string): void {
    const slot = this.slots[index];
    if (!slot || slot.lost) return;
    slot.cause = reason;
    void slot.worker?.terminate();
  }

  /** Destroys every session (bounded), then ends every worker. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.timer);
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.lost || !slot.worker) return;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.request(slot, { t: 'close' }).catch(() => undefined),
          new Promise((r) => (timer = setTimeout(r, timeoutMs))),
        ]);
        clearTimeout(timer);
        // Wait for the thread to end while the process is still alive: a process that exits with a worker
        // half-terminated can crash in Node's teardown.
        let stuck: NodeJS.Timeout | undefined;
        await Promise.race([
          slot.worker.terminate().catch(() => undefined),
          new Promise((r) => (stuck = setTimeout(r, 2000))),
        ]);
        clearTimeout(stuck);
        this.lose(slot, 'the server is shutting down');
      }),
    );
  }

  private async everyWorker(message: DistributiveOmit<ToWorkerRequest, 'rid'>): Promise<string[]> {
    const failures: string[] = [];
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.lost) return;
        try {
          await this.request(slot, message);
        } catch (err) {
          if (!(err instanceof WorkerLostError))
            failures.push(`worker ${slot.index}: ${(err as Error).message}`);
        }
      }),
    );
    return failures;
  }

  private spawn(slot: WorkerSlot): void {
    const heartbeat = new SharedArrayBuffer(8);
    const ports: Record<string, MessagePort> = {};
    const transfer: MessagePort[] = [];
    slot.channels = [];
    for (const [name, factory] of this.channels) {
      const channel = factory({ index: slot.index });
      ports[name] = channel.port;
      transfer.push(channel.port);
      slot.channels.push(channel);
    }
    // Its own instance of the Opus addon (the addon's buffers are per instance, not per thread).
    const opus = leaseOpusAddon();
    const init: WorkerInit = {
      index: slot.index,
      setupModule: this.options.setupModule,
      setupData: this.options.setupData,
      kinds: this.kinds,
      session: this.options.session ?? {},
      heartbeat,
      heartbeatMs: HEARTBEAT_MS,
      nice: this.options.nice ?? 0,
      ports,
      opusAddon: opus?.path,
    };
    const maxHeap = this.options.maxHeapMb ?? 0;
    const worker = new Worker(ENTRY, {
      workerData: init,
      transferList: transfer,
      ...(maxHeap > 0 ? { resourceLimits: { maxOldGenerationSizeMb: maxHeap } } : {}),
    });
    slot.attach(worker, heartbeat);
    worker.on('message', (m: FromWorker) => {
      if (slot.worker === worker) this.onMessage(slot, m);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (slot.worker !== worker || slot.cause) return;
      slot.cause =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `engine worker ${slot.index} exceeded its memory limit (${maxHeap} MiB heap, [engine].worker_max_heap_mb): ${err.message}`
          : `engine worker ${slot.index} crashed: ${err.message}`;
    });
    worker.on('exit', (code) => {
      opus?.release();
      if (slot.worker !== worker) return;
      this.lose(slot, slot.cause ?? `engine worker ${slot.index} exited unexpectedly (exit code ${code})`);
    });
  }

  private onMessage(slot: WorkerSlot, m: FromWorker): void {
    switch (m.t) {
      case 'events':
        this.delegate?.onEvents(slot, m.events);
        return;
      case 'res': {
        const p = slot.pending.get(m.rid);
        if (!p) return;
        slot.pending.delete(m.rid);
        if (m.ok) p.resolve(m.value);
        else p.reject(fromWire(m.error));
        return;
      }
      case 'log':
        this.log[m.level](m.msg, { ...m.fields, worker: slot.index });
        return;
      case 'ready':
        slot.ready = true;
        slot.startupMs = performance.now() - slot.spawnedAt;
        slot.failedStarts = 0;
        slot.lastBeatAt = Date.now();
        // Load is measured from here: the work of starting up says nothing about the graphs to come.
        slot.prevElu = slot.worker?.performance.eventLoopUtilization();
        this.log.debug('engine worker ready', {
          worker: slot.index,
          thread_id: slot.threadId,
          startup_ms: Math.round(slot.startupMs),
        });
        return;
      case 'exiting':
        slot.cause ??= `engine worker ${slot.index} ended: process.exit(${m.code}) was called at ${m.where}`;
        return;
    }
  }

  /** The worker of `slot` is gone (or given up on): fail what it ran and start a replacement. */
  private lose(slot: WorkerSlot, reason: string): void {
    if (slot.lost) return;
    slot.lost = true;
    const wasReady = slot.ready;
    slot.ready = false;
    const worker = slot.worker;
    const error = new WorkerLostError(reason);
    for (const p of slot.pending.values()) p.reject(error);
    slot.pending.clear();
    for (const c of slot.channels) c.close(reason);
    slot.channels = [];
    if (!this.closing) this.log.warn(reason, { worker: slot.index, thread_id: slot.threadId });
    this.delegate?.onLost(slot, reason);
    slot.graphs = 0;
    if (worker) {
      worker.removeAllListeners('message');
      // A worker stuck in native code cannot be stopped; it must at least not keep the process alive.
      worker.unref();
      void worker.terminate().catch(() => undefined);
    }
    if (this.closing) return;
    slot.restarts++;
    if (!wasReady) slot.failedStarts++;
    const delay =
      slot.failedStarts === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (slot.failedStarts - 1));
    const respawn = () => {
      if (!this.closing && slot.lost) this.spawn(slot);
    };
    if (delay === 0) setImmediate(respawn);
    else setTimeout(respawn, delay).unref();
  }

  private tick(): void {
    const now = Date.now();
    const watchdogMs = this.options.watchdogMs ?? 0;
    const sample = now - this.lastSample >= SAMPLE_MS;
    if (sample) this.lastSample = now;
    for (const slot of this.slots) {
      const worker = slot.worker;
      if (slot.lost || !worker || !slot.ready) continue;
      const stuck = watchdogVerdict(slot, now, watchdogMs);
      if (stuck) {
        this.lose(slot, stuck);
        continue;
      }
      if (sample) sampleLoad(slot, worker);
    }
  }
}

type ToWorkerRequest = Extract<ToWorker, { rid: number }>;
type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
