// Response shapes of `/api/v1/sessions`, the one definition the service returns and the OpenAPI document
// declares. The live pipeline is the engine's `PipelineView`; its DTOs are checked to keep that exact shape.
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  getSchemaPath,
  type SchemaObject,
} from '@nestjs/swagger';
import type {
  ConnectionMode,
  ConnectionSpec,
  NodeState,
  NodeStats,
  NodeView,
  PipelineView,
  SessionState,
} from '@streamkit/pipeline';
import { sameShape } from '../common/api-responses';

/** A session as listed (`GET /api/v1/sessions`) and as the live events carry it. */
export class SessionInfo {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

/** An unknown param that was ignored: the node, the param (dotted path) and a sentence naming both. */
export class ParamWarning {
  @ApiProperty({ type: String, nullable: true })
  node_id!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Dotted path of the param' })
  param!: string | null;

  @ApiProperty()
  message!: string;
}

/** The answer to a create: StreamKit names the id `session_id` here (and `id` in listings). */
export class CreatedSession {
  @ApiProperty()
  session_id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  /** Ours, only when there are some: params the kinds do not define, ignored (`[engine].strict_params` off). */
  @ApiPropertyOptional({
    type: [ParamWarning],
    description:
      'Unknown params that were ignored (absent when none; refused under `[engine].strict_params`)',
  })
  warnings?: ParamWarning[];
}

/** The answer to a destroy. */
export class DestroyedSession {
  @ApiProperty()
  session_id!: string;
}

const REASON: SchemaObject = {
  type: 'object',
  required: ['reason'],
  properties: { reason: { type: 'string' } },
};
const REASON_DETAILS: SchemaObject = {
  type: 'object',
  required: ['reason', 'details'],
  properties: { reason: { type: 'string' }, details: {} },
};
const tagged = (tag: string, value: SchemaObject): SchemaObject => ({
  type: 'object',
  required: [tag],
  properties: { [tag]: value },
});

/** A node's state: a name, or an externally tagged variant with its reason. */
const NODE_STATE_SCHEMA: SchemaObject = {
  oneOf: [
    { type: 'string', enum: ['Initializing', 'Ready', 'Running'] },
    tagged('Recovering', REASON_DETAILS),
    tagged('Degraded', REASON_DETAILS),
    tagged('Failed', REASON),
    tagged('Stopped', REASON),
  ],
};

@ApiSchema({ name: 'NodeStats' })
export class NodeStatsDto {
  @ApiProperty()
  received!: number;

  @ApiProperty()
  sent!: number;

  @ApiProperty()
  discarded!: number;

  @ApiProperty()
  errored!: number;

  @ApiProperty({ description: "Seconds since the node's stats started" })
  duration_secs!: number;

  @ApiProperty({ description: 'Total time spent processing packets, in seconds' })
  processing_secs!: number;
}
sameShape<NodeStatsDto, NodeStats>(true);

@ApiSchema({ name: 'NodeView' })
export class NodeViewDto {
  @ApiProperty()
  kind!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  params!: Record<string, unknown>;

  @ApiPropertyOptional({ oneOf: NODE_STATE_SCHEMA.oneOf })
  state?: NodeState;

  @ApiPropertyOptional({ type: NodeStatsDto })
  stats?: NodeStats;
}
sameShape<NodeViewDto, NodeView>(true);

@ApiSchema({ name: 'ConnectionSpec' })
export class ConnectionSpecDto {
  @ApiProperty()
  from_node!: string;

  @ApiProperty()
  from_pin!: string;

  @ApiProperty()
  to_node!: string;

  @ApiProperty()
  to_pin!: string;

  @ApiPropertyOptional({ enum: ['reliable', 'best_effort'], description: 'Absent means `reliable`' })
  mode?: ConnectionMode;
}
sameShape<ConnectionSpecDto, ConnectionSpec>(true);

/** StreamKit's pipeline JSON plus live state and stats per node (`GET /api/v1/sessions/{id}/pipeline`). */
@ApiExtraModels(NodeViewDto)
@ApiSchema({ name: 'PipelineView' })
export class PipelineViewDto {
  @ApiPropertyOptional()
  name?: string;

  @ApiPropertyOptional()
  description?: string;

  @ApiProperty({ enum: ['dynamic'] })
  mode!: 'dynamic';

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(NodeViewDto) },
    description: 'Node id -> node, in insertion order',
  })
  nodes!: Record<string, NodeView>;

  @ApiProperty({ type: [ConnectionSpecDto] })
  connections!: ConnectionSpec[];

  @ApiPropertyOptional({ description: 'The engine worker the session runs on (absent on the main thread)' })
  worker?: number;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string', enum: ['Running'] }, tagged('Failed', REASON)],
    description: "The session's state when it runs on a worker",
  })
  state?: SessionState;
}
sameShape<PipelineViewDto, PipelineView>(true);
