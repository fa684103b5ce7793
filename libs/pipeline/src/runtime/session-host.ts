// The SessionHost seam: where graphs run (dynamic sessions and oneshot runs), in this process or on a pool of
// worker threads (`workers/`). Everything crossing it is a JSON value (commands, results, events) or bytes.
import type { PipelineSpec, ValidationProblem } from '../definition/types';
import { withLogFields } from './node-runner';
import type { EngineLimits } from '../definition/limits';
import { runOneshot, type OneshotRun } from './oneshot';
import { Session, type SessionOptions } from './session';
import type { CommandResults, SessionCommand } from './commands';
import type { CommandResult, SessionEvent } from './session-types';
import type { KindSource } from './workers/protocol';

export interface SessionHandle {
  readonly id: string;
  readonly name?: string;
  /** The worker slot the session runs on (absent when it runs on the calling thread). */
  readonly worker?: number;
  /** Unknown params ignored when the session was created from a spec (one per node and key). */
  readonly warnings?: ValidationProblem[];
  execute<C extends SessionCommand>(command: C): Promise<CommandResult<CommandResults[C['type']]>>;
  subscribe(listener: (event: SessionEvent) => void): () => void;
}

/** A oneshot run as a host takes it: the registry, services and limits are the host's own. */
export interface HostedOneshotOptions {
  /**
   * The uploaded media fed to `streamkit::http_input`. A worker host takes chunks that own their whole
   * ArrayBuffer by transfer: do not touch a chunk after handing it over.
   */
  input?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  inputContentType?: string;
  /** Aborting cancels the run. */
  signal?: AbortSignal;
  channelCapacity?: number;
  batchSize?: number;
  outputCapacity?: number;
  /** Pipeline bounds (node count, depth...); the engine's defaults when absent. */
  limits?: Partial<EngineLimits>;
}

export interface SessionHost {
  /** Create and start a session (throws SessionCommandError when `spec` is invalid). */
  create(options: { id?: string; name?: string; spec?: PipelineSpec }): Promise<SessionHandle>;
  get(id: string): SessionHandle | undefined;
  list(): SessionHandle[];
  /** Destroy a session; false when there is none with this id. */
  destroy(id: string): Promise<boolean>;
  /** Run a oneshot pipeline (see `runOneshot`: rejects with OneshotError before the first output byte). */
  runOneshot(spec: PipelineSpec, options: HostedOneshotOptions): Promise<OneshotRun>;
  /**
   * A kind was added to the caller's registry (a plugin loaded, a module of node definitions): make it
   * usable wherever graphs run. Resolves once it is; rejects with the reason when a worker cannot load it.
   */
  addKindSource(source: KindSource): Promise<void>;
  /** A kind was removed from the caller's registry: new nodes of it are refused everywhere. */
  removeKind(kind: string): Promise<void>;
  /** Destroy every session (server shutdown). */
  close(): Promise<void>;
}

export type InProcessHostOptions = Omit<SessionOptions, 'id' | 'name'>;

/** Runs every graph on this thread's event loop (`[engine].workers = 0`, tests, and inside each worker). */
export class InProcessSessionHost implements SessionHost {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly defaults: InProcessHostOptions) {}

  async create(options: { id?: string; name?: string; spec?: PipelineSpec }): Promise<Session> {
    const id = options.id ?? crypto.randomUUID();
    const log = this.defaults.log ? withLogFields(this.defaults.log, { session_id: id }) : undefined;
    const session = await Session.create({ ...this.defaults, id, name: options.name, log }, options.spec);
    this.sessions.set(session.id, session);
    session.subscribe((e) => {
      if (e.type === 'session_destroyed') this.sessions.delete(session.id);
    });
    return session;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  list(): Session[] {
    return [...this.sessions.values()];
  }

  async destroy(id: string): Promise<boolean> {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    await s.destroy();
    return true;
  }

  runOneshot(spec: PipelineSpec, options: HostedOneshotOptions): Promise<OneshotRun> {
    const d = this.defaults;
    return runOneshot(spec, {
      registry: d.registry,
      services: d.services,
      log: d.log ? withLogFields(d.log, { oneshot: true }) : undefined,
      ...options,
    });
  }

  /** The registry is shared with the caller: nothing to do. */
  async addKindSource(): Promise<void> {}

  async removeKind(): Promise<void> {}

  async close(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.destroy(id)));
  }
}
