// Generated from apps/server/schema.graphql by `npm run gen:api`. Do not edit: change the server, then regenerate.
export interface AddedNode {
  kind: string;
  nodeId: string;
  /** The params after defaults were applied */
  params: unknown;
}

export interface AudioAsset {
  format: string;
  id: string;
  isSystem: boolean;
  license: string | null;
  name: string;
  path: string;
  sizeBytes: number;
}

export type BatchAction = 'ADD_NODE' | 'CONNECT' | 'DISCONNECT' | 'REMOVE_NODE' | 'TUNE_NODE';

export interface BatchApplied {
  applied: number;
  /** Unknown params that were ignored ([engine].strict_params off) */
  warnings: Problem[];
}

/** One batch step; which fields are required depends on `action` */
export interface BatchOperationInput {
  action: BatchAction;
  /** connect, disconnect */
  connection?: ConnectionInput | null;
  /** add_node */
  kind?: string | null;
  /** add_node, remove_node, tune_node */
  nodeId?: string | null;
  /** add_node (all params), tune_node (a partial update) */
  params?: unknown | null;
}

export interface BatchValidation {
  problems: Problem[];
  valid: boolean;
  /** Unknown params that would be ignored ([engine].strict_params off) */
  warnings: Problem[];
}

/** The server's client-facing configuration (as GET /api/v1/config) */
export interface ClientConfig {
  basePath: string | null;
  moqGatewayUrl: string | null;
  profiling: boolean;
  version: string;
}

export interface Connection {
  fromNode: string;
  fromPin: string;
  mode: ConnectionMode;
  toNode: string;
  toPin: string;
}

export interface ConnectionAddedEvent {
  connection: Connection;
  sessionId: string;
  type: SessionEventType;
}

export interface ConnectionInput {
  fromNode: string;
  fromPin: string;
  /** Default reliable; ignored by disconnect */
  mode?: ConnectionMode | null;
  toNode: string;
  toPin: string;
}

/** reliable: backpressure; best_effort: drop when the receiver is full */
export type ConnectionMode = 'BEST_EFFORT' | 'RELIABLE';

export interface ConnectionRemovedEvent {
  connection: Connection;
  sessionId: string;
  type: SessionEventType;
}

export interface DestroyedSession {
  sessionId: string;
}

export interface InputPin {
  /** Accepted pin types, serialized as in /schema/nodes */
  acceptsTypes: unknown[];
  cardinality: unknown;
  name: string;
}

export interface Mutation {
  addNode: AddedNode;
  /** All operations or none: any problem rejects the whole batch */
  applyBatch: BatchApplied;
  connect: Connection;
  /** Without yaml the session starts empty */
  createSession: SessionInfo;
  /** Deletes a user asset (system assets are read-only) */
  deleteAsset: boolean;
  deleteSample: boolean;
  destroySession: DestroyedSession;
  disconnect: Connection;
  removeNode: RemovedNode;
  /** Saves into user/; comments and layout are kept */
  saveSample: SamplePipeline;
  /** A partial update of tunable params, merged into the current ones */
  tuneNode: TuneResult;
  /** Checks every operation (kinds, params, pins, types) without applying */
  validateBatch: BatchValidation;
}

/** Arguments of `Mutation.addNode`. */
export interface MutationAddNodeArgs {
  kind: string;
  nodeId: string;
  params?: unknown | null;
  sessionId: string;
}

/** Arguments of `Mutation.applyBatch`. */
export interface MutationApplyBatchArgs {
  operations: BatchOperationInput[];
  sessionId: string;
}

/** Arguments of `Mutation.connect`. */
export interface MutationConnectArgs {
  connection: ConnectionInput;
  sessionId: string;
}

/** Arguments of `Mutation.createSession`. */
export interface MutationCreateSessionArgs {
  name?: string | null;
  yaml?: string | null;
}

/** Arguments of `Mutation.deleteAsset`. */
export interface MutationDeleteAssetArgs {
  id: string;
}

/** Arguments of `Mutation.deleteSample`. */
export interface MutationDeleteSampleArgs {
  id: string;
}

/** Arguments of `Mutation.destroySession`. */
export interface MutationDestroySessionArgs {
  sessionId: string;
}

/** Arguments of `Mutation.disconnect`. */
export interface MutationDisconnectArgs {
  connection: ConnectionInput;
  sessionId: string;
}

/** Arguments of `Mutation.removeNode`. */
export interface MutationRemoveNodeArgs {
  nodeId: string;
  sessionId: string;
}

/** Arguments of `Mutation.saveSample`. */
export interface MutationSaveSampleArgs {
  input: SaveSampleInput;
}

/** Arguments of `Mutation.tuneNode`. */
export interface MutationTuneNodeArgs {
  nodeId: string;
  params: unknown;
  sessionId: string;
}

/** Arguments of `Mutation.validateBatch`. */
export interface MutationValidateBatchArgs {
  operations: BatchOperationInput[];
  sessionId: string;
}

export interface NodeAddedEvent {
  kind: string;
  nodeId: string;
  params: unknown;
  sessionId: string;
  type: SessionEventType;
}

/** A node kind the caller may use (as GET /api/v1/schema/nodes) */
export interface NodeKind {
  bidirectional: boolean;
  categories: string[];
  description: string | null;
  inputs: InputPin[];
  kind: string;
  oneshotOnly: boolean;
  outputs: OutputPin[];
  /** JSON Schema of the params */
  paramSchema: unknown;
}

export interface NodeParamsChangedEvent {
  changed: unknown;
  nodeId: string;
  params: unknown;
  sessionId: string;
  type: SessionEventType;
}

export interface NodeRemovedEvent {
  nodeId: string;
  sessionId: string;
  type: SessionEventType;
}

/** A node state, flattened: `status` is the variant, `reason`/`details` its data */
export interface NodeState {
  details: unknown | null;
  reason: string | null;
  /** Initializing, Ready, Running, Recovering, Degraded, Failed or Stopped */
  status: string;
  /** StreamKit's serialization of the state */
  value: unknown;
}

export interface NodeStateChangedEvent {
  nodeId: string;
  sessionId: string;
  state: NodeState;
  /** RFC 3339, when the node reported it */
  timestamp: string;
  type: SessionEventType;
}

export interface NodeStats {
  discarded: number;
  durationSecs: number;
  errored: number;
  processingSecs: number;
  received: number;
  sent: number;
}

export interface NodeStatsUpdatedEvent {
  /** Updates of this node skipped for this subscriber since the last one */
  missed: number;
  nodeId: string;
  sessionId: string;
  stats: NodeStats;
  timestamp: string;
  type: SessionEventType;
}

export interface NodeTelemetryEvent {
  data: unknown;
  /** Telemetry events dropped for this subscriber just before this one */
  missed: number;
  nodeId: string;
  sessionId: string;
  timestamp: string;
  timestampUs: number;
  type: SessionEventType;
  typeId: string;
}

export interface OutputPin {
  cardinality: unknown;
  name: string;
  producesType: unknown;
}

/** A packet type (as GET /api/v1/schema/packets) */
export interface PacketType {
  color: string;
  compatibility: unknown;
  displayTemplate: string | null;
  id: string;
  label: string;
}

/** The capability flags of a role */
export interface PermissionFlags {
  accessAllSessions: boolean;
  createSessions: boolean;
  deleteAssets: boolean;
  deletePlugins: boolean;
  deleteSamples: boolean;
  destroySessions: boolean;
  listNodes: boolean;
  listSamples: boolean;
  listSessions: boolean;
  loadPlugins: boolean;
  modifySessions: boolean;
  readSamples: boolean;
  tuneNodes: boolean;
  uploadAssets: boolean;
  writeSamples: boolean;
}

/** The caller's role and what it may do */
export interface Permissions {
  permissions: PermissionFlags;
  role: string;
}

export interface Pipeline {
  connections: Connection[];
  description: string | null;
  mode: string;
  name: string | null;
  /** In insertion order */
  nodes: PipelineNode[];
  /** Running, or Failed with the reason when its worker died (null on the main thread) */
  state: NodeState | null;
  /** The engine worker thread the session runs on (null when sessions run on the main thread) */
  worker: number | null;
}

export interface PipelineNode {
  id: string;
  kind: string;
  params: unknown;
  state: NodeState | null;
  stats: NodeStats | null;
}

/** A loaded plugin (as GET /api/v1/plugins) */
export interface Plugin {
  categories: string[];
  fileName: string;
  kind: string;
  loadedAtMs: number;
  originalKind: string;
  /** native or wasm */
  pluginType: string;
}

/** One problem, located by node, pin or param path where known */
export interface Problem {
  message: string;
  nodeId: string | null;
  path: string | null;
  pin: string | null;
}

export interface Query {
  assets: AudioAsset[];
  config: ClientConfig;
  /** Node kinds the caller may use */
  nodeKinds: NodeKind[];
  packetTypes: PacketType[];
  permissions: Permissions;
  /** Loaded plugins the caller may see */
  plugins: Plugin[];
  sample: SamplePipeline;
  /** Sample pipelines and fragments; both modes unless given */
  samples: SamplePipeline[];
  /** One session by id or name, with its live pipeline */
  session: Session;
  /** Sessions the caller may see */
  sessions: SessionInfo[];
}

/** Arguments of `Query.sample`. */
export interface QuerySampleArgs {
  id: string;
}

/** Arguments of `Query.samples`. */
export interface QuerySamplesArgs {
  mode?: SampleMode | null;
}

/** Arguments of `Query.session`. */
export interface QuerySessionArgs {
  idOrName: string;
}

export interface RemovedNode {
  nodeId: string;
}

export type SampleMode = 'DYNAMIC' | 'ONESHOT';

export interface SamplePipeline {
  description: string;
  id: string;
  isFragment: boolean;
  isSystem: boolean;
  mode: SampleMode;
  name: string;
  yaml: string;
}

export interface SaveSampleInput {
  description: string;
  isFragment?: boolean | null;
  name: string;
  overwrite?: boolean | null;
  yaml: string;
}

/** A session with its live pipeline, node states and stats */
export interface Session {
  /** RFC 3339 */
  createdAt: string;
  id: string;
  name: string;
  pipeline: Pipeline;
}

export interface SessionDestroyedEvent {
  sessionId: string;
  type: SessionEventType;
}

export interface SessionEvent {
  sessionId: string;
  type: SessionEventType;
}

export type SessionEventType =
  | 'CONNECTION_ADDED'
  | 'CONNECTION_REMOVED'
  | 'NODE_ADDED'
  | 'NODE_PARAMS_CHANGED'
  | 'NODE_REMOVED'
  | 'NODE_STATE_CHANGED'
  | 'NODE_STATS_UPDATED'
  | 'NODE_TELEMETRY'
  | 'SESSION_DESTROYED';

export interface SessionInfo {
  /** RFC 3339 */
  createdAt: string;
  id: string;
  name: string;
}

export interface SessionsChange {
  session: SessionInfo;
  type: SessionsChangeType;
}

export type SessionsChangeType = 'CREATED' | 'DESTROYED';

export interface Subscription {
  /** The current state of every node first, then every change (latest always arrives) */
  nodeStates: NodeStateChangedEvent;
  /** The latest stats of each node that reported, at most once per intervalMs per node */
  nodeStats: NodeStatsUpdatedEvent;
  /** Every event of a session in order. States and stats coalesce per node for a slow subscriber (stats count `missed`); telemetry beyond the buffer is dropped and counted in `missed`. */
  sessionEvents: SessionEvent;
  /** Sessions the caller may see being created and destroyed */
  sessionsChanged: SessionsChange;
}

/** Arguments of `Subscription.nodeStates`. */
export interface SubscriptionNodeStatesArgs {
  /** Id or name */
  sessionId: string;
}

/** Arguments of `Subscription.nodeStats`. */
export interface SubscriptionNodeStatsArgs {
  intervalMs?: number;
  /** Id or name */
  sessionId: string;
}

/** Arguments of `Subscription.sessionEvents`. */
export interface SubscriptionSessionEventsArgs {
  /** Id or name */
  sessionId: string;
}

export interface TuneResult {
  /** The keys that changed */
  changed: unknown;
  nodeId: string;
  /** All params after the update */
  params: unknown;
}
