// Audio assets under `samples/audio/{system,user}` (relative to the working directory, as in StreamKit).
import { Module } from '@nestjs/common';
import { resolve } from 'node:path';
import { AssetsController } from './assets.controller';
import { AssetsService } from './assets.service';

@Module({
  controllers: [AssetsController],
  providers: [{ provide: AssetsService, useFactory: () => new AssetsService(resolve('samples/audio')) }],
  exports: [AssetsService],
})
export class AssetsModule {}
