// Telemetry events emitted by nodes: StreamKit's `core::telemetry/event@1` shape, a per-event-type rate
// limit, and the string truncation applied where events leave a session.

export const TELEMETRY_TYPE_ID = 'core::telemetry/event@1';

export interface TelemetryEvent {
  node_id: string;
  session_id?: string;
  type_id: typeof TELEMETRY_TYPE_ID;
  /** Always contains `event_type`; non-object payloads are wrapped as `{event_type, value}`. */
  data: Record<string, unknown>;
  /** Emit time, microseconds since the epoch. */
  timestamp_us: number;
}

/** Events per event type per one-second window (StreamKit's default). */
export const DEFAULT_TELEMETRY_RATE = 100;
export const TELEMETRY_MAX_TEXT = 100;

/** Counts events per event type in one-second windows; past the limit events are dropped and counted. */
export class TelemetryRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  droppedDueToRateLimit = 0;

  constructor(private readonly perSecond = DEFAULT_TELEMETRY_RATE) {}

  allow(eventType: string, nowMs: number): boolean {
    let w = this.windows.get(eventType);
    if (!w) {
      w = { start: nowMs, count: 0 };
      this.windows.set(eventType, w);
    }
    if (nowMs - w.start >= 1000) {
      w.start = nowMs;
      w.count = 0;
    }
    if (w.count >= this.perSecond) {
      this.droppedDueToRateLimit++;
      return false;
    }
    w.count++;
    return true;
  }
}

/** Copy of `value` with every string longer than `max` cut to `max` chars plus `...[truncated]`. */
export function truncateStrings(value: unknown, max = TELEMETRY_MAX_TEXT): unknown {
  if (typeof value === 'string') return value.length > max ? `${value.slice(0, max)}...[truncated]` : value;
  if (Array.isArray(value)) return value.map((v) => truncateStrings(v, max));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = truncateStrings(v, max);
    return out;
  }
  return value;
}
