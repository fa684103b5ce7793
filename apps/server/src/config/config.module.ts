// The client-facing config route. The `CONFIG` value itself is provided globally by CoreModule.
import { Module } from '@nestjs/common';
import { ConfigController } from './config.controller';

@Module({ controllers: [ConfigController] })
export class ConfigModule {}
