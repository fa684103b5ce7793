// The engine as the server sees it: one node registry (built-ins, MoQ nodes, plugins loaded later) and the
// SessionHost where sessions and oneshot runs execute, configured from `[engine]`: a pool of worker threads
// (default: one per available core) or, with `workers = 0`, the main thread itself.
import {
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  InProcessSessionHost,
  WorkerSessionHost,
  createDefaultRegistry,
  type AnyNodeDefinition,
  type NodeRegistry,
  type NodeServices,
  type SessionHost,
} from '@streamkit/pipeline';
import { MoqServer } from '@streamkit/moq';
import { MOQ_SERVICE_KEY } from '@streamkit/moq/nodes';
import { attachWorkerRelay } from '@streamkit/moq/relay/port-bridge';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CONFIG, RUNTIME_ENV, type Config, type RuntimeEnv } from '../config';
import { LOGGER } from '../common/logging';
import { NODE_MODULES, NODE_SERVICES } from '../common/node-services';
import { engineLimits } from './engine-limits';
import { engineLogger } from './engine-logger';
import { MOQ_RELAY_CHANNEL, type ServerWorkerData } from './worker-setup';

export const NODE_REGISTRY = Symbol('NODE_REGISTRY');
export const SESSION_HOST = Symbol('SESSION_HOST');

/** `[engine].workers`, with its default: the machine's available parallelism. */
export function workerCount(config: Config): number {
  return config.engine.workers ?? availableParallelism();
}

function loadNodeModules(paths: string[]): AnyNodeDefinition[] {
  return paths.flatMap((path) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- module paths given by the embedder
    const mod = require(path) as { nodeDefinitions?: AnyNodeDefinition[] };
    if (!Array.isArray(mod.nodeDefinitions)) throw new Error(`${path} does not export nodeDefinitions`);
    return mod.nodeDefinitions;
  });
}

@Global()
@Module({
  providers: [
    {
      provide: NODE_REGISTRY,
      inject: [NODE_MODULES, CONFIG],
      useFactory: (modules: string[], config: Config): NodeRegistry => {
        const registry = createDefaultRegistry();
        registry.strictParams = config.engine.strict_params;
        for (const def of loadNodeModules(modules)) registry.register(def);
        return registry;
      },
    },
    {
      provide: SESSION_HOST,
      inject: [CONFIG, RUNTIME_ENV, NODE_REGISTRY, NODE_SERVICES, NODE_MODULES, LOGGER],
      useFactory: (
        config: Config,
        env: RuntimeEnv,
        registry: NodeRegistry,
        services: NodeServices,
        modules: string[],
        log: Logger,
      ): SessionHost => {
        const session = {
          channelCapacity: config.engine.node_input_capacity ?? undefined,
          batchSize: config.engine.packet_batch_size,
          limits: engineLimits(config),
        };
        const workers = workerCount(config);
        if (workers === 0) {
          return new InProcessSessionHost({ registry, services, log: engineLogger(log), ...session });
        }
        const data: ServerWorkerData = { config, env: { ...env }, baseDir: process.cwd() };
        return new WorkerSessionHost({
          size: workers,
          setupModule: join(__dirname, 'worker-setup.js'),
          setupData: data,
          kinds: modules.map((path) => ({ type: 'module', path })),
          session,
          maxHeapMb: config.engine.worker_max_heap_mb,
          watchdogMs: config.engine.worker_watchdog_ms,
          nice: config.engine.worker_nice,
          log: engineLogger(log),
        });
      },
    },
  ],
  exports: [NODE_REGISTRY, SESSION_HOST],
})
export class EngineModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(SESSION_HOST) private readonly host: SessionHost,
    @Inject(NODE_SERVICES) private readonly services: NodeServices,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Every module is built (the MoQ relay exists, plugins are loaded): start the workers. */
  onApplicationBootstrap(): void {
    if (!(this.host instanceof WorkerSessionHost)) return;
    const moq = this.services[MOQ_SERVICE_KEY];
    if (moq instanceof MoqServer) {
      const log = engineLogger(this.log, { component: 'moq' });
      this.host.addChannel(MOQ_RELAY_CHANNEL, () => attachWorkerRelay(moq, log));
    }
    this.host.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host.close();
  }
}
