// The engine as the server sees it: one node registry (built-ins, MoQ nodes, plugins loaded later) and the
// SessionHost where dynamic sessions run, configured from `[engine]`.
import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import {
  InProcessSessionHost,
  createDefaultRegistry,
  type NodeRegistry,
  type NodeServices,
  type SessionHost,
} from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { CONFIG, type Config } from '../config';
import { LOGGER } from '../common/logging';
import { NODE_SERVICES } from '../common/node-services';
import { engineLimits } from './engine-limits';
import { engineLogger } from './engine-logger';

export const NODE_REGISTRY = Symbol('NODE_REGISTRY');
export const SESSION_HOST = Symbol('SESSION_HOST');

@Global()
@Module({
  providers: [
    { provide: NODE_REGISTRY, useFactory: (): NodeRegistry => createDefaultRegistry() },
    {
      provide: SESSION_HOST,
      inject: [CONFIG, NODE_REGISTRY, NODE_SERVICES, LOGGER],
      useFactory: (
        config: Config,
        registry: NodeRegistry,
        services: NodeServices,
        log: Logger,
      ): SessionHost =>
        new InProcessSessionHost({
          registry,
          services,
          log: engineLogger(log),
          channelCapacity: config.engine.node_input_capacity ?? undefined,
          batchSize: config.engine.packet_batch_size,
          limits: engineLimits(config),
        }),
    },
  ],
  exports: [NODE_REGISTRY, SESSION_HOST],
})
export class EngineModule implements OnApplicationShutdown {
  constructor(@Inject(SESSION_HOST) private readonly host: SessionHost) {}

  async onApplicationShutdown(): Promise<void> {
    await this.host.close();
  }
}
