// V8 profiles through `node:inspector`: CPU profiles on demand (one at a time, bounded duration) and a
// sampling heap profiler that runs from startup while profiling is enabled, so a heap dump shows what
// is live now rather than only what was allocated after the request arrived.
import { HttpException, Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Session } from 'node:inspector/promises';
import type { Logger } from 'pino';
import { TooManyRequestsException } from '../common/errors';
import { LOGGER } from '../common/logging';
import { CONFIG, type Config } from '../config';
import { renderFlamegraph } from './flamegraph';
import { cpuProfileToPprof, gzipPprof, heapProfileToPprof } from './pprof';

export const DISABLED_MESSAGE = 'Profiling is disabled. Set [profiling].enabled = true to enable.';
/** V8's default heap sampling interval: one sample per 32 KiB allocated on average. */
export const HEAP_SAMPLING_INTERVAL = 32 * 1024;

export type CpuFormat = 'flamegraph' | 'protobuf';

export interface CpuProfileRequest {
  durationSecs: number;
  frequency: number;
  format: CpuFormat;
  /** Stops the profile early (client gone); whatever was sampled so far is returned. */
  signal?: AbortSignal;
}

@Injectable()
export class ProfilingService implements OnModuleInit, OnModuleDestroy {
  private cpuBusy = false;
  private heap: Session | undefined;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.config.profiling.enabled;
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', { samplingInterval: HEAP_SAMPLING_INTERVAL });
    this.heap = session;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    const heap = this.heap;
    this.heap = undefined;
    if (!heap) return;
    try {
      await heap.post('HeapProfiler.stopSampling');
    } finally {
      heap.disconnect();
    }
  }

  private requireEnabled(): void {
    if (!this.enabled) throw new HttpException(DISABLED_MESSAGE, 501);
  }

  /** Samples the whole process for `durationSecs`; an SVG string or gzipped pprof bytes. */
  async cpu(req: CpuProfileRequest): Promise<string | Buffer> {
    this.requireEnabled();
    if (this.cpuBusy)
      throw new TooManyRequestsException('A CPU profile is already running; try again when it ends');
    this.cpuBusy = true;
    const intervalMicros = Math.max(1, Math.round(1e6 / req.frequency));
    const session = new Session();
    try {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: intervalMicros });
      await session.post('Profiler.start');
      this.log.info({ duration_secs: req.durationSecs, frequency: req.frequency }, 'CPU profile started');
      await this.sleep(req.durationSecs * 1000, req.signal);
      const { profile } = await session.post('Profiler.stop');
      return req.format === 'flamegraph'
        ? renderFlamegraph(profile, `CPU flamegraph (${req.frequency} Hz)`)
        : gzipPprof(cpuProfileToPprof(profile, intervalMicros));
    } finally {
      session.disconnect();
      this.cpuBusy = false;
    }
  }

  /** Live sampled allocations since startup as gzipped pprof (`inuse_objects`, `inuse_space`). */
  async heapProfile(): Promise<Buffer> {
    this.requireEnabled();
    if (!this.heap) throw new HttpException('Heap profiler is not running', 500);
    const { profile } = await this.heap.post('HeapProfiler.getSamplingProfile');
    return gzipPprof(heapProfileToPprof(profile, HEAP_SAMPLING_INTERVAL));
  }

  /** Waits `ms`, or less when the caller aborts or the server shuts down. */
  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const signals = [this.stopping.signal, ...(signal ? [signal] : [])];
    const any = AbortSignal.any(signals);
    if (any.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        any.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      any.addEventListener('abort', done, { once: true });
    });
  }
}
