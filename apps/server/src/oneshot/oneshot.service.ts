// Runs oneshot pipelines for `POST /api/v1/process`: allow-lists, the `max_concurrent_oneshots` limit
// (answered with 429, never queued), and the mapping of engine errors to HTTP statuses.
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  InternalServerErrorException,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  HTTP_INPUT_KIND,
  HTTP_OUTPUT_KIND,
  OneshotError,
  runOneshot,
  parsePipelineYamlOffThread,
  type NodeRegistry,
  type NodeServices,
  type NodeStats,
  type OneshotRun,
} from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { CONFIG, type Config } from '../config';
import { TooManyRequestsException } from '../common/errors';
import { LOGGER } from '../common/logging';
import { NODE_SERVICES } from '../common/node-services';
import { NODE_REGISTRY } from '../engine/engine.module';
import { engineLimits } from '../engine/engine-limits';
import { engineLogger } from '../engine/engine-logger';
import type { Caller } from '../permissions';
import type { MediaPart } from './oneshot.controller';

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
export class OneshotService {
  private active = 0;
  private runs = 0;
  private readonly finishedListeners = new Set<(run: OneshotFinished) => void>();

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(NODE_REGISTRY) private readonly registry: NodeRegistry,
    @Inject(NODE_SERVICES) private readonly services: NodeServices,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

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

  /** Called once per pipeline that reached the engine, when it settles. Returns the unsubscribe function. */
  onFinished(listener: (run: OneshotFinished) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  private emitFinished(run: OneshotFinished): void {
    for (const l of this.finishedListeners) {
      try {
        l(run);
      } catch (err) {
        this.log.error({ err }, 'oneshot finished listener threw');
      }
    }
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
      if (node.kind.startsWith('plugin::') && !caller.canUsePlugin(node.kind)) {
        throw new ForbiddenException(`Permission denied: plugin '${node.kind}' not allowed (node '${id}')`);
      }
      if (!caller.canUseNode(node.kind)) {
        throw new ForbiddenException(
          `Permission denied: node type '${node.kind}' not allowed (node '${id}')`,
        );
      }
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
      const run = await runOneshot(spec, {
        registry: this.registry,
        input: media?.chunks,
        inputContentType: media?.contentType,
        services: this.services,
        log: engineLogger(this.log, { oneshot: true }),
        signal,
        batchSize: engine.packet_batch_size,
        channelCapacity: engine.media_channel_capacity ?? undefined,
        outputCapacity: engine.io_channel_capacity ?? undefined,
        limits,
      });
      this.runs++;
      run.done.then(
        () => {
          this.runs--;
          finish('success', run.stats());
        },
        () => {
          this.runs--;
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
