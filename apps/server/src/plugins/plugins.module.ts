// Plugins: loading at start, the HTTP management API, and the catalog behind the GraphQL `plugins` query.
import { Global, Module } from '@nestjs/common';
import { PLUGIN_CATALOG, type PluginCatalog } from './plugin-catalog';
import { PluginsController } from './plugins.controller';
import { PluginsService } from './plugins.service';

@Global()
@Module({
  controllers: [PluginsController],
  providers: [
    PluginsService,
    {
      provide: PLUGIN_CATALOG,
      inject: [PluginsService],
      useFactory: (p: PluginsService): PluginCatalog => p,
    },
  ],
  exports: [PluginsService, PLUGIN_CATALOG],
})
export class PluginsModule {}
