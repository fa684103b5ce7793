// Dynamic sessions for every API (REST, GraphQL): creation from YAML, lookup by id or name, ownership,
// limits, node allow-lists, commands with typed errors, and one event stream for live subscribers.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import {
  parsePipelineYamlOffThread,
  SessionCommandError,
  commandOperations,
  commandPermission,
  type CommandResults,
  type NodeRegistry,
  type PipelineView,
  type SessionCommand,
  type SessionErrorBody,
  type SessionEvent,
  type SessionHandle,
  type SessionHost,
  type PipelineSpec,
  type ValidationProblem,
  Listeners,
  nestsDeeperThan,
} from '@streamkit/pipeline';
import type { Logger } from 'pino';
import { LOGGER } from '../common/logging';
import { randomUUID } from 'node:crypto';
import { CONFIG, type Config, type PermissionFlag } from '../config';
import { TooManyRequestsException } from '../common/errors';
import { engineLimits } from '../engine/engine-limits';
import { NODE_REGISTRY, SESSION_HOST } from '../engine/engine.module';
import { DENIED_MESSAGES, type Caller } from '../permissions';
import { ExclusiveClaims } from './exclusive-claims';
import { sessionNameFor } from './session-names';
import type { CreatedSession, DestroyedSession, ParamWarning, SessionInfo } from './sessions.dto';

export function paramWarnings(problems: readonly ValidationProblem[] | undefined): ParamWarning[] {
  return (problems ?? []).map((p) => ({
    node_id: p.nodeId ?? null,
    param: p.path ? p.path.replace(/^\//, '').split('/').join('.') : null,
    message: p.message,
  }));
}

export interface SessionRecord extends SessionInfo {
  created_by: string;
  handle: SessionHandle;
}

export type SessionsChange = { type: 'created' | 'destroyed'; session: SessionInfo; created_by: string };

type Command = Exclude<SessionCommand, { type: 'destroy' }>;

const EMPTY_PIPELINE: PipelineSpec = { mode: 'dynamic', nodes: {}, connections: [] };

/** The 403 of a command needing this flag, in StreamKit's wording (pipelines are "viewed" here). */
function denied(flag: PermissionFlag): string {
  return flag === 'list_sessions' ? 'Permission denied: cannot view pipelines' : DENIED_MESSAGES[flag];
}

/** Maps an engine error body to the HTTP exception with the right status (400/404/409). */
export function sessionErrorToHttp(body: SessionErrorBody, prefix = ''): HttpException {
  const message = prefix + body.message;
  if (body.code === 'not_found') return new NotFoundException(message);
  if (body.code === 'conflict') return new ConflictException(message);
  return new BadRequestException(message);
}

@Injectable()
export class SessionsService {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly changeListeners: Listeners<[SessionsChange]>;
  private readonly eventListeners: Listeners<[SessionEvent, SessionRecord]>;
  /** Gateway paths and other resources one node holds alone, by session and node. */
  private readonly claims: ExclusiveClaims;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SESSION_HOST) private readonly host: SessionHost,
    @Inject(NODE_REGISTRY) private readonly registry: NodeRegistry,
    @Inject(LOGGER) log: Logger,
  ) {
    this.claims = new ExclusiveClaims(registry);
    // A listener that throws (a subscription's sink) must not fail a create or stop other listeners.
    this.changeListeners = new Listeners('sessions change', (err) =>
      log.error({ err }, 'sessions change listener threw'),
    );
    this.eventListeners = new Listeners('session event', (err) =>
      log.error({ err }, 'session event listener threw'),
    );
  }

  /**
   * Create a session from YAML; every problem of the pipeline is reported at once. Without `yaml` the
   * session starts empty (StreamKit's WebSocket `createsession`, used by GraphQL); REST always sends YAML.
   */
  async create(
    caller: Caller,
    body: { name?: string | null; yaml?: string | null },
  ): Promise<CreatedSession> {
    caller.require('create_sessions');
    const requested = body.name?.trim() || undefined;
    if (requested !== undefined && this.byName(requested)) {
      throw new ConflictException(`Session with name '${requested}' already exists`);
    }
    this.checkLimit();
    const empty = body.yaml === undefined || body.yaml === null;
    const parsed = empty
      ? { spec: EMPTY_PIPELINE, problems: [] }
      : await parsePipelineYamlOffThread(body.yaml ?? '', { limits: engineLimits(this.config) });
    if (!parsed.spec) throw new BadRequestException(listProblems('Invalid pipeline', parsed.problems));
    const spec: PipelineSpec = { ...parsed.spec, mode: 'dynamic' };
    if (!empty && Object.keys(spec.nodes).length === 0) {
      throw new BadRequestException('Pipeline is empty. Add some nodes before creating a session.');
    }
    for (const [id, node] of Object.entries(spec.nodes)) this.checkNodeKind(caller, id, node.kind);

    const id = randomUUID();
    const name = requested ?? sessionNameFor(id);
    // Reserved before the first await: a concurrent create claiming the same gateway path gets the 409.
    this.claims.reserveSession({ id, name }, spec);
    let handle: SessionHandle;
    try {
      handle = await this.host.create({ id, name, spec });
    } catch (err) {
      this.claims.release(id);
      if (err instanceof SessionCommandError) throw sessionErrorToHttp(err.body, 'Invalid pipeline: ');
      throw err;
    }
    // Re-check after the await: another request may have taken the name or the last slot meanwhile.
    if (this.byName(name) || this.atLimit()) {
      await this.host.destroy(id).finally(() => this.claims.release(id));
      if (this.byName(name)) throw new ConflictException(`Session with name '${name}' already exists`);
      throw new TooManyRequestsException('Maximum concurrent sessions limit reached');
    }
    const created = this.track(handle, name, caller.role);
    const warnings = paramWarnings(handle.warnings);
    return {
      session_id: created.id,
      name: created.name,
      created_at: created.created_at,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  list(caller: Caller): SessionInfo[] {
    caller.require('list_sessions');
    return [...this.sessions.values()].filter((s) => caller.canAccessSession(s.created_by)).map(info);
  }

  /** Find by id, then by name; 404 when missing, 403 when the caller may not see it. */
  find(caller: Caller, idOrName: string): SessionRecord {
    const record = this.sessions.get(idOrName) ?? this.byName(idOrName);
    if (!record) throw new NotFoundException(`Session '${idOrName}' not found`);
    if (!caller.canAccessSession(record.created_by)) {
      throw new ForbiddenException('Permission denied: you do not own this session');
    }
    return record;
  }

  async pipeline(caller: Caller, idOrName: string): Promise<PipelineView> {
    return this.execute(caller, idOrName, { type: 'get_pipeline' });
  }

  async destroy(caller: Caller, idOrName: string): Promise<DestroyedSession> {
    caller.require('destroy_sessions');
    const record = this.find(caller, idOrName);
    this.sessions.delete(record.id);
    // Its claims outlive it until the engine stopped its nodes: a gateway path is free only once unrouted.
    await this.host.destroy(record.id).finally(() => this.claims.release(record.id));
    this.emitChange({ type: 'destroyed', session: info(record), created_by: record.created_by });
    return { session_id: record.id };
  }

  /** Run a command on a session after the permission, allow-list and ownership checks; throws HTTP errors. */
  async execute<C extends Command>(
    caller: Caller,
    idOrName: string,
    command: C,
  ): Promise<CommandResults[C['type']]> {
    const flag = commandPermission(command.type);
    caller.require(flag, denied(flag));
    const record = this.find(caller, idOrName);
    const ops = commandOperations(command);
    const maxDepth = this.config.engine.limits.max_yaml_depth;
    for (const op of ops) {
      // Params from JSON get the nesting bound YAML has: deeper values cannot even be handed to a worker.
      if ((op.type === 'add_node' || op.type === 'tune_node') && nestsDeeperThan(op.params, maxDepth)) {
        throw new BadRequestException(
          `Node '${op.node_id}': params nest deeper than ${maxDepth} levels ([engine.limits].max_yaml_depth)`,
        );
      }
      if (op.type === 'add_node') this.checkNodeKind(caller, op.node_id, op.kind);
      // An operation of a batch needs its own flag too (tuning inside a batch takes `tune_nodes`).
      const opFlag = commandPermission(op.type);
      if (opFlag !== flag) caller.require(opFlag, denied(opFlag));
    }
    const applies = command.type !== 'validate_batch';
    const reservation = applies ? this.claims.reserve(record, ops) : undefined;
    let result: Awaited<ReturnType<SessionHandle['execute']>>;
    try {
      result = await record.handle.execute(command);
    } catch (err) {
      reservation?.rollback();
      throw err;
    }
    if (!result.ok) {
      reservation?.rollback();
      throw sessionErrorToHttp(result.error);
    }
    reservation?.commit();
    return result.result as CommandResults[C['type']];
  }

  /** Visible sessions' lifecycle changes (created, destroyed). Returns the unsubscribe function. */
  onChange(listener: (change: SessionsChange) => void): () => void {
    return this.changeListeners.add(listener);
  }

  /** Every event of every session, with its record (for ownership filtering). */
  onEvent(listener: (event: SessionEvent, record: SessionRecord) => void): () => void {
    return this.eventListeners.add(listener);
  }

  count(): number {
    return this.sessions.size;
  }

  private track(handle: SessionHandle, name: string, createdBy: string): SessionInfo {
    const record: SessionRecord = {
      id: handle.id,
      name,
      created_at: new Date().toISOString(),
      created_by: createdBy,
      handle,
    };
    this.sessions.set(record.id, record);
    handle.subscribe((event) => {
      this.eventListeners.emit(event, record);
    });
    this.emitChange({ type: 'created', session: info(record), created_by: createdBy });
    return info(record);
  }

  private emitChange(change: SessionsChange): void {
    this.changeListeners.emit(change);
  }

  private checkNodeKind(caller: Caller, nodeId: string, kind: string): void {
    if (this.registry.get(kind)?.oneshotOnly) {
      throw new BadRequestException(
        `Node '${nodeId}' kind '${kind}' is oneshot-only and cannot be used in dynamic sessions`,
      );
    }
    caller.requireNode(nodeId, kind, 'session');
  }

  private byName(name: string): SessionRecord | undefined {
    for (const s of this.sessions.values()) if (s.name === name) return s;
    return undefined;
  }

  private atLimit(): boolean {
    const max = this.config.permissions.max_concurrent_sessions;
    return typeof max === 'number' && this.sessions.size >= max;
  }

  private checkLimit(): void {
    if (this.atLimit()) throw new TooManyRequestsException('Maximum concurrent sessions limit reached');
  }
}

function info(r: SessionRecord): SessionInfo {
  return { id: r.id, name: r.name, created_at: r.created_at };
}

function listProblems(prefix: string, problems: { message: string }[]): string {
  if (problems.length === 1) return `${prefix}: ${problems[0].message}`;
  return `${prefix}: ${problems.length} problems:\n${problems.map((p) => `- ${p.message}`).join('\n')}`;
}
