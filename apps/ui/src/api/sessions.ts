// Typed GraphQL operations the Monitor view uses: sessions, live pipelines, tuning and batches. The shapes are
// the selections of the types generated from the committed schema (`generated/graphql.ts`, `npm run gen:api`).
import type * as Schema from './generated/graphql';
import { gql } from './graphql';

/** A session as the queries below select it. */
export type SessionInfo = Pick<Schema.SessionInfo, 'id' | 'name' | 'createdAt'>;

export type NodeStateView = Pick<Schema.NodeState, 'status' | 'reason'>;

export type NodeStatsView = Pick<
  Schema.NodeStats,
  'sent' | 'received' | 'discarded' | 'errored' | 'durationSecs'
>;

export type LiveConnection = Schema.Connection;

/** A node of the live pipeline; `params` is a JSON object. */
export interface LiveNode extends Pick<Schema.PipelineNode, 'id' | 'kind'> {
  params: Record<string, unknown>;
  state: NodeStateView | null;
  stats: NodeStatsView | null;
}

export interface LivePipeline extends Pick<Schema.Pipeline, 'name' | 'mode'> {
  nodes: LiveNode[];
  connections: LiveConnection[];
}

export type BatchAction = Schema.BatchAction;

/** One batch step (`BatchOperationInput`); which fields are required depends on `action`. */
export interface BatchOperation {
  action: BatchAction;
  nodeId?: string;
  kind?: string;
  params?: Record<string, unknown>;
  connection?: Schema.ConnectionInput;
}

export type Problem = Schema.Problem;

const STATS = 'sent received discarded errored durationSecs';
const CONN = 'fromNode fromPin toNode toPin mode';

export const SESSIONS_CHANGED = `subscription { sessionsChanged { type session { id name createdAt } } }`;
export const NODE_STATES = `subscription($id: String!) { nodeStates(sessionId: $id) { nodeId state { status reason } } }`;
export const NODE_STATS = `subscription($id: String!, $ms: Int!) { nodeStats(sessionId: $id, intervalMs: $ms) { nodeId timestamp stats { ${STATS} } } }`;
export const SESSION_EVENTS = `subscription($id: String!) { sessionEvents(sessionId: $id) {
  type
  ... on NodeAddedEvent { nodeId kind params }
  ... on NodeRemovedEvent { nodeId }
  ... on NodeParamsChangedEvent { nodeId params }
  ... on ConnectionAddedEvent { connection { ${CONN} } }
  ... on ConnectionRemovedEvent { connection { ${CONN} } }
  ... on NodeTelemetryEvent { nodeId timestamp typeId data missed }
} }`;

export interface SessionsChange {
  sessionsChanged: { type: 'CREATED' | 'DESTROYED'; session: SessionInfo };
}
export interface NodeStateEvent {
  nodeStates: { nodeId: string; state: NodeStateView };
}
export interface NodeStatsEvent {
  nodeStats: { nodeId: string; timestamp: string; stats: NodeStatsView };
}
export type SessionEventView =
  | { type: 'NODE_ADDED'; nodeId: string; kind: string; params: Record<string, unknown> }
  | { type: 'NODE_REMOVED'; nodeId: string }
  | { type: 'NODE_PARAMS_CHANGED'; nodeId: string; params: Record<string, unknown> }
  | { type: 'CONNECTION_ADDED' | 'CONNECTION_REMOVED'; connection: LiveConnection }
  | {
      type: 'NODE_TELEMETRY';
      nodeId: string;
      timestamp: string;
      typeId: string;
      data: unknown;
      missed: number;
    }
  | { type: 'NODE_STATE_CHANGED' | 'NODE_STATS_UPDATED' | 'SESSION_DESTROYED' };
export interface SessionEventMessage {
  sessionEvents: SessionEventView;
}

export const sessionsApi = {
  list: () => gql<{ sessions: SessionInfo[] }>(`{ sessions { id name createdAt } }`).then((d) => d.sessions),
  pipeline: (id: string) =>
    gql<{ session: { pipeline: LivePipeline } }>(
      `query($id: String!) { session(idOrName: $id) { pipeline { name mode
        nodes { id kind params state { status reason } stats { ${STATS} } }
        connections { ${CONN} } } } }`,
      { id },
    ).then((d) => d.session.pipeline),
  destroy: (sessionId: string) =>
    gql(`mutation($s: String!) { destroySession(sessionId: $s) { sessionId } }`, { s: sessionId }),
  tune: (sessionId: string, nodeId: string, params: Record<string, unknown>) =>
    gql<{ tuneNode: { params: Record<string, unknown> } }>(
      `mutation($s: String!, $n: String!, $p: JSON!) { tuneNode(sessionId: $s, nodeId: $n, params: $p) { params } }`,
      { s: sessionId, n: nodeId, p: params },
    ).then((d) => d.tuneNode.params),
  validateBatch: (sessionId: string, operations: BatchOperation[]) =>
    gql<{ validateBatch: { valid: boolean; problems: Problem[] } }>(
      `mutation($s: String!, $o: [BatchOperationInput!]!) { validateBatch(sessionId: $s, operations: $o) { valid problems { message nodeId path pin } } }`,
      { s: sessionId, o: operations },
    ).then((d) => d.validateBatch),
  applyBatch: (sessionId: string, operations: BatchOperation[]) =>
    gql<{ applyBatch: { applied: number } }>(
      `mutation($s: String!, $o: [BatchOperationInput!]!) { applyBatch(sessionId: $s, operations: $o) { applied } }`,
      { s: sessionId, o: operations },
    ).then((d) => d.applyBatch.applied),
};
