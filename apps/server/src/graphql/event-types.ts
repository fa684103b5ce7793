// GraphQL types of what subscriptions deliver: the sessions list changes and a session's events (one
// interface, a concrete type per event kind).
import { Field, Float, ID, Int, InterfaceType, ObjectType } from '@nestjs/graphql';
import { JSONValue } from './json.scalar';
import {
  ConnectionType,
  NodeStateView,
  NodeStatsView,
  SessionEventType,
  SessionInfoType,
  SessionsChangeType,
} from './types';

@ObjectType()
export class SessionsChange {
  @Field(() => SessionsChangeType)
  type!: SessionsChangeType;
  @Field(() => SessionInfoType)
  session!: SessionInfoType;
}

/** Every session event carries its type and session; `resolveType` picks the concrete type from `type`. */
@InterfaceType('SessionEvent', {
  resolveType: (value: { type: SessionEventType }) => EVENT_TYPE_NAMES[value.type],
})
export abstract class SessionEventBase {
  @Field(() => SessionEventType)
  type!: SessionEventType;
  @Field(() => ID)
  sessionId!: string;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class NodeAddedEvent extends SessionEventBase {
  @Field()
  nodeId!: string;
  @Field()
  kind!: string;
  @Field(() => JSONValue)
  params!: unknown;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class NodeRemovedEvent extends SessionEventBase {
  @Field()
  nodeId!: string;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class ConnectionAddedEvent extends SessionEventBase {
  @Field(() => ConnectionType)
  connection!: ConnectionType;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class ConnectionRemovedEvent extends SessionEventBase {
  @Field(() => ConnectionType)
  connection!: ConnectionType;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class NodeParamsChangedEvent extends SessionEventBase {
  @Field()
  nodeId!: string;
  @Field(() => JSONValue)
  params!: unknown;
  @Field(() => JSONValue)
  changed!: unknown;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class NodeStateChangedEvent extends SessionEventBase {
  @Field()
  nodeId!: string;
  @Field(() => NodeStateView)
  state!: NodeStateView;
  @Field({ description: 'RFC 3339, when the node reported it' })
  timestamp!: string;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class NodeStatsUpdatedEvent extends SessionEventBase {
  @Field()
  nodeId!: string;
  @Field(() => NodeStatsView)
  stats!: NodeStatsView;
  @Field()
  timestamp!: string;
  @Field(() => Int, { description: 'Updates of this node skipped for this subscriber since the last one' })
  missed!: number;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class NodeTelemetryEvent extends SessionEventBase {
  @Field()
  nodeId!: string;
  @Field()
  typeId!: string;
  @Field(() => JSONValue)
  data!: unknown;
  @Field(() => Float)
  timestampUs!: number;
  @Field()
  timestamp!: string;
  @Field(() => Int, { description: 'Telemetry events dropped for this subscriber just before this one' })
  missed!: number;
}

@ObjectType({ implements: () => [SessionEventBase] })
export class SessionDestroyedEvent extends SessionEventBase {}

const EVENT_TYPE_NAMES: Record<SessionEventType, string> = {
  [SessionEventType.NODE_ADDED]: 'NodeAddedEvent',
  [SessionEventType.NODE_REMOVED]: 'NodeRemovedEvent',
  [SessionEventType.CONNECTION_ADDED]: 'ConnectionAddedEvent',
  [SessionEventType.CONNECTION_REMOVED]: 'ConnectionRemovedEvent',
  [SessionEventType.NODE_PARAMS_CHANGED]: 'NodeParamsChangedEvent',
  [SessionEventType.NODE_STATE_CHANGED]: 'NodeStateChangedEvent',
  [SessionEventType.NODE_STATS_UPDATED]: 'NodeStatsUpdatedEvent',
  [SessionEventType.NODE_TELEMETRY]: 'NodeTelemetryEvent',
  [SessionEventType.SESSION_DESTROYED]: 'SessionDestroyedEvent',
};

/** Types only reachable through the interface; the module lists them so they land in the schema. */
export const SESSION_EVENT_TYPES = [
  NodeAddedEvent,
  NodeRemovedEvent,
  ConnectionAddedEvent,
  ConnectionRemovedEvent,
  NodeParamsChangedEvent,
  NodeStateChangedEvent,
  NodeStatsUpdatedEvent,
  NodeTelemetryEvent,
  SessionDestroyedEvent,
];
