// Global providers every module may inject, built before Nest starts: CONFIG, RUNTIME_ENV, LOGGER,
// NODE_SERVICES, PermissionsService and OriginPolicy.
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { NodeServices } from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { CONFIG, RUNTIME_ENV, type Config, type RuntimeEnv } from '../config';
import { PermissionsService } from '../permissions/permissions.service';
import { LOGGER } from './logging';
import { NODE_MODULES, NODE_SERVICES } from './node-services';
import { OriginPolicy } from './origin-policy';

export interface CoreValues {
  config: Config;
  env: RuntimeEnv;
  logger: Logger;
  permissions: PermissionsService;
  origins: OriginPolicy;
  nodeServices: NodeServices;
  /** Extra node-definition modules loaded by the registry and every engine worker. */
  nodeModules?: string[];
}

@Global()
@Module({})
export class CoreModule {
  static forRoot(values: CoreValues): DynamicModule {
    const providers = [
      { provide: CONFIG, useValue: values.config },
      { provide: RUNTIME_ENV, useValue: values.env },
      { provide: LOGGER, useValue: values.logger },
      { provide: NODE_SERVICES, useValue: values.nodeServices },
      { provide: NODE_MODULES, useValue: values.nodeModules ?? [] },
      { provide: PermissionsService, useValue: values.permissions },
      { provide: OriginPolicy, useValue: values.origins },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
