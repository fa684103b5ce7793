// GraphQL object, interface and enum types (code-first). Resolvers return plain objects of these shapes,
// built by `mappers.ts` from the services' and the engine's JSON values.
import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONValue } from './json.scalar';

export enum ConnectionModeEnum {
  RELIABLE = 'reliable',
  BEST_EFFORT = 'best_effort',
}
registerEnumType(ConnectionModeEnum, {
  name: 'ConnectionMode',
  description: 'reliable: backpressure; best_effort: drop when the receiver is full',
});

export enum SessionEventType {
  NODE_ADDED = 'node_added',
  NODE_REMOVED = 'node_removed',
  CONNECTION_ADDED = 'connection_added',
  CONNECTION_REMOVED = 'connection_removed',
  NODE_PARAMS_CHANGED = 'node_params_changed',
  NODE_STATE_CHANGED = 'node_state',
  NODE_STATS_UPDATED = 'node_stats',
  NODE_TELEMETRY = 'node_telemetry',
  SESSION_DESTROYED = 'session_destroyed',
}
registerEnumType(SessionEventType, { name: 'SessionEventType' });

export enum SessionsChangeType {
  CREATED = 'created',
  DESTROYED = 'destroyed',
}
registerEnumType(SessionsChangeType, { name: 'SessionsChangeType' });

export enum SampleMode {
  ONESHOT = 'oneshot',
  DYNAMIC = 'dynamic',
}
registerEnumType(SampleMode, { name: 'SampleMode' });

@ObjectType('ClientConfig', {
  description: "The server's client-facing configuration (as GET /api/v1/config)",
})
export class ClientConfigType {
  @Field()
  version!: string;
  @Field(() => String, { nullable: true })
  basePath?: string;
  @Field(() => String, { nullable: true })
  moqGatewayUrl?: string;
  @Field()
  profiling!: boolean;
}

@ObjectType({ description: 'The capability flags of a role' })
export class PermissionFlags {
  @Field() createSessions!: boolean;
  @Field() destroySessions!: boolean;
  @Field() listSessions!: boolean;
  @Field() modifySessions!: boolean;
  @Field() tuneNodes!: boolean;
  @Field() loadPlugins!: boolean;
  @Field() deletePlugins!: boolean;
  @Field() listNodes!: boolean;
  @Field() listSamples!: boolean;
  @Field() readSamples!: boolean;
  @Field() writeSamples!: boolean;
  @Field() deleteSamples!: boolean;
  @Field() accessAllSessions!: boolean;
  @Field() uploadAssets!: boolean;
  @Field() deleteAssets!: boolean;
}

@ObjectType('Permissions', { description: "The caller's role and what it may do" })
export class PermissionsType {
  @Field()
  role!: string;
  @Field(() => PermissionFlags)
  permissions!: PermissionFlags;
}

@ObjectType()
export class InputPin {
  @Field()
  name!: string;
  @Field(() => [JSONValue], { description: 'Accepted pin types, serialized as in /schema/nodes' })
  acceptsTypes!: unknown[];
  @Field(() => JSONValue)
  cardinality!: unknown;
}

@ObjectType()
export class OutputPin {
  @Field()
  name!: string;
  @Field(() => JSONValue)
  producesType!: unknown;
  @Field(() => JSONValue)
  cardinality!: unknown;
}

@ObjectType({ description: 'A node kind the caller may use (as GET /api/v1/schema/nodes)' })
export class NodeKind {
  @Field()
  kind!: string;
  @Field(() => String, { nullable: true })
  description?: string;
  @Field(() => JSONValue, { description: 'JSON Schema of the params' })
  paramSchema!: unknown;
  @Field(() => [InputPin])
  inputs!: InputPin[];
  @Field(() => [OutputPin])
  outputs!: OutputPin[];
  @Field(() => [String])
  categories!: string[];
  @Field()
  bidirectional!: boolean;
  @Field()
  oneshotOnly!: boolean;
}

@ObjectType({ description: 'A packet type (as GET /api/v1/schema/packets)' })
export class PacketType {
  @Field()
  id!: string;
  @Field()
  label!: string;
  @Field()
  color!: string;
  @Field(() => String, { nullable: true })
  displayTemplate?: string;
  @Field(() => JSONValue)
  compatibility!: unknown;
}

@ObjectType('SessionInfo')
export class SessionInfoType {
  @Field(() => ID)
  id!: string;
  @Field()
  name!: string;
  @Field({ description: 'RFC 3339' })
  createdAt!: string;
}

@ObjectType('NodeState', {
  description: 'A node state, flattened: `status` is the variant, `reason`/`details` its data',
})
export class NodeStateView {
  @Field({ description: 'Initializing, Ready, Running, Recovering, Degraded, Failed or Stopped' })
  status!: string;
  @Field(() => String, { nullable: true })
  reason?: string;
  @Field(() => JSONValue, { nullable: true })
  details?: unknown;
  @Field(() => JSONValue, { description: "StreamKit's serialization of the state" })
  value!: unknown;
}

@ObjectType('NodeStats')
export class NodeStatsView {
  @Field(() => Float)
  received!: number;
  @Field(() => Float)
  sent!: number;
  @Field(() => Float)
  discarded!: number;
  @Field(() => Float)
  errored!: number;
  @Field(() => Float)
  durationSecs!: number;
  @Field(() => Float)
  processingSecs!: number;
}

@ObjectType('Connection')
export class ConnectionType {
  @Field()
  fromNode!: string;
  @Field()
  fromPin!: string;
  @Field()
  toNode!: string;
  @Field()
  toPin!: string;
  @Field(() => ConnectionModeEnum)
  mode!: ConnectionModeEnum;
}

@ObjectType()
export class PipelineNode {
  @Field(() => ID)
  id!: string;
  @Field()
  kind!: string;
  @Field(() => JSONValue)
  params!: unknown;
  @Field(() => NodeStateView, { nullable: true })
  state?: NodeStateView;
  @Field(() => NodeStatsView, { nullable: true })
  stats?: NodeStatsView;
}

@ObjectType('Pipeline')
export class PipelineType {
  @Field(() => String, { nullable: true })
  name?: string;
  @Field(() => String, { nullable: true })
  description?: string;
  @Field()
  mode!: string;
  @Field(() => [PipelineNode], { description: 'In insertion order' })
  nodes!: PipelineNode[];
  @Field(() => [ConnectionType])
  connections!: ConnectionType[];
  @Field(() => Int, {
    nullable: true,
    description: 'The engine worker thread the session runs on (null when sessions run on the main thread)',
  })
  worker?: number;
  @Field(() => NodeStateView, {
    nullable: true,
    description: 'Running, or Failed with the reason when its worker died (null on the main thread)',
  })
  state?: NodeStateView;
}

@ObjectType('Session', { description: 'A session with its live pipeline, node states and stats' })
export class SessionType extends SessionInfoType {
  @Field(() => PipelineType)
  pipeline!: PipelineType;
}

@ObjectType()
export class DestroyedSession {
  @Field(() => ID)
  sessionId!: string;
}

@ObjectType()
export class AddedNode {
  @Field()
  nodeId!: string;
  @Field()
  kind!: string;
  @Field(() => JSONValue, { description: 'The params after defaults were applied' })
  params!: unknown;
}

@ObjectType()
export class RemovedNode {
  @Field()
  nodeId!: string;
}

@ObjectType('TuneResult')
export class TuneResultType {
  @Field()
  nodeId!: string;
  @Field(() => JSONValue, { description: 'All params after the update' })
  params!: unknown;
  @Field(() => JSONValue, { description: 'The keys that changed' })
  changed!: unknown;
}

@ObjectType('Problem', { description: 'One problem, located by node, pin or param path where known' })
export class ProblemType {
  @Field()
  message!: string;
  @Field(() => String, { nullable: true })
  nodeId?: string;
  @Field(() => String, { nullable: true })
  pin?: string;
  @Field(() => String, { nullable: true })
  path?: string;
}

@ObjectType()
export class BatchValidation {
  @Field()
  valid!: boolean;
  @Field(() => [ProblemType])
  problems!: ProblemType[];
  @Field(() => [ProblemType], {
    description: 'Unknown params that would be ignored ([engine].strict_params off)',
  })
  warnings!: ProblemType[];
}

@ObjectType()
export class BatchApplied {
  @Field(() => Int)
  applied!: number;
  @Field(() => [ProblemType], {
    description: 'Unknown params that were ignored ([engine].strict_params off)',
  })
  warnings!: ProblemType[];
}

@ObjectType('SamplePipeline')
export class SamplePipelineType {
  @Field(() => ID)
  id!: string;
  @Field()
  name!: string;
  @Field()
  description!: string;
  @Field()
  yaml!: string;
  @Field()
  isSystem!: boolean;
  @Field(() => SampleMode)
  mode!: SampleMode;
  @Field()
  isFragment!: boolean;
}

@ObjectType('AudioAsset')
export class AudioAssetType {
  @Field(() => ID)
  id!: string;
  @Field()
  name!: string;
  @Field()
  path!: string;
  @Field()
  format!: string;
  @Field(() => Float)
  sizeBytes!: number;
  @Field(() => String, { nullable: true })
  license?: string;
  @Field()
  isSystem!: boolean;
}

@ObjectType('Plugin', { description: 'A loaded plugin (as GET /api/v1/plugins)' })
export class PluginType {
  @Field()
  kind!: string;
  @Field()
  originalKind!: string;
  @Field()
  fileName!: string;
  @Field(() => [String])
  categories!: string[];
  @Field(() => Float)
  loadedAtMs!: number;
  @Field({ description: 'native or wasm' })
  pluginType!: string;
}
