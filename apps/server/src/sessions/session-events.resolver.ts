// Live subscriptions (graphql-ws on /api/v1/graphql). Each returns its own SubscriberQueue as the async
// iterator mercurius drains; the subscriber is registered before the resolver returns, so nothing that
// happens after the subscription starts is missed.
import { BadRequestException, UseFilters } from '@nestjs/common';
import { Args, Context, Int, Resolver, Subscription } from '@nestjs/graphql';
import type { Caller } from '../permissions';
import { SessionsService, type SessionRecord } from './sessions.service';
import { GqlCallers, GraphqlErrorFilter, type GqlContext } from '../graphql/gql-context';
import { nodeState, type SessionEventValue } from '../graphql/mappers';
import { SessionEventHub } from '../graphql/session-event-hub';
import { GraphqlConnections } from '../graphql/ws-connections';
import {
  NodeStateChangedEvent,
  NodeStatsUpdatedEvent,
  SessionEventBase,
  SessionsChange,
} from '../graphql/event-types';
import { SessionEventType } from '../graphql/types';

const MIN_STATS_INTERVAL_MS = 50;
const MAX_STATS_INTERVAL_MS = 60_000;

const identity = <T>(value: T): T => value;

@Resolver()
@UseFilters(GraphqlErrorFilter)
export class SessionEventsResolver {
  constructor(
    private readonly sessions: SessionsService,
    private readonly hub: SessionEventHub,
    private readonly callers: GqlCallers,
    private readonly connections: GraphqlConnections,
  ) {}

  @Subscription(() => SessionEventBase, {
    resolve: identity,
    description:
      'Every event of a session in order. States and stats coalesce per node for a slow subscriber ' +
      '(stats count `missed`); telemetry beyond the buffer is dropped and counted in `missed`.',
  })
  sessionEvents(
    @Context() ctx: GqlContext,
    @Args('sessionId', { description: 'Id or name' }) sessionId: string,
  ): AsyncIterableIterator<SessionEventValue> {
    return this.connections.adopt(ctx, this.hub.sessionEvents(this.watchable(ctx, sessionId).id));
  }

  @Subscription(() => NodeStateChangedEvent, {
    resolve: identity,
    description: 'The current state of every node first, then every change (latest always arrives)',
  })
  async nodeStates(
    @Context() ctx: GqlContext,
    @Args('sessionId', { description: 'Id or name' }) sessionId: string,
  ): Promise<AsyncIterableIterator<SessionEventValue>> {
    const caller = this.callers.callerOf(ctx);
    const record = this.watchable(ctx, sessionId, caller);
    const { queue, seen } = this.hub.nodeStates(record.id);
    this.connections.adopt(ctx, queue);
    try {
      const view = await this.sessions.pipeline(caller, record.id);
      const timestamp = new Date().toISOString();
      // A node that already reported live since we registered is newer than the snapshot.
      for (const [nodeId, node] of Object.entries(view.nodes)) {
        if (node.state === undefined || seen.has(nodeId)) continue;
        queue.pushState(nodeId, {
          type: SessionEventType.NODE_STATE_CHANGED,
          sessionId: record.id,
          nodeId,
          state: nodeState(node.state),
          timestamp,
        });
      }
    } catch (err) {
      await queue.return();
      throw err;
    }
    return queue;
  }

  @Subscription(() => NodeStatsUpdatedEvent, {
    resolve: identity,
    description: 'The latest stats of each node that reported, at most once per intervalMs per node',
  })
  nodeStats(
    @Context() ctx: GqlContext,
    @Args('sessionId', { description: 'Id or name' }) sessionId: string,
    @Args('intervalMs', { type: () => Int, defaultValue: 1000 }) intervalMs: number,
  ): AsyncIterableIterator<SessionEventValue> {
    if (intervalMs < MIN_STATS_INTERVAL_MS || intervalMs > MAX_STATS_INTERVAL_MS) {
      throw new BadRequestException(
        `intervalMs must be between ${MIN_STATS_INTERVAL_MS} and ${MAX_STATS_INTERVAL_MS} (got ${intervalMs})`,
      );
    }
    return this.connections.adopt(ctx, this.hub.nodeStats(this.watchable(ctx, sessionId).id, intervalMs));
  }

  @Subscription(() => SessionsChange, {
    resolve: identity,
    description: 'Sessions the caller may see being created and destroyed',
  })
  sessionsChanged(@Context() ctx: GqlContext): AsyncIterableIterator<SessionsChange> {
    const caller = this.callers.callerOf(ctx);
    caller.require('list_sessions');
    return this.connections.adopt(
      ctx,
      this.hub.sessionsChanges((createdBy) => caller.canAccessSession(createdBy)),
    );
  }

  /** Watching a session needs what viewing its pipeline needs: `list_sessions` and access to it. */
  private watchable(
    ctx: GqlContext,
    idOrName: string,
    caller: Caller = this.callers.callerOf(ctx),
  ): SessionRecord {
    caller.require('list_sessions', 'Permission denied: cannot view pipelines');
    return this.sessions.find(caller, idOrName);
  }
}
