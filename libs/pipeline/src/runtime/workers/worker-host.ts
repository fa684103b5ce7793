// A SessionHost that runs graphs on a pool of worker threads: each session and oneshot run is placed on the
// least loaded worker and stays there. The main thread only routes commands, events and bytes. A worker's
// death fails only what ran on it (`Failed{reason}`) and the pool starts a replacement.
import { randomUUID } from 'node:crypto';
import { MessageChannel } from 'node:worker_threads';
import type { PipelineSpec, ValidationProblem } from '../../definition/types';
import { OneshotError, type OneshotRun } from '../oneshot';
import type { HostedOneshotOptions, SessionHost } from '../session-host';
import type { SessionCommand } from '../commands';
import type { CommandResult, SessionEvent } from '../session-types';
import {
  WorkerLostError,
  WorkerPool,
  type WorkerChannelFactory,
  type WorkerInfo,
  type WorkerPoolOptions,
  type WorkerSlot,
} from './pool';
import type { KindSource } from './protocol';
import { RemoteOneshot } from './remote-oneshot';
import { RemoteSession, type RemoteSessionLink } from './remote-session';

export type WorkerSessionHostOptions = WorkerPoolOptions;

/** Where a graph was placed: the slot, and which of its successive workers. */
interface Placed {
  slot: WorkerSlot;
  generation: number;
}

export class WorkerSessionHost implements SessionHost {
  readonly pool: WorkerPool;
  private readonly sessions = new Map<string, RemoteSession>();
  private readonly slotOf = new Map<RemoteSession, Placed>();
  private readonly runs = new Map<RemoteOneshot, Placed>();
  private started = false;
  private closed = false;
  private readonly link: RemoteSessionLink = {
    send: (session, command) => this.send(session, command),
    ended: (session) => this.forget(session),
  };

  constructor(options: WorkerSessionHostOptions) {
    this.pool = new WorkerPool(options);
  }

  /** A per-worker port (e.g. the MoQ relay link); register before `start`. */
  addChannel(name: string, factory: WorkerChannelFactory): void {
    this.pool.addChannel(name, factory);
  }

  /** Starts the workers (also done by the first session or run). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.pool.start({
      onEvents: (_slot, events) => this.route(events),
      onLost: (slot, reason) => this.lost(slot, reason),
    });
  }

  workers(): WorkerInfo[] {
    return this.pool.info();
  }

  async create(options: { id?: string; name?: string; spec?: PipelineSpec }): Promise<RemoteSession> {
    this.start();
    const slot = this.pool.place();
    const id = options.id ?? randomUUID();
    const session = new RemoteSession(
      id,
      options.name ?? options.spec?.name,
      slot.index,
      this.link,
      options.spec?.description,
    );
    this.sessions.set(id, session);
    this.slotOf.set(session, { slot, generation: slot.restarts });
    try {
      const created = await this.pool.request<{ warnings?: ValidationProblem[] } | undefined>(slot, {
        t: 'create',
        id,
        name: options.name,
        spec: options.spec,
      });
      session.warnings = created?.warnings ?? [];
    } catch (err) {
      this.forget(session);
      if (err instanceof WorkerLostError) {
        throw new Error(`Session could not start: ${err.message}`, { cause: err });
      }
      throw err;
    }
    return session;
  }

  get(id: string): RemoteSession | undefined {
    const s = this.sessions.get(id);
    return s && !s.closing ? s : undefined;
  }

  list(): RemoteSession[] {
    return [...this.sessions.values()].filter((s) => !s.closing);
  }

  async destroy(id: string): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || session.closing) return false;
    session.closing = true;
    const placed = this.slotOf.get(session);
    if (session.failed || !placed) {
      session.destroyLocally();
      return true;
    }
    try {
      await this.pool.request(placed.slot, { t: 'destroy', session: id });
    } catch {
      // The worker died meanwhile: `lost` already failed the session; end it here.
    }
    session.destroyLocally();
    return true;
  }

  async runOneshot(spec: PipelineSpec, options: HostedOneshotOptions): Promise<OneshotRun> {
    this.start();
    let slot: WorkerSlot;
    try {
      slot = this.pool.place();
    } catch (err) {
      throw new OneshotError((err as Error).message, 'failed');
    }
    const { port1, port2 } = new MessageChannel();
    const run = new RemoteOneshot(port1, options);
    const placed = { slot, generation: slot.restarts };
    this.runs.set(run, placed);
    const release = () => {
      if (this.runs.delete(run)) this.pool.release(slot, placed.generation);
    };
    run.done.then(release, release);
    try {
      this.pool.post(
        slot,
        {
          t: 'oneshot',
          spec,
          port: port2,
          input: options.input !== undefined,
          inputContentType: options.inputContentType,
          tuning: {
            channelCapacity: options.channelCapacity,
            batchSize: options.batchSize,
            outputCapacity: options.outputCapacity,
            limits: options.limits,
          },
        },
        [port2],
      );
    } catch (err) {
      run.lost((err as Error).message);
    }
    return run.whenStarted();
  }

  addKindSource(source: KindSource): Promise<void> {
    return this.pool.addKind(source);
  }

  removeKind(kind: string): Promise<void> {
    return this.pool.removeKind(kind);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.started) return;
    await this.pool.close();
    for (const session of [...this.sessions.values()]) session.destroyLocally();
  }

  private send(session: RemoteSession, command: SessionCommand): Promise<CommandResult<unknown>> {
    const placed = this.slotOf.get(session);
    if (!placed) return Promise.reject(new WorkerLostError(`session '${session.id}' has no worker`));
    return this.pool.request(placed.slot, { t: 'exec', session: session.id, command });
  }

  private route(events: SessionEvent[]): void {
    for (const e of events) this.sessions.get(e.session_id)?.deliver(e);
  }

  private lost(slot: WorkerSlot, reason: string): void {
    for (const [session, p] of this.slotOf) if (p.slot === slot) session.fail(reason);
    for (const [run, p] of this.runs) if (p.slot === slot) run.lost(reason);
  }

  private forget(session: RemoteSession): void {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    const placed = this.slotOf.get(session);
    if (placed) {
      this.slotOf.delete(session);
      this.pool.release(placed.slot, placed.generation);
    }
  }
}
