// Sample pipelines stored under `[server].samples_dir`; temporary files of interrupted saves are swept at start.
import { Inject, Module, OnModuleInit } from '@nestjs/common';
import {
  compilePipeline,
  parsePipelineYamlOffThread,
  type EngineLimits,
  type NodeRegistry,
} from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { CONFIG, type Config } from '../config';
import { LOGGER } from '../common/logging';
import { NODE_REGISTRY } from '../engine/engine.module';
import { engineLimits } from '../engine/engine-limits';
import { SamplesController } from './samples.controller';
import { SamplesRepository } from './samples.repository';
import { SamplesService } from './samples.service';

/**
 * Problems of a pipeline YAML, as a save reports them: bounded parse (off the main thread, as for sessions),
 * then compilation against the registry within the graph limits.
 */
export async function pipelineProblems(
  registry: NodeRegistry,
  limits: EngineLimits,
  yaml: string,
): Promise<string[]> {
  const parsed = await parsePipelineYamlOffThread(yaml, { limits });
  if (!parsed.spec) return parsed.problems.map((p) => p.message);
  return compilePipeline(parsed.spec, registry, { limits }).problems.map((p) => p.message);
}

@Module({
  controllers: [SamplesController],
  providers: [
    {
      provide: SamplesService,
      inject: [CONFIG, NODE_REGISTRY, LOGGER],
      useFactory: (config: Config, registry: NodeRegistry, log: Logger) => {
        const limits = engineLimits(config);
        return new SamplesService(new SamplesRepository(resolve(config.server.samples_dir)), {
          yamlLimits: limits,
          validatePipeline: (yaml) => pipelineProblems(registry, limits, yaml),
          report: (message) => log.warn(message),
        });
      },
    },
  ],
  exports: [SamplesService],
})
export class SamplesModule implements OnModuleInit {
  constructor(@Inject(SamplesService) private readonly samples: SamplesService) {}

  async onModuleInit(): Promise<void> {
    await this.samples.sweep();
  }
}
