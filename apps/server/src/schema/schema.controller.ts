// `/api/v1/schema`: node kinds (filtered by the caller's allow-lists) and packet types, from the registry.
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Controller, Get, Inject } from '@nestjs/common';
import {
  packetTypesSchema,
  type NodeRegistry,
  type NodeSchemaEntry,
  type PacketTypeMeta,
} from '@streamkit/pipeline';
import { NODE_REGISTRY } from '../engine/engine.module';
import { Caller } from '../permissions';
import { NodeSchemaEntryDto, PacketTypeMetaDto } from './schema.dto';

@ApiTags('schema')
@Controller('api/v1/schema')
export class SchemaController {
  constructor(@Inject(NODE_REGISTRY) private readonly registry: NodeRegistry) {}

  @Get('nodes')
  @ApiOkResponse({ type: [NodeSchemaEntryDto], description: "The node kinds the caller's role may use" })
  nodes(@Caller() caller: Caller): NodeSchemaEntry[] {
    return this.registry.schemaNodes((kind) => caller.canUseNode(kind));
  }

  @Get('packets')
  @ApiOkResponse({ type: [PacketTypeMetaDto] })
  packets(): PacketTypeMeta[] {
    return packetTypesSchema();
  }
}
