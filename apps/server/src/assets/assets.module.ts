// Audio assets under `samples/audio/{system,user}` (relative to the working directory, as in StreamKit);
// temporary files of interrupted uploads are swept at start.
import { Inject, Module, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import { LOGGER } from '../common/logging';
import { AssetsController } from './assets.controller';
import { AssetsService } from './assets.service';

@Module({
  controllers: [AssetsController],
  providers: [{ provide: AssetsService, useFactory: () => new AssetsService(resolve('samples/audio')) }],
  exports: [AssetsService],
})
export class AssetsModule implements OnModuleInit {
  constructor(
    @Inject(AssetsService) private readonly assets: AssetsService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const removed = await this.assets.sweep();
    if (removed > 0) this.log.warn(`Removed ${removed} temporary file(s) of interrupted asset uploads`);
  }
}
