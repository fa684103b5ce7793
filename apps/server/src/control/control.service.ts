// StreamKit's control WebSocket at /api/v1/control (and under the base path): the route on the shared
// WebSocket server (@fastify/websocket, whose upgrade passes the same onRequest hooks as every request: the
// origin check and the fail-closed role header), a cap on open connections, and one fan-out of session events
// and lifecycle changes, each encoded once and queued O(1) per client that may see its session.
import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { SessionEvent } from '@streamkit/pipeline';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import { CONFIG, type Config } from '../config';
import { LOGGER } from '../common/logging';
import { SessionsService, type SessionRecord, type SessionsChange } from '../sessions/sessions.service';
import { ControlCommands } from './control-commands';
import { ControlConnection, type ControlLimits, type EventClass } from './control-connection';
import { CONTROL_CLOSE, CONTROL_PATH, type ControlEvent, type Envelope } from './control-protocol';

export function controlLimits(config: Config): ControlLimits {
  const c = config.server.control;
  return {
    maxConnections: c.max_connections,
    maxMessageBytes: c.max_message_bytes,
    maxMessagesPerSecond: c.max_messages_per_second,
    maxPendingEvents: c.max_pending_events,
    maxOutboundBytes: c.max_outbound_buffer_bytes,
  };
}

/** The wire event for an engine event, its delivery class and node key; undefined for those not sent. */
export function wireEvent(
  e: SessionEvent,
): { event: ControlEvent; cls: EventClass; key?: string } | undefined {
  const key = 'node_id' in e ? `${e.session_id}\n${e.node_id}` : undefined;
  const sid = e.session_id;
  switch (e.type) {
    case 'node_added':
      return {
        event: { event: 'nodeadded', session_id: sid, node_id: e.node_id, kind: e.kind, params: e.params },
        cls: 'structural',
        key,
      };
    case 'node_removed':
      return { event: { event: 'noderemoved', session_id: sid, node_id: e.node_id }, cls: 'structural', key };
    case 'connection_added':
    case 'connection_removed':
      return {
        event: {
          event: e.type === 'connection_added' ? 'connectionadded' : 'connectionremoved',
          session_id: sid,
          from_node: e.from_node,
          from_pin: e.from_pin,
          to_node: e.to_node,
          to_pin: e.to_pin,
        },
        cls: 'structural',
      };
    case 'node_params_changed':
      return {
        event: {
          event: 'nodeparamschanged',
          session_id: sid,
          node_id: e.node_id,
          params: e.params,
          changed: e.changed,
        },
        cls: 'structural',
      };
    case 'node_state':
      return {
        event: {
          event: 'nodestatechanged',
          session_id: sid,
          node_id: e.node_id,
          state: e.state,
          timestamp: e.timestamp,
        },
        cls: 'state',
        key,
      };
    case 'node_stats':
      return {
        event: {
          event: 'nodestatsupdated',
          session_id: sid,
          node_id: e.node_id,
          stats: e.stats,
          timestamp: e.timestamp,
        },
        cls: 'stats',
        key,
      };
    case 'node_telemetry':
      return {
        event: {
          event: 'nodetelemetry',
          session_id: sid,
          node_id: e.node_id,
          type_id: e.type_id,
          data: e.data,
          timestamp_us: e.timestamp_us,
          timestamp: e.timestamp,
        },
        cls: 'telemetry',
      };
    case 'session_destroyed':
      // Sent from the lifecycle change, once the session is gone from every API.
      return undefined;
  }
}

function encode(event: ControlEvent): string {
  const envelope: Envelope<ControlEvent> = { type: 'event', payload: event };
  return JSON.stringify(envelope);
}

@Injectable()
export class ControlService implements OnApplicationBootstrap, OnModuleDestroy {
  readonly limits: ControlLimits;
  private readonly connections = new Set<ControlConnection>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly adapterHost: HttpAdapterHost,
    private readonly sessions: SessionsService,
    private readonly commands: ControlCommands,
  ) {
    this.limits = controlLimits(config);
  }

  /** Control WebSockets open now (one being closed no longer counts). */
  get size(): number {
    let open = 0;
    for (const c of this.connections) if (c.isOpen) open++;
    return open;
  }

  /** Per connection: events queued and bytes unsent (diagnostics and tests). */
  backlogs(): { events: number; bytes: number }[] {
    return [...this.connections].map((c) => c.backlog);
  }

  /**
   * After every module's init: the WebSocket plugin is registered by the GraphQL module's driver then, and a
   * Fastify plugin registered after it loads after it at `ready()`.
   */
  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(async (scope) => {
      scope.get(CONTROL_PATH, { websocket: true }, (socket, request) => this.accept(socket, request));
    });
    this.unsubscribe.push(
      this.sessions.onEvent((event, record) => this.onSessionEvent(event, record)),
      this.sessions.onChange((change) => this.onSessionsChange(change)),
    );
  }

  onModuleDestroy(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const c of this.connections) c.close(1001, 'Server shutting down');
  }

  private accept(socket: WebSocket, request: FastifyRequest): void {
    const caller = request.caller;
    if (!caller) {
      // The onRequest hook resolves every request's caller; without one, refuse rather than guess.
      socket.close(1011, 'No role resolved');
      return;
    }
    if (this.size >= this.limits.maxConnections) {
      socket.close(
        CONTROL_CLOSE.TRY_AGAIN_LATER,
        `Too many control connections (server.control.max_connections is ${this.limits.maxConnections})`,
      );
      return;
    }
    const connection = new ControlConnection(socket, caller, this.commands, this.limits, this.log);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
  }

  private onSessionEvent(event: SessionEvent, record: SessionRecord): void {
    if (this.connections.size === 0) return;
    const wire = wireEvent(event);
    if (!wire) return;
    const text = encode(wire.event);
    for (const c of this.connections) if (c.canSee(record.created_by)) c.push(wire.cls, text, wire.key);
  }

  private onSessionsChange(change: SessionsChange): void {
    if (this.connections.size === 0) return;
    const s = change.session;
    const text = encode(
      change.type === 'created'
        ? { event: 'sessioncreated', session_id: s.id, name: s.name, created_at: s.created_at }
        : { event: 'sessiondestroyed', session_id: s.id },
    );
    for (const c of this.connections) if (c.canSee(change.created_by)) c.push('structural', text);
  }
}
