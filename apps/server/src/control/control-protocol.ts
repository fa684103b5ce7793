// The StreamKit control protocol spoken at /api/v1/control: the envelope, every request, response and event,
// and the parser of incoming requests. One set of types for the server and the `skit` client.
import type {
  ConnectionMode,
  NodeSchemaEntry,
  NodeState,
  NodeStats,
  PipelineView,
} from '@streamkit/pipeline';
import type { PermissionsInfo } from '../permissions/caller';

export const CONTROL_PATH = '/api/v1/control';

/** Close codes the server uses (RFC 6455 and private range). */
export const CONTROL_CLOSE = {
  /** The client sent a message over `max_message_bytes` (after an error response). */
  MESSAGE_TOO_BIG: 1009,
  /** `max_connections` control WebSockets are open already. */
  TRY_AGAIN_LATER: 1013,
  /** The client stopped reading and more than `max_pending_events` structural events waited for it. */
  SLOW_CLIENT: 4008,
} as const;

export interface Envelope<P> {
  type: 'request' | 'response' | 'event';
  correlation_id?: string;
  payload: P;
}

/** `{"UpdateParams": {...}}`, `"Start"` or `"Shutdown"` (externally tagged). */
export type NodeControlMessage = { UpdateParams: unknown } | 'Start' | 'Shutdown';

export interface WireConnection {
  from_node: string;
  from_pin: string;
  to_node: string;
  to_pin: string;
}

export type WireBatchOperation =
  | { action: 'addnode'; node_id: string; kind: string; params?: unknown }
  | { action: 'removenode'; node_id: string }
  | ({ action: 'connect'; mode?: ConnectionMode } & WireConnection)
  | ({ action: 'disconnect' } & WireConnection);

export type ControlRequest =
  | { action: 'createsession'; name?: string | null }
  | { action: 'destroysession'; session_id: string }
  | { action: 'listsessions' }
  | { action: 'listnodes' }
  | { action: 'getpipeline'; session_id: string }
  | { action: 'addnode'; session_id: string; node_id: string; kind: string; params?: unknown }
  | { action: 'removenode'; session_id: string; node_id: string }
  | ({ action: 'connect'; session_id: string; mode?: ConnectionMode } & WireConnection)
  | ({ action: 'disconnect'; session_id: string } & WireConnection)
  | { action: 'tunenode' | 'tunenodeasync'; session_id: string; node_id: string; message: NodeControlMessage }
  | { action: 'validatebatch' | 'applybatch'; session_id: string; operations: WireBatchOperation[] }
  | { action: 'getpermissions' };

export type ControlAction = ControlRequest['action'];

export interface WireSessionInfo {
  id: string;
  name?: string;
  created_at: string;
}

/** StreamKit's `ValidationError`; here `validatebatch` fills the list with every problem found. */
export interface WireValidationError {
  error_type: 'error' | 'warning';
  message: string;
  node_id?: string;
  connection_id?: string;
}

export type ControlResponse =
  | { action: 'sessioncreated'; session_id: string; name: string; created_at: string }
  | { action: 'sessiondestroyed'; session_id: string }
  | { action: 'sessionslisted'; sessions: WireSessionInfo[] }
  | { action: 'nodeslisted'; nodes: NodeSchemaEntry[] }
  | { action: 'pipeline'; pipeline: PipelineView }
  | { action: 'success' }
  | { action: 'validationresult'; errors: WireValidationError[] }
  | { action: 'batchapplied'; success: boolean; errors: string[] }
  | { action: 'permissions'; role: string; permissions: PermissionsInfo }
  | { action: 'error'; message: string };

export type ControlEvent =
  | { event: 'sessioncreated'; session_id: string; name: string; created_at: string }
  | { event: 'sessiondestroyed'; session_id: string }
  | { event: 'nodeadded'; session_id: string; node_id: string; kind: string; params: unknown }
  | { event: 'noderemoved'; session_id: string; node_id: string }
  | ({ event: 'connectionadded' | 'connectionremoved'; session_id: string } & WireConnection)
  | { event: 'nodeparamschanged'; session_id: string; node_id: string; params: unknown; changed?: unknown }
  | { event: 'nodestatechanged'; session_id: string; node_id: string; state: NodeState; timestamp: string }
  | { event: 'nodestatsupdated'; session_id: string; node_id: string; stats: NodeStats; timestamp: string }
  | {
      event: 'nodetelemetry';
      session_id: string;
      node_id: string;
      type_id: string;
      data: Record<string, unknown>;
      timestamp_us?: number;
      timestamp: string;
    };

export type ControlEventName = ControlEvent['event'];

/** Every event name, for clients that list or filter them. */
export const CONTROL_EVENTS: readonly ControlEventName[] = [
  'sessioncreated',
  'sessiondestroyed',
  'nodeadded',
  'noderemoved',
  'connectionadded',
  'connectionremoved',
  'nodeparamschanged',
  'nodestatechanged',
  'nodestatsupdated',
  'nodetelemetry',
];

/**
 * A request that could not be read: answered with `Invalid JSON: <why>`, with the correlation id when the
 * envelope carried a readable one (StreamKit drops it, so id-matching clients time out instead).
 */
export class InvalidRequest extends Error {
  correlationId?: string;
}

type Fields = Record<string, unknown>;

function str(p: Fields, key: string): string {
  const v = p[key];
  if (typeof v !== 'string') throw new InvalidRequest(`field \`${key}\` must be a string`);
  return v;
}

function optStr(p: Fields, key: string): string | null | undefined {
  const v = p[key];
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string') throw new InvalidRequest(`field \`${key}\` must be a string or null`);
  return v;
}

function mode(p: Fields): { mode?: ConnectionMode } {
  const v = p.mode;
  if (v === undefined || v === null) return {};
  if (v !== 'reliable' && v !== 'best_effort') {
    throw new InvalidRequest('field `mode` must be "reliable" or "best_effort"');
  }
  return { mode: v };
}

function connection(p: Fields): WireConnection {
  return {
    from_node: str(p, 'from_node'),
    from_pin: str(p, 'from_pin'),
    to_node: str(p, 'to_node'),
    to_pin: str(p, 'to_pin'),
  };
}

function params(p: Fields): { params?: unknown } {
  return p.params === undefined || p.params === null ? {} : { params: p.params };
}

function object(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidRequest(`${what} must be an object`);
  }
  return value as Fields;
}

function controlMessage(value: unknown): NodeControlMessage {
  if (value === 'Start' || value === 'Shutdown') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'UpdateParams') {
      return { UpdateParams: (value as Fields).UpdateParams };
    }
  }
  throw new InvalidRequest(
    'field `message` must be {"UpdateParams": {...}}, "Start" or "Shutdown" (unknown variant)',
  );
}

/** Most operations in one batch (each is checked and applied by the engine). */
export const MAX_BATCH_OPERATIONS = 1000;

function batchOperation(value: unknown, index: number): WireBatchOperation {
  const op = object(value, `operations[${index}]`);
  switch (op.action) {
    case 'addnode':
      return { action: 'addnode', node_id: str(op, 'node_id'), kind: str(op, 'kind'), ...params(op) };
    case 'removenode':
      return { action: 'removenode', node_id: str(op, 'node_id') };
    case 'connect':
      return { action: 'connect', ...connection(op), ...mode(op) };
    case 'disconnect':
      return { action: 'disconnect', ...connection(op) };
    default:
      throw new InvalidRequest(
        `operations[${index}].action must be one of addnode, removenode, connect, disconnect ` +
          `(got ${JSON.stringify(op.action)?.slice(0, 40)})`,
      );
  }
}

function operations(p: Fields): WireBatchOperation[] {
  const v = p.operations;
  if (!Array.isArray(v)) throw new InvalidRequest('field `operations` must be an array');
  if (v.length > MAX_BATCH_OPERATIONS) {
    throw new InvalidRequest(`field \`operations\` holds more than ${MAX_BATCH_OPERATIONS} operations`);
  }
  return v.map(batchOperation);
}

/** The request payload of a parsed envelope; throws `InvalidRequest` naming the field at fault. */
export function requestFromPayload(payload: unknown): ControlRequest {
  const p = object(payload, 'payload');
  const action = p.action;
  switch (action) {
    case 'createsession':
      return { action, name: optStr(p, 'name') };
    case 'destroysession':
    case 'getpipeline':
      return { action, session_id: str(p, 'session_id') };
    case 'listsessions':
    case 'listnodes':
    case 'getpermissions':
      return { action };
    case 'addnode':
      return {
        action,
        session_id: str(p, 'session_id'),
        node_id: str(p, 'node_id'),
        kind: str(p, 'kind'),
        ...params(p),
      };
    case 'removenode':
      return { action, session_id: str(p, 'session_id'), node_id: str(p, 'node_id') };
    case 'connect':
      return { action, session_id: str(p, 'session_id'), ...connection(p), ...mode(p) };
    case 'disconnect':
      return { action, session_id: str(p, 'session_id'), ...connection(p) };
    case 'tunenode':
    case 'tunenodeasync':
      return {
        action,
        session_id: str(p, 'session_id'),
        node_id: str(p, 'node_id'),
        message: controlMessage(p.message),
      };
    case 'validatebatch':
    case 'applybatch':
      return { action, session_id: str(p, 'session_id'), operations: operations(p) };
    default:
      throw new InvalidRequest(
        typeof action === 'string'
          ? `unknown variant \`${action.slice(0, 40)}\` in field \`action\``
          : 'missing field `action`',
      );
  }
}

/** Parses one text frame into its correlation id and request; `InvalidRequest` for anything unreadable. */
export function parseRequest(text: string): { correlationId?: string; request: ControlRequest } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidRequest((err as Error).message);
  }
  const envelope = object(raw, 'message');
  const id = envelope.correlation_id;
  if (id !== undefined && id !== null && typeof id !== 'string') {
    throw new InvalidRequest('field `correlation_id` must be a string');
  }
  const correlationId = id ?? undefined;
  try {
    if (envelope.type !== 'request' && envelope.type !== 'response' && envelope.type !== 'event') {
      throw new InvalidRequest('field `type` must be one of request, response, event');
    }
    return { correlationId, request: requestFromPayload(envelope.payload) };
  } catch (err) {
    if (err instanceof InvalidRequest) err.correlationId = correlationId;
    throw err;
  }
}
