// The root module, built from the loaded config. To add a domain module, import it and append it to
// FEATURE_MODULES; inject `CONFIG`, `LOGGER`, `NODE_SERVICES`, `PermissionsService` anywhere (global).
import { DynamicModule, Module, type Type } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { ControlModule } from './control/control.module';
import { CoreModule, type CoreValues } from './common/core.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PermissionsModule } from './permissions/permissions.module';
import { ProfilingModule } from './profiling/profiling.module';
import { AssetsModule } from './assets/assets.module';
import { EngineModule } from './engine/engine.module';
import { GraphqlModule } from './graphql/graphql.module';
import { MoqModule } from './moq/moq.module';
import { OneshotModule } from './oneshot/oneshot.module';
import { PluginsModule } from './plugins/plugins.module';
import { SamplesModule } from './samples/samples.module';
import { SchemaModule } from './schema/schema.module';
import { SessionsModule } from './sessions/sessions.module';

/** Domain modules, one per folder. Later modules (sessions, oneshot, samples, ...) go at the end. */
export const FEATURE_MODULES: Type[] = [
  HealthModule,
  ConfigModule,
  PermissionsModule,
  EngineModule,
  SchemaModule,
  SessionsModule,
  OneshotModule,
  SamplesModule,
  AssetsModule,
  PluginsModule,
  MoqModule,
  GraphqlModule,
  ControlModule,
  MetricsModule,
  ProfilingModule,
];

@Module({})
export class AppModule {
  static forRoot(core: CoreValues, extraModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(core), ...FEATURE_MODULES, ...extraModules],
    };
  }
}
