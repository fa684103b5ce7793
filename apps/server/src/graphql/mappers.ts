// Engine and service JSON (snake_case, StreamKit's shapes) to GraphQL values (camelCase). Session events
// are mapped once per event and shared by every subscriber; only a `missed` count is ever per subscriber.
import type {
  ConnectionSpec,
  NodeSchemaEntry,
  NodeState,
  NodeStats,
  PacketTypeMeta,
  PipelineView,
  SessionEvent,
  ValidationProblem,
} from '@streamkit/pipeline';
import type { AudioAsset } from '../assets/assets.dto';
import type { PermissionsInfo } from '../permissions';
import type { SamplePipeline } from '../samples/samples.dto';
import type { SessionInfo } from '../sessions/sessions.dto';
import {
  ConnectionModeEnum,
  SampleMode,
  SessionEventType,
  type AudioAssetType,
  type ConnectionType,
  type NodeKind,
  type NodeStateView,
  type NodeStatsView,
  type PacketType,
  type PermissionFlags,
  type PipelineType,
  type ProblemType,
  type SamplePipelineType,
  type SessionInfoType,
} from './types';

export function sessionInfo(s: SessionInfo): SessionInfoType {
  return { id: s.id, name: s.name, createdAt: s.created_at };
}

export function nodeState(state: NodeState): NodeStateView {
  if (typeof state === 'string') return { status: state, value: state };
  const [status, data] = Object.entries(state)[0] as [string, { reason?: string; details?: unknown }];
  return { status, reason: data.reason, details: data.details ?? null, value: state };
}

export function nodeStats(s: NodeStats): NodeStatsView {
  return {
    received: s.received,
    sent: s.sent,
    discarded: s.discarded,
    errored: s.errored,
    durationSecs: s.duration_secs,
    processingSecs: s.processing_secs,
  };
}

export function connection(c: ConnectionSpec): ConnectionType {
  return {
    fromNode: c.from_node,
    fromPin: c.from_pin,
    toNode: c.to_node,
    toPin: c.to_pin,
    mode: c.mode === 'best_effort' ? ConnectionModeEnum.BEST_EFFORT : ConnectionModeEnum.RELIABLE,
  };
}

export function pipeline(view: PipelineView): PipelineType {
  return {
    name: view.name,
    description: view.description,
    mode: view.mode,
    nodes: Object.entries(view.nodes).map(([id, n]) => ({
      id,
      kind: n.kind,
      params: n.params,
      state: n.state === undefined ? undefined : nodeState(n.state),
      stats: n.stats === undefined ? undefined : nodeStats(n.stats),
    })),
    connections: view.connections.map(connection),
    worker: view.worker,
    state: view.state === undefined ? undefined : nodeState(view.state),
  };
}

export function problem(p: ValidationProblem): ProblemType {
  return { message: p.message, nodeId: p.nodeId, pin: p.pin, path: p.path };
}

export function permissionFlags(p: Readonly<PermissionsInfo>): PermissionFlags {
  return {
    createSessions: p.create_sessions,
    destroySessions: p.destroy_sessions,
    listSessions: p.list_sessions,
    modifySessions: p.modify_sessions,
    tuneNodes: p.tune_nodes,
    loadPlugins: p.load_plugins,
    deletePlugins: p.delete_plugins,
    listNodes: p.list_nodes,
    listSamples: p.list_samples,
    readSamples: p.read_samples,
    writeSamples: p.write_samples,
    deleteSamples: p.delete_samples,
    accessAllSessions: p.access_all_sessions,
    uploadAssets: p.upload_assets,
    deleteAssets: p.delete_assets,
  };
}

export function nodeKind(e: NodeSchemaEntry): NodeKind {
  return {
    kind: e.kind,
    description: e.description,
    paramSchema: e.param_schema,
    inputs: e.inputs.map((p) => ({
      name: p.name,
      acceptsTypes: p.accepts_types,
      cardinality: p.cardinality,
    })),
    outputs: e.outputs.map((p) => ({
      name: p.name,
      producesType: p.produces_type,
      cardinality: p.cardinality,
    })),
    categories: e.categories,
    bidirectional: e.bidirectional,
    oneshotOnly: e.oneshot_only === true,
  };
}

export function packetType(t: PacketTypeMeta): PacketType {
  return {
    id: t.id,
    label: t.label,
    color: t.color,
    displayTemplate: t.display_template,
    compatibility: t.compatibility,
  };
}

export function sample(s: SamplePipeline): SamplePipelineType {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    yaml: s.yaml,
    isSystem: s.is_system,
    mode: s.mode === 'oneshot' ? SampleMode.ONESHOT : SampleMode.DYNAMIC,
    isFragment: s.is_fragment,
  };
}

export function asset(a: AudioAsset): AudioAssetType {
  return {
    id: a.id,
    name: a.name,
    path: a.path,
    format: a.format,
    sizeBytes: a.size_bytes,
    license: a.license,
    isSystem: a.is_system,
  };
}

/** The GraphQL value of one session event (resolved to its concrete type by `type`). */
export interface SessionEventValue {
  type: SessionEventType;
  sessionId: string;
  nodeId?: string;
  missed?: number;
  [field: string]: unknown;
}

export function sessionEvent(e: SessionEvent): SessionEventValue {
  const base = { type: e.type as SessionEventType, sessionId: e.session_id };
  switch (e.type) {
    case 'node_added':
      return { ...base, nodeId: e.node_id, kind: e.kind, params: e.params };
    case 'node_removed':
      return { ...base, nodeId: e.node_id };
    case 'connection_added':
    case 'connection_removed':
      return { ...base, connection: connection(e) };
    case 'node_params_changed':
      return { ...base, nodeId: e.node_id, params: e.params, changed: e.changed };
    case 'node_state':
      return { ...base, nodeId: e.node_id, state: nodeState(e.state), timestamp: e.timestamp };
    case 'node_stats':
      return { ...base, nodeId: e.node_id, stats: nodeStats(e.stats), timestamp: e.timestamp, missed: 0 };
    case 'node_telemetry':
      return {
        ...base,
        nodeId: e.node_id,
        typeId: e.type_id,
        data: e.data,
        timestampUs: e.timestamp_us,
        timestamp: e.timestamp,
        missed: 0,
      };
    case 'session_destroyed':
      return base;
  }
}

export const withMissed = (value: SessionEventValue, missed: number): SessionEventValue => ({
  ...value,
  missed,
});
