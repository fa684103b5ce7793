// Fans session events out to GraphQL subscribers: one listener on SessionsService, events mapped once and
// pushed (synchronously, O(1) each) into the subscribers' own bounded queues, so the engine never waits
// for a subscriber and a slow one never delays the others.
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Listeners, type SessionEvent } from '@streamkit/pipeline';
import { SessionsService, type SessionsChange as ServiceChange } from '../sessions/sessions.service';
import { sessionEvent, sessionInfo, withMissed, type SessionEventValue } from './mappers';
import { installSharedExecution, markShared } from './shared-execution';
import { SubscriberQueue } from './subscriber-queue';
import type { SessionsChange } from './event-types';
import { SessionEventType, SessionsChangeType } from './types';

/** A subscriber of one session's events. */
export interface SessionSink {
  accept(value: SessionEventValue): void;
  /** The session is gone (or the server stops): complete after what is pending. */
  end(): void;
}

const NODE_SCOPED_STRUCTURAL = new Set<SessionEventType>([
  SessionEventType.NODE_ADDED,
  SessionEventType.NODE_REMOVED,
]);

@Injectable()
export class SessionEventHub implements OnModuleInit, OnModuleDestroy {
  private readonly sinks = new Map<string, Set<SessionSink>>();
  private readonly changeSinks = new Listeners<[ServiceChange]>('sessions change');
  private unsubscribe: (() => void) | undefined;
  private unsubscribeChanges: (() => void) | undefined;

  constructor(private readonly sessions: SessionsService) {
    installSharedExecution();
  }

  onModuleInit(): void {
    this.unsubscribe = this.sessions.onEvent((event) => this.dispatch(event));
    this.unsubscribeChanges = this.sessions.onChange((change) => {
      this.changeSinks.emit(change);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.unsubscribeChanges?.();
    this.changeSinks.clear();
    for (const set of this.sinks.values()) for (const sink of set) sink.end();
    this.sinks.clear();
  }

  /** Attaches a sink to a session's events; returns the detach function. */
  attach(sessionId: string, sink: SessionSink): () => void {
    let set = this.sinks.get(sessionId);
    if (!set) this.sinks.set(sessionId, (set = new Set()));
    set.add(sink);
    return () => {
      const current = this.sinks.get(sessionId);
      if (!current) return;
      current.delete(sink);
      if (current.size === 0) this.sinks.delete(sessionId);
    };
  }

  /** Live subscribers of a session (tests wait on this before acting). */
  subscriberCount(sessionId: string): number {
    return this.sinks.get(sessionId)?.size ?? 0;
  }

  /** Live `sessionsChanged` subscribers (tests wait on this before acting). */
  changeSubscriberCount(): number {
    return this.changeSinks.size;
  }

  /** Sessions created and destroyed, for those `visible` accepts (by creator); structural, never dropped. */
  sessionsChanges(visible: (createdBy: string) => boolean): SubscriberQueue<SessionsChange> {
    const queue = new SubscriberQueue<SessionsChange>((v) => v);
    const sink = (change: ServiceChange) => {
      if (!visible(change.created_by)) return;
      queue.pushStructural({
        type: change.type === 'created' ? SessionsChangeType.CREATED : SessionsChangeType.DESTROYED,
        session: sessionInfo(change.session),
      });
    };
    queue.onClose(this.changeSinks.add(sink));
    return queue;
  }

  /** Every event of the session, with the delivery rules of `SubscriberQueue`. */
  sessionEvents(sessionId: string): SubscriberQueue<SessionEventValue> {
    const queue = new SubscriberQueue(withMissed);
    this.bind(queue, sessionId, {
      accept(v) {
        switch (v.type) {
          case SessionEventType.NODE_STATE_CHANGED:
            return queue.pushState(v.nodeId!, v);
          case SessionEventType.NODE_STATS_UPDATED:
            return queue.pushStats(v.nodeId!, v);
          case SessionEventType.NODE_TELEMETRY:
            return queue.pushTelemetry(v);
          default:
            return queue.pushStructural(v, NODE_SCOPED_STRUCTURAL.has(v.type) ? v.nodeId : undefined);
        }
      },
      end: () => queue.end(),
    });
    return queue;
  }

  /** Node state changes only; the latest state of every node always arrives. */
  nodeStates(sessionId: string): { queue: SubscriberQueue<SessionEventValue>; seen: Set<string> } {
    const queue = new SubscriberQueue(withMissed);
    const seen = new Set<string>();
    this.bind(queue, sessionId, {
      accept(v) {
        if (v.type !== SessionEventType.NODE_STATE_CHANGED) return;
        seen.add(v.nodeId!);
        queue.pushState(v.nodeId!, v);
      },
      end: () => queue.end(),
    });
    return { queue, seen };
  }

  /** The latest stats of each node that reported, at most once per `intervalMs` per node. */
  nodeStats(sessionId: string, intervalMs: number): SubscriberQueue<SessionEventValue> {
    const queue = new SubscriberQueue(withMissed);
    const latest = new Map<string, SessionEventValue>();
    const timer = setInterval(() => {
      for (const [nodeId, v] of latest) queue.pushStats(nodeId, v);
      latest.clear();
    }, intervalMs);
    timer.unref();
    queue.onClose(() => clearInterval(timer));
    this.bind(queue, sessionId, {
      accept(v) {
        if (v.type === SessionEventType.NODE_STATS_UPDATED) latest.set(v.nodeId!, v);
        else if (v.type === SessionEventType.NODE_REMOVED) latest.delete(v.nodeId!);
      },
      end: () => queue.end(),
    });
    return queue;
  }

  private bind(queue: SubscriberQueue<SessionEventValue>, sessionId: string, sink: SessionSink): void {
    const detach = this.attach(sessionId, sink);
    queue.onClose(detach);
  }

  private dispatch(event: SessionEvent): void {
    const set = this.sinks.get(event.session_id);
    if (!set) return;
    // One value for every subscriber: executed and encoded once per subscription document.
    const value = markShared(sessionEvent(event));
    for (const sink of set) sink.accept(value);
    if (event.type === 'session_destroyed') {
      this.sinks.delete(event.session_id);
      for (const sink of set) sink.end();
    }
  }
}
