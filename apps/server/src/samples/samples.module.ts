// Sample pipelines stored under `[server].samples_dir`.
import { Module } from '@nestjs/common';
import { resolve } from 'node:path';
import { CONFIG, type Config } from '../config';
import { engineLimits } from '../engine/engine-limits';
import { SamplesController } from './samples.controller';
import { SamplesRepository } from './samples.repository';
import { SamplesService } from './samples.service';

@Module({
  controllers: [SamplesController],
  providers: [
    {
      provide: SamplesService,
      inject: [CONFIG],
      useFactory: (config: Config) =>
        new SamplesService(new SamplesRepository(resolve(config.server.samples_dir)), engineLimits(config)),
    },
  ],
  exports: [SamplesService],
})
export class SamplesModule {}
