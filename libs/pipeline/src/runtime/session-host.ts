// The SessionHost seam: where sessions run (in this process now; worker threads or other machines later).
// Everything crossing it is a JSON value (commands, results, events).
import type { PipelineSpec } from '../spec/types';
import { Session, type SessionOptions } from './session';
import type { CommandResult, CommandResults, SessionCommand, SessionEvent } from './session-types';

export interface SessionHandle {
  readonly id: string;
  readonly name?: string;
  execute<C extends SessionCommand>(command: C): Promise<CommandResult<CommandResults[C['type']]>>;
  subscribe(listener: (event: SessionEvent) => void): () => void;
}

export interface SessionHost {
  /** Create and start a session (throws SessionCommandError when `spec` is invalid). */
  create(options: { id?: string; name?: string; spec?: PipelineSpec }): Promise<SessionHandle>;
  get(id: string): SessionHandle | undefined;
  list(): SessionHandle[];
  /** Destroy a session; false when there is none with this id. */
  destroy(id: string): Promise<boolean>;
  /** Destroy every session (server shutdown). */
  close(): Promise<void>;
}

/** Runs every session on this thread's event loop. */
export class InProcessSessionHost implements SessionHost {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly defaults: Omit<SessionOptions, 'id' | 'name'>) {}

  async create(options: { id?: string; name?: string; spec?: PipelineSpec }): Promise<Session> {
    const session = await Session.create(
      { ...this.defaults, id: options.id, name: options.name },
      options.spec,
    );
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

  async close(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.destroy(id)));
  }
}
