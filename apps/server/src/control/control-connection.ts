// One control WebSocket. Requests are read, rate-limited and handled one at a time in arrival order; the
// response goes out before any event queued meanwhile (StreamKit's order: a client sees `success`, then its
// own `nodeadded`). Events wait in a bounded per-client queue (the GraphQL subscriber queue): states and
// stats coalesce per node, telemetry beyond a bound is dropped, and structural events are never dropped:
// a client that falls too far behind them is closed with 4008. While the socket holds more unsent bytes
// than the bound, neither events nor further requests are taken, so a slow reader costs only itself.
import type { Logger } from 'pino';
import type WebSocket from 'ws';
import type { Caller } from '../permissions';
import { SubscriberQueue } from '../graphql/subscriber-queue';
import type { ControlCommands } from './control-commands';
import {
  CONTROL_CLOSE,
  InvalidRequest,
  parseRequest,
  type ControlResponse,
  type Envelope,
} from './control-protocol';

export interface ControlLimits {
  maxConnections: number;
  maxMessageBytes: number;
  maxMessagesPerSecond: number;
  maxPendingEvents: number;
  maxOutboundBytes: number;
}

/** A queued event: its JSON text, encoded once for every connection. */
export type EventClass = 'state' | 'stats' | 'telemetry' | 'structural';

/** Requests read ahead of the one being handled; reading pauses beyond this. */
const INBOX_HIGH = 64;
/** Telemetry events kept for a client that is behind; more are dropped. */
const TELEMETRY_PENDING = 256;
/** A close reason is at most 123 bytes. */
const MAX_REASON = 123;

export class ControlConnection {
  private readonly queue: SubscriberQueue<string>;
  private readonly inbox: string[] = [];
  private pumping = false;
  private handling = false;
  private closed = false;
  private tokens: number;
  private lastRefill = performance.now();
  /** Resolved when the socket has flushed enough (or closed). */
  private writableWaiters: (() => void)[] = [];
  /** Resolved when no request is being handled (or the socket closed). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly socket: WebSocket,
    readonly caller: Caller,
    private readonly commands: ControlCommands,
    private readonly limits: ControlLimits,
    private readonly log: Logger,
  ) {
    this.tokens = limits.maxMessagesPerSecond;
    this.queue = new SubscriberQueue<string>((v) => v, {
      structural: limits.maxPendingEvents,
      telemetry: TELEMETRY_PENDING,
    });
    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.once('close', () => this.onClose());
    socket.on('error', (err) => this.log.debug({ err }, 'Control WebSocket error'));
    this.queue.onClose(() => this.onQueueClosed());
    void this.deliverEvents();
  }

  /** Events waiting for this client, and bytes its socket has not sent yet. */
  get backlog(): { events: number; bytes: number } {
    return { events: this.queue.size, bytes: this.socket.bufferedAmount };
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  /** Whether this client may see events of a session created by `createdBy`. */
  canSee(createdBy: string): boolean {
    return this.caller.canAccessSession(createdBy);
  }

  /** Queues an event (O(1); never blocks the caller). `key` names the node a state/stats event concerns. */
  push(cls: EventClass, text: string, key?: string): void {
    switch (cls) {
      case 'state':
        return this.queue.pushState(key!, text);
      case 'stats':
        return this.queue.pushStats(key!, text);
      case 'telemetry':
        return this.queue.pushTelemetry(text);
      case 'structural':
        return this.queue.pushStructural(text, key);
    }
  }

  /** Closes the connection (server shutdown). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason);
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.closed) return;
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    const max = this.limits.maxMessageBytes;
    if (bytes.length > max) {
      this.closed = true;
      this.inbox.length = 0;
      this.socket.send(
        JSON.stringify({
          type: 'response',
          payload: { action: 'error', message: `WebSocket message too large (max ${max} bytes)` },
        }),
      );
      this.socket.close(CONTROL_CLOSE.MESSAGE_TOO_BIG, `Message too large (max ${max} bytes)`);
      this.wake();
      return;
    }
    // Binary frames carry nothing in this protocol.
    if (isBinary) return;
    this.inbox.push(bytes.toString('utf8'));
    if (this.inbox.length >= INBOX_HIGH) this.socket.pause();
    void this.pump();
  }

  /** Handles queued requests one at a time, within the rate limit and while the client takes its output. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.closed && this.inbox.length > 0) {
        await this.takeToken();
        await this.writable();
        if (this.closed) break;
        const text = this.inbox.shift()!;
        if (this.inbox.length < INBOX_HIGH / 2 && this.socket.isPaused) this.socket.resume();
        this.handling = true;
        try {
          await this.handle(text);
        } finally {
          this.handling = false;
          for (const w of this.idleWaiters.splice(0)) w();
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async handle(text: string): Promise<void> {
    let correlationId: string | undefined;
    let response: ControlResponse | undefined;
    try {
      const parsed = parseRequest(text);
      correlationId = parsed.correlationId;
      response = await this.commands.execute(this.caller, parsed.request);
    } catch (err) {
      if (err instanceof InvalidRequest) {
        correlationId = err.correlationId;
        response = { action: 'error', message: `Invalid JSON: ${err.message}` };
      } else {
        this.log.error({ err }, 'Control request failed');
        response = { action: 'error', message: 'Internal server error' };
      }
    }
    if (response === undefined || this.closed) return;
    const envelope: Envelope<ControlResponse> = {
      type: 'response',
      ...(correlationId !== undefined ? { correlation_id: correlationId } : {}),
      payload: response,
    };
    this.send(JSON.stringify(envelope));
  }

  /** Waits for a request token: at most `maxMessagesPerSecond` a second, bursts of as many. */
  private async takeToken(): Promise<void> {
    const rate = this.limits.maxMessagesPerSecond;
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(rate, this.tokens + ((now - this.lastRefill) / 1000) * rate);
      this.lastRefill = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / rate) * 1000)));
      if (this.closed) return;
    }
  }

  private async deliverEvents(): Promise<void> {
    try {
      for await (const text of this.queue) {
        while (!this.closed && (this.handling || this.socket.bufferedAmount > this.limits.maxOutboundBytes)) {
          if (this.handling) await new Promise<void>((r) => this.idleWaiters.push(r));
          else await this.writable();
        }
        if (this.closed) break;
        this.send(text);
      }
    } catch {
      // The failure was handled when the queue closed.
    }
  }

  /** The queue fails (closes) only when the client fell more than `maxPendingEvents` structural events behind. */
  private onQueueClosed(): void {
    if (this.closed) return;
    const max = this.limits.maxPendingEvents;
    this.log.warn(
      { role: this.caller.role },
      `Control WebSocket closed: the client fell more than ${max} structural events behind`,
    );
    this.close(
      CONTROL_CLOSE.SLOW_CLIENT,
      `Client too slow: over ${max} structural events pending (server.control.max_pending_events); reconnect and refetch`,
    );
  }

  private send(text: string): void {
    this.socket.send(text, () => {
      if (this.socket.bufferedAmount <= this.limits.maxOutboundBytes) this.wakeWritable();
    });
  }

  private writable(): Promise<void> {
    if (this.closed || this.socket.bufferedAmount <= this.limits.maxOutboundBytes) return Promise.resolve();
    return new Promise((r) => this.writableWaiters.push(r));
  }

  private wakeWritable(): void {
    for (const w of this.writableWaiters.splice(0)) w();
  }

  private wake(): void {
    this.wakeWritable();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private onClose(): void {
    this.closed = true;
    this.inbox.length = 0;
    void this.queue.return();
    this.wake();
  }
}
