// Session queries and mutations: each one calls SessionsService, which checks permissions, ownership and
// allow-lists exactly as for REST; its HttpExceptions become GraphQL errors with `extensions.code`.
import { UseFilters } from '@nestjs/common';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { SessionsService } from './sessions.service';
import { GqlCallers, GraphqlErrorFilter, type GqlContext } from '../graphql/gql-context';
import {
  BatchOperationInput,
  ConnectionInput,
  paramsObject,
  toBatchOperation,
  toConnection,
} from '../graphql/inputs';
import { JSONValue } from '../graphql/json.scalar';
import { connection, pipeline, problem, sessionInfo } from '../graphql/mappers';
import {
  AddedNode,
  BatchApplied,
  BatchValidation,
  ConnectionType,
  DestroyedSession,
  RemovedNode,
  SessionInfoType,
  SessionType,
  TuneResultType,
} from '../graphql/types';

@Resolver()
@UseFilters(GraphqlErrorFilter)
export class SessionsResolver {
  constructor(
    private readonly sessions: SessionsService,
    private readonly callers: GqlCallers,
  ) {}

  @Query(() => [SessionInfoType], { name: 'sessions', description: 'Sessions the caller may see' })
  listSessions(@Context() ctx: GqlContext): SessionInfoType[] {
    return this.sessions.list(this.callers.callerOf(ctx)).map(sessionInfo);
  }

  @Query(() => SessionType, { description: 'One session by id or name, with its live pipeline' })
  async session(@Context() ctx: GqlContext, @Args('idOrName') idOrName: string): Promise<SessionType> {
    const caller = this.callers.callerOf(ctx);
    const view = await this.sessions.pipeline(caller, idOrName);
    return { ...sessionInfo(this.sessions.find(caller, idOrName)), pipeline: pipeline(view) };
  }

  @Mutation(() => SessionInfoType, { description: 'Without yaml the session starts empty' })
  async createSession(
    @Context() ctx: GqlContext,
    @Args('name', { type: () => String, nullable: true }) name?: string | null,
    @Args('yaml', { type: () => String, nullable: true }) yaml?: string | null,
  ): Promise<SessionInfoType> {
    const created = await this.sessions.create(this.callers.callerOf(ctx), { name, yaml });
    return { id: created.session_id, name: created.name, createdAt: created.created_at };
  }

  @Mutation(() => DestroyedSession)
  async destroySession(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
  ): Promise<DestroyedSession> {
    const r = await this.sessions.destroy(this.callers.callerOf(ctx), sessionId);
    return { sessionId: r.session_id };
  }

  @Mutation(() => AddedNode)
  async addNode(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
    @Args('nodeId') nodeId: string,
    @Args('kind') kind: string,
    @Args('params', { type: () => JSONValue, nullable: true }) params?: unknown,
  ): Promise<AddedNode> {
    const p = paramsObject(params, `node '${nodeId}'`);
    const r = await this.sessions.execute(this.callers.callerOf(ctx), sessionId, {
      type: 'add_node',
      node_id: nodeId,
      kind,
      ...(p ? { params: p } : {}),
    });
    return { nodeId: r.node_id, kind: r.kind, params: r.params };
  }

  @Mutation(() => RemovedNode)
  async removeNode(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
    @Args('nodeId') nodeId: string,
  ): Promise<RemovedNode> {
    const r = await this.sessions.execute(this.callers.callerOf(ctx), sessionId, {
      type: 'remove_node',
      node_id: nodeId,
    });
    return { nodeId: r.node_id };
  }

  @Mutation(() => ConnectionType)
  async connect(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
    @Args('connection') c: ConnectionInput,
  ): Promise<ConnectionType> {
    const r = await this.sessions.execute(this.callers.callerOf(ctx), sessionId, {
      type: 'connect',
      ...toConnection(c, true),
    });
    return connection(r);
  }

  @Mutation(() => ConnectionType)
  async disconnect(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
    @Args('connection') c: ConnectionInput,
  ): Promise<ConnectionType> {
    const r = await this.sessions.execute(this.callers.callerOf(ctx), sessionId, {
      type: 'disconnect',
      ...toConnection(c, false),
    });
    return connection(r);
  }

  @Mutation(() => TuneResultType, {
    description: 'A partial update of tunable params, merged into the current ones',
  })
  async tuneNode(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
    @Args('nodeId') nodeId: string,
    @Args('params', { type: () => JSONValue }) params: unknown,
  ): Promise<TuneResultType> {
    const r = await this.sessions.execute(this.callers.callerOf(ctx), sessionId, {
      type: 'tune_node',
      node_id: nodeId,
      params: paramsObject(params, `node '${nodeId}'`) ?? {},
    });
    return { nodeId: r.node_id, params: r.params, changed: r.changed };
  }

  @Mutation(() => BatchValidation, {
    description: 'Checks every operation (kinds, params, pins, types) without applying',
  })
  async validateBatch(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
    @Args('operations', { type: () => [BatchOperationInput] }) operations: BatchOperationInput[],
  ): Promise<BatchValidation> {
    const r = await this.sessions.execute(this.callers.callerOf(ctx), sessionId, {
      type: 'validate_batch',
      operations: operations.map(toBatchOperation),
    });
    return { valid: r.valid, problems: r.problems.map(problem), warnings: r.warnings.map(problem) };
  }

  @Mutation(() => BatchApplied, {
    description: 'All operations or none: any problem rejects the whole batch',
  })
  async applyBatch(
    @Context() ctx: GqlContext,
    @Args('sessionId') sessionId: string,
    @Args('operations', { type: () => [BatchOperationInput] }) operations: BatchOperationInput[],
  ): Promise<BatchApplied> {
    const r = await this.sessions.execute(this.callers.callerOf(ctx), sessionId, {
      type: 'apply_batch',
      operations: operations.map(toBatchOperation),
    });
    return { applied: r.applied, warnings: r.warnings.map(problem) };
  }
}
