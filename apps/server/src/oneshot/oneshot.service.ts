// Runs oneshot pipelines for `POST /api/v1/process`: allow-lists, the `max_concurrent_oneshots` limit
// (answered with 429, never queued), and the mapping of engine errors to HTTP statuses.
import {
  BadRequestException,
  HttpException,
  Inject,
  Injectable,
  InternalServerErrorException,
  ServiceUnavailableException,
  UnprocessableEntityException,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import {
  HTTP_INPUT_KIND,
  HTTP_OUTPUT_KIND,
  Listeners,
  OneshotError,
  parsePipelineYamlOffThread,
  type NodeStats,
  type OneshotRun,
  type SessionHost,
} from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { CONFIG, type Config } from '../config';
import { TooManyRequestsException } from '../common/errors';
import { LOGGER } from '../common/logging';
import { SESSION_HOST } from '../engine/engine.module';
import { engineLimits } from '../engine/engine-limits';
import type { Caller } from '../permissions';

/** The uploaded media of a oneshot request, as the controller hands it over. */
export interface MediaPart {
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  contentType?: string;
  /** Set when the upload went over `max_body_size`. */
  tooLarge(): boolean;
}

/** One finished oneshot pipeline, for metrics and traces (see `OneshotService.onFinished`). */
export interface OneshotFinished {
  /** `error` covers pipelines that failed to start as well as failures while running. */
  status: 'success' | 'error' | 'cancelled';
  /** Wall-clock epoch milliseconds when the run was asked for. */
  startedAt: number;
  durationSecs: number;
  /** Final per-node counters with each node's kind (empty when the pipeline failed to start). */
  nodes: { id: string; kind: string; stats: NodeStats }[];
}

@Injectable()
export class OneshotService implements BeforeApplicationShutdown {
  private active = 0;
  private runs = 0;
  private draining = false;
  /** Runs whose nodes are still going, to cancel what a bounded drain leaves. */
  private readonly live = new Set<OneshotRun>();
  private readonly finishedListeners: Listeners<[OneshotFinished]>;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SESSION_HOST) private readonly host: SessionHost,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.finishedListeners = new Listeners('oneshot finished', (err) =>
      log.error({ err }, 'oneshot finished listener threw'),
    );
  }

  get maxBodySize(): number {
    return this.config.server.max_body_size;
  }

  /** Requests holding a slot (from the request's start until its response closed). */
  get requests(): number {
    return this.active;
  }

  /** Pipelines whose nodes have not all finished yet. */
  get running(): number {
    return this.runs;
  }

  /** Takes a slot for the whole request; 429 when `max_concurrent_oneshots` are already running. */
  acquire(): () => void {
    if (this.draining) throw new ServiceUnavailableException('The server is shutting down');
    const max = this.config.permissions.max_concurrent_oneshots;
    if (typeof max === 'number' && this.active >= max) {
      throw new TooManyRequestsException('Maximum concurrent oneshot pipelines limit reached');
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
    };
  }

  /**
   * Shutdown (SIGTERM/SIGINT, `app.close()`): new runs get 503; running ones may finish for
   * `[engine].shutdown_drain_ms`, then the rest are cancelled (their responses abort).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.draining = true;
    const end = Date.now() + this.config.engine.shutdown_drain_ms;
    while ((this.active > 0 || this.runs > 0) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.live.size > 0) {
      this.log.warn(`Cancelling ${this.live.size} oneshot pipeline(s) still running at shutdown`);
      for (const run of this.live) run.cancel();
    }
  }

  /** Called once per pipeline that reached the engine, when it settles. Returns the unsubscribe function. */
  onFinished(listener: (run: OneshotFinished) => void): () => void {
    return this.finishedListeners.add(listener);
  }

  private emitFinished(run: OneshotFinished): void {
    this.finishedListeners.emit(run);
  }

  async run(
    caller: Caller,
    yaml: string,
    media: MediaPart | undefined,
    signal: AbortSignal,
  ): Promise<OneshotRun> {
    const limits = engineLimits(this.config);
    const parsed = await parsePipelineYamlOffThread(yaml, { limits });
    if (!parsed.spec) {
      throw new BadRequestException(`Invalid pipeline: ${parsed.problems.map((p) => p.message).join('; ')}`);
    }
    const spec = { ...parsed.spec, mode: 'oneshot' as const };
    for (const [id, node] of Object.entries(spec.nodes)) {
      if (node.kind === HTTP_INPUT_KIND || node.kind === HTTP_OUTPUT_KIND) continue;
      caller.requireNode(id, node.kind, 'oneshot');
    }
    const engine = this.config.engine.oneshot;
    const startedAt = Date.now();
    const started = performance.now();
    const finish = (status: OneshotFinished['status'], stats: Record<string, NodeStats>) =>
      this.emitFinished({
        status,
        startedAt,
        durationSecs: (performance.now() - started) / 1000,
        nodes: Object.entries(stats).map(([id, s]) => ({
          id,
          kind: spec.nodes[id]?.kind ?? 'unknown',
          stats: s,
        })),
      });
    try {
      // The run executes where the host places it (a worker thread by default); the upload streams in.
      const run = await this.host.runOneshot(spec, {
        input: media?.chunks,
        inputContentType: media?.contentType,
        signal,
        batchSize: engine.packet_batch_size,
        channelCapacity: engine.media_channel_capacity ?? undefined,
        outputCapacity: engine.io_channel_capacity ?? undefined,
        limits,
      });
      this.runs++;
      this.live.add(run);
      run.done.then(
        () => {
          this.runs--;
          this.live.delete(run);
          finish('success', run.stats());
        },
        () => {
          this.runs--;
          this.live.delete(run);
          finish(signal.aborted ? 'cancelled' : 'error', run.stats());
        },
      );
      return run;
    } catch (err) {
      finish('error', {});
      if (media?.tooLarge()) {
        throw new HttpException(`Request body exceeds max_body_size (${this.maxBodySize} bytes)`, 413);
      }
      if (err instanceof OneshotError) {
        if (err.code === 'invalid') throw new BadRequestException(`Invalid pipeline: ${err.message}`);
        if (err.code === 'bad_media')
          throw new UnprocessableEntityException(`Bad input media: ${err.message}`);
        throw new InternalServerErrorException(`Pipeline execution error: ${err.message}`);
      }
      throw err;
    }
  }
}
