// Per-node log rate limit: a token bucket (`burst` lines at once, `perSecond` refill) in front of the
// engine's logger, so a node (a script's `console.error` in a loop, a chatty plugin) cannot write gigabytes
// or hold the thread in the log writer. Dropped lines are counted and summarized at most every 5 s.
import type { Logger } from '../core/node';

/** Longer messages are cut (with the number of characters left out). */
export const MAX_LOG_LINE_CHARS = 8192;
export const LOG_SUMMARY_INTERVAL_MS = 5000;

type Level = keyof Logger;

export class NodeLogLimiter {
  readonly logger: Logger;
  private tokens: number;
  private refilledAt = performance.now();
  private suppressed = 0;
  private suppressedTotal = 0;
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly nodeId: string,
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly summaryMs = LOG_SUMMARY_INTERVAL_MS,
  ) {
    this.tokens = burst;
    const line = (level: Level) => (msg: string, fields?: Record<string, unknown>) =>
      this.write(level, msg, fields);
    this.logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  }

  /** Lines dropped so far (summarized or not). */
  get dropped(): number {
    return this.suppressedTotal;
  }

  /** Writes the pending summary now (the node finished) and stops the timer. */
  flush(): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.log.warn(
      `${count} log line${count === 1 ? '' : 's'} of this node suppressed by the log rate limit ` +
        `(${this.perSecond}/s, burst ${this.burst}: [engine.limits] node_log_lines_per_sec, node_log_burst)`,
      { node_id: this.nodeId, suppressed: count, suppressed_total: this.suppressedTotal },
    );
  }

  private write(level: Level, msg: string, fields?: Record<string, unknown>): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.suppressed++;
      this.suppressedTotal++;
      if (this.summaryTimer === undefined) {
        this.summaryTimer = setTimeout(() => this.flush(), this.summaryMs);
        this.summaryTimer.unref();
      }
      return;
    }
    this.tokens -= 1;
    const text =
      msg.length > MAX_LOG_LINE_CHARS
        ? `${msg.slice(0, MAX_LOG_LINE_CHARS)}… (${msg.length - MAX_LOG_LINE_CHARS} more characters)`
        : msg;
    this.log[level](text, { node_id: this.nodeId, ...fields });
  }
}
