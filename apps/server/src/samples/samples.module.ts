// Sample pipelines stored under `[server].samples_dir`; temporary files of interrupted saves are swept at start.
import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { compilePipeline, tryParsePipelineYaml, type NodeRegistry } from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { CONFIG, type Config } from '../config';
import { LOGGER } from '../common/logging';
import { NODE_REGISTRY } from '../engine/engine.module';
import { SamplesController } from './samples.controller';
import { SamplesRepository } from './samples.repository';
import { SamplesService } from './samples.service';

/** Problems of a pipeline YAML, as a save reports them: bounded parse, then compilation against the registry. */
export function pipelineProblems(registry: NodeRegistry, yaml: string): string[] {
  const parsed = tryParsePipelineYaml(yaml);
  if (!parsed.spec) return parsed.problems.map((p) => p.message);
  return compilePipeline(parsed.spec, registry).problems.map((p) => p.message);
}

@Module({
  controllers: [SamplesController],
  providers: [
    {
      provide: SamplesService,
      inject: [CONFIG, NODE_REGISTRY, LOGGER],
      useFactory: (config: Config, registry: NodeRegistry, log: Logger) =>
        new SamplesService(new SamplesRepository(resolve(config.server.samples_dir)), {
          validatePipeline: (yaml) => pipelineProblems(registry, yaml),
          report: (message) => log.warn(message),
        }),
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
