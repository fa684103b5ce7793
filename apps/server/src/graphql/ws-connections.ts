// Guards every GraphQL WebSocket (graphql-ws on /api/v1/graphql) before mercurius sees its messages: a cap on
// open connections, a deadline for `connection_init`, the role named in connection params checked like a
// header (refused with 4403), each operation's cost checked before mercurius parses it, a cap on subscriptions,
// and an outbound bound: a client that stops reading is dropped once its subscriptions hold too many events or
// its socket too many unsent bytes, instead of the server buffering for it.
import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { CONFIG, type Config } from '../config';
import { TooManyRequestsException } from '../common/errors';
import { LOGGER } from '../common/logging';
import { PermissionsService, RoleHeaderError } from '../permissions/permissions.service';
import { connectionHeaders, type GqlContext } from './gql-context';
import { checkDocumentCost, checkSourceShape, type SourceLimits } from './query-cost';
import type { SubscriberQueue } from './subscriber-queue';

/** Largest message a client may send (a `subscribe` with its query and variables). */
export const WS_MAX_PAYLOAD = 1024 * 1024;

export const GRAPHQL_PATH = '/api/v1/graphql';

/**
 * The shared WebSocket server's frame limit (GraphQL and the control WebSocket): above both endpoints' own
 * limits, so each answers an oversize message in its own protocol; larger frames are closed (1009) by `ws`.
 */
export function wsServerMaxPayload(config: Config): number {
  return Math.max(WS_MAX_PAYLOAD, config.server.control.max_message_bytes) + 64 * 1024;
}

/** RFC 6455 "Message Too Big". */
const CLOSE_TOO_BIG = 1009;

/** graphql-ws close codes. */
const CLOSE_FORBIDDEN = 4403;
const CLOSE_INIT_TIMEOUT = 4408;
/** RFC 6455 "Try Again Later". */
const CLOSE_TRY_LATER = 1013;
/** A close reason is at most 123 bytes. */
const MAX_REASON = 123;

export const RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE';

export interface GraphqlLimits extends SourceLimits {
  maxResponseBytes: number;
  maxConnections: number;
  initTimeoutMs: number;
  maxSubscriptions: number;
  maxPendingEvents: number;
  maxOutboundBytes: number;
}

export function graphqlLimits(config: Config): GraphqlLimits {
  const g = config.server.graphql;
  return {
    maxDepth: g.max_depth,
    maxAliases: g.max_aliases,
    maxFields: g.max_fields,
    maxTokens: g.max_tokens,
    maxResponseBytes: g.max_response_bytes,
    maxConnections: g.max_connections,
    initTimeoutMs: g.connection_init_timeout_ms,
    maxSubscriptions: g.max_subscriptions_per_connection,
    maxPendingEvents: g.max_pending_events_per_connection,
    maxOutboundBytes: g.max_outbound_buffer_bytes,
  };
}

/** The error text of a result over `max_response_bytes` (HTTP and WebSocket alike). */
export function responseTooLargeMessage(bytes: number, max: number): string {
  return (
    `GraphQL result of ${bytes} bytes exceeds server.graphql.max_response_bytes (${max}); ` +
    'select fewer fields or items'
  );
}

type SendCallback = (err?: Error) => void;

/**
 * The server-side socket class of the GraphQL WebSocket server. Until `ConnectionGuard` adopts it, it behaves
 * like a plain `ws` socket.
 */
export class GraphqlSocket extends WebSocket {
  guard: ConnectionGuard | undefined;

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message' && this.guard && !this.guard.admit(args[0] as WebSocket.RawData)) return false;
    return super.emit(event, ...args);
  }

  override send(data: unknown, options?: unknown, cb?: unknown): void {
    const callback = (typeof options === 'function' ? options : cb) as SendCallback | undefined;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as object;
    const guard = this.guard;
    if (guard) {
      const refused = guard.beforeSend();
      if (refused) {
        callback?.(refused);
        return;
      }
      if (typeof data === 'string') data = guard.capResponse(data);
    }
    super.send(data as Buffer, opts, callback);
  }
}

/** State and rules of one GraphQL WebSocket. */
class ConnectionGuard {
  private subscriptions = 0;
  private pending = 0;
  private initialised = false;
  private dropped = false;
  private readonly initTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: GraphqlSocket,
    private readonly upgrade: IncomingMessage,
    private readonly owner: GraphqlConnections,
  ) {
    this.initTimer = setTimeout(
      () => this.close(CLOSE_INIT_TIMEOUT, 'Connection initialisation timeout'),
      owner.limits.initTimeoutMs,
    );
    this.initTimer.unref();
    socket.once('close', () => clearTimeout(this.initTimer));
  }

  /** False when the message was answered here (refused) and must not reach mercurius. */
  admit(raw: WebSocket.RawData): boolean {
    let message: unknown;
    try {
      const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      if (bytes.length > WS_MAX_PAYLOAD) {
        this.close(CLOSE_TOO_BIG, `Message too big (max ${WS_MAX_PAYLOAD} bytes)`);
        return false;
      }
      message = JSON.parse(bytes.toString('utf8'));
    } catch {
      return true; // mercurius answers malformed messages itself
    }
    if (typeof message !== 'object' || message === null) return true;
    const { type, id, payload } = message as { type?: unknown; id?: unknown; payload?: unknown };
    if (type === 'connection_init') return this.init(payload);
    if (type === 'subscribe' || type === 'start') return this.checkOperation(id, payload);
    return true;
  }

  /** An `Error` when the socket is being dropped or its outbound buffer is over the bound. */
  beforeSend(): Error | undefined {
    if (this.dropped) return new Error('GraphQL WebSocket dropped');
    const buffered = this.socket.bufferedAmount;
    if (buffered <= this.owner.limits.maxOutboundBytes) return undefined;
    this.drop(
      `${buffered} bytes not taken by the client (server.graphql.max_outbound_buffer_bytes is ` +
        `${this.owner.limits.maxOutboundBytes})`,
    );
    return new Error('GraphQL WebSocket dropped: slow reader');
  }

  /** A result message over `max_response_bytes` becomes an error for the same operation. */
  capResponse(data: string): string {
    const max = this.owner.limits.maxResponseBytes;
    // UTF-8 needs at most 3 bytes per UTF-16 unit: most messages are cleared without measuring.
    if (data.length * 3 <= max) return data;
    const bytes = Buffer.byteLength(data);
    if (bytes <= max) return data;
    const head = /^\{"type":"(next|data)","id":("(?:[^"\\]|\\.)*")/.exec(data.slice(0, 512));
    const id: unknown = head ? JSON.parse(head[2]) : undefined;
    return JSON.stringify({
      type: 'error',
      id,
      payload: [{ message: responseTooLargeMessage(bytes, max), extensions: { code: RESPONSE_TOO_LARGE } }],
    });
  }

  /** Counts a subscription against the connection's cap and its queue against the pending-events bound. */
  addSubscription(queue: SubscriberQueue<unknown>): void {
    const max = this.owner.limits.maxSubscriptions;
    if (this.subscriptions >= max) {
      throw new TooManyRequestsException(
        `Too many subscriptions on this connection (server.graphql.max_subscriptions_per_connection is ${max})`,
      );
    }
    this.subscriptions++;
    queue.onClose(() => this.subscriptions--);
    queue.trackPending((delta) => this.pendingChanged(delta));
  }

  private pendingChanged(delta: number): void {
    this.pending += delta;
    const max = this.owner.limits.maxPendingEvents;
    if (this.pending > max) {
      this.drop(
        `${this.pending} events waiting for the client (server.graphql.max_pending_events_per_connection is ${max})`,
      );
    }
  }

  private init(payload: unknown): boolean {
    if (!this.initialised) {
      this.initialised = true;
      clearTimeout(this.initTimer);
    }
    const header = this.owner.permissions.roleHeader;
    // A role on the upgrade request was checked by the HTTP hook and wins over connection params.
    if (!header || this.upgrade.headers[header] !== undefined) return true;
    try {
      this.owner.permissions.roleNameFor(connectionHeaders(payload));
      return true;
    } catch (err) {
      if (!(err instanceof RoleHeaderError)) throw err;
      this.close(CLOSE_FORBIDDEN, `Forbidden: ${err.message}`);
      return false;
    }
  }

  private checkOperation(id: unknown, payload: unknown): boolean {
    const query = (payload as { query?: unknown } | undefined)?.query;
    try {
      if (typeof query !== 'string') throw new Error('payload.query must be a GraphQL document string');
      const limits = this.owner.limits;
      checkSourceShape(query, limits);
      checkDocumentCost(parse(query, { maxTokens: limits.maxTokens }), limits);
      return true;
    } catch (err) {
      const e = err as Error & { extensions?: Record<string, unknown> };
      this.socket.send(
        JSON.stringify({
          type: 'error',
          id,
          payload: [{ message: e.message, extensions: e.extensions ?? { code: 'BAD_REQUEST' } }],
        }),
      );
      return false;
    }
  }

  private drop(reason: string): void {
    if (this.dropped) return;
    this.dropped = true;
    this.owner.log.warn(
      { remote: this.upgrade.socket.remoteAddress },
      `GraphQL WebSocket dropped: ${reason}`,
    );
    // A reader this slow would not take a close frame either: cut the connection.
    this.socket.terminate();
  }

  private close(code: number, reason: string): void {
    this.socket.close(code, reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason);
  }
}

@Injectable()
export class GraphqlConnections {
  readonly limits: GraphqlLimits;
  private readonly byUpgrade = new WeakMap<IncomingMessage, ConnectionGuard>();
  private open = 0;

  constructor(
    @Inject(CONFIG) config: Config,
    readonly permissions: PermissionsService,
    @Inject(LOGGER) readonly log: Logger,
  ) {
    this.limits = graphqlLimits(config);
  }

  /** GraphQL WebSockets open now. */
  get size(): number {
    return this.open;
  }

  /** For the WebSocket server's `connection` event, which fires before mercurius reads any message. */
  readonly onConnection = (socket: WebSocket, upgrade: IncomingMessage): void => {
    // The control WebSocket shares the server: only GraphQL's upgrades are guarded here.
    if (!(socket instanceof GraphqlSocket) || !isGraphqlUpgrade(upgrade)) return;
    if (this.open >= this.limits.maxConnections) {
      socket.close(
        CLOSE_TRY_LATER,
        `Too many GraphQL connections (server.graphql.max_connections is ${this.limits.maxConnections})`,
      );
      return;
    }
    this.open++;
    socket.once('close', () => this.open--);
    const guard = new ConnectionGuard(socket, upgrade, this);
    socket.guard = guard;
    this.byUpgrade.set(upgrade, guard);
  };

  /**
   * Counts a subscription queue against its connection's limits; throws 429 over the subscription cap (the
   * queue is closed then). A subscription outside a guarded WebSocket is refused: there is no other transport.
   */
  adopt<T>(ctx: GqlContext, queue: SubscriberQueue<T>): SubscriberQueue<T> {
    const raw = (ctx.request ?? ctx.reply?.request)?.raw;
    const guard = raw ? this.byUpgrade.get(raw) : undefined;
    try {
      if (!guard) throw new BadRequestException('Subscriptions need the GraphQL WebSocket');
      guard.addSubscription(queue as SubscriberQueue<unknown>);
    } catch (err) {
      void queue.return();
      throw err;
    }
    return queue;
  }
}

/** The upgrade's path (the base path, if any, still on it) is GraphQL's. */
function isGraphqlUpgrade(upgrade: IncomingMessage): boolean {
  const url = upgrade.url ?? '';
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).endsWith(GRAPHQL_PATH);
}
