// Queries about the server itself: config, the caller's permissions, node kinds, packet types, plugins.
// The GraphQL side of /api/v1/config, /permissions, /schema and /plugins; registered by the GraphQL module.
import { Inject, Optional, UseFilters } from '@nestjs/common';
import { Context, Query, Resolver } from '@nestjs/graphql';
import { packetTypesSchema, type NodeRegistry } from '@streamkit/pipeline';
import { CONFIG, type Config } from '../config';
import { clientConfig } from '../config/client-config';
import { NODE_REGISTRY } from '../engine/engine.module';
import { GqlCallers, GraphqlErrorFilter, type GqlContext } from '../graphql/gql-context';
import { nodeKind, packetType, permissionFlags } from '../graphql/mappers';
import { EMPTY_PLUGIN_CATALOG, PLUGIN_CATALOG, type PluginCatalog } from '../plugins/plugin-catalog';
import { ClientConfigType, NodeKind, PacketType, PermissionsType, PluginType } from '../graphql/types';

@Resolver()
@UseFilters(GraphqlErrorFilter)
export class SystemResolver {
  private readonly catalog: PluginCatalog;

  constructor(
    @Inject(CONFIG) private readonly serverConfig: Config,
    @Inject(NODE_REGISTRY) private readonly registry: NodeRegistry,
    private readonly callers: GqlCallers,
    @Optional() @Inject(PLUGIN_CATALOG) plugins?: PluginCatalog,
  ) {
    this.catalog = plugins ?? EMPTY_PLUGIN_CATALOG;
  }

  @Query(() => ClientConfigType)
  config(@Context() ctx: GqlContext): ClientConfigType {
    // The same definition as GET /api/v1/config.
    const c = clientConfig(this.serverConfig, (ctx.req ?? ctx.request)?.headers.host);
    return {
      version: c.version,
      basePath: c.base_path,
      moqGatewayUrl: c.moq_gateway_url,
      profiling: c.profiling,
    };
  }

  @Query(() => PermissionsType)
  permissions(@Context() ctx: GqlContext): PermissionsType {
    const caller = this.callers.callerOf(ctx);
    return { role: caller.role, permissions: permissionFlags(caller.permissions) };
  }

  @Query(() => [NodeKind], { description: 'Node kinds the caller may use' })
  nodeKinds(@Context() ctx: GqlContext): NodeKind[] {
    const caller = this.callers.callerOf(ctx);
    return this.registry.schemaNodes((kind) => caller.canUseNode(kind)).map(nodeKind);
  }

  @Query(() => [PacketType])
  packetTypes(): PacketType[] {
    return packetTypesSchema().map(packetType);
  }

  @Query(() => [PluginType], { description: 'Loaded plugins the caller may see' })
  async plugins(@Context() ctx: GqlContext): Promise<PluginType[]> {
    const list = await this.catalog.list(this.callers.callerOf(ctx));
    return list.map((p) => ({
      kind: p.kind,
      originalKind: p.original_kind,
      fileName: p.file_name,
      categories: p.categories,
      loadedAtMs: p.loaded_at_ms,
      pluginType: p.plugin_type,
    }));
  }
}
