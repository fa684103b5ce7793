// Oneshot processing: `POST /api/v1/process`.
import { Module } from '@nestjs/common';
import { OneshotController } from './oneshot.controller';
import { OneshotService } from './oneshot.service';

@Module({ controllers: [OneshotController], providers: [OneshotService], exports: [OneshotService] })
export class OneshotModule {}
