// Load-test metrics as StreamKit's load tester reports them: per operation type, counts, success rate,
// min/max/mean of successful latencies, p50/p95/p99 over a reservoir of at most 10 000 successes
// (percentile = sorted sample at ceil(p/100 * n) - 1), and an error histogram (bounded).

export type Operation = 'OneShot' | 'SessionCreate' | 'SessionDestroy' | 'NodeTune';

const RESERVOIR = 10_000;
/** Distinct error messages kept per operation (a server answering random text must not grow this forever). */
const MAX_ERROR_KINDS = 50;
const MAX_ERROR_CHARS = 300;

export interface OperationSummary {
  count: number;
  success_count: number;
  success_rate: number;
  error_count: number;
  min_ms: number | null;
  max_ms: number | null;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  throughput_success_per_sec: number;
  errors: Record<string, number>;
}

export interface Report {
  elapsed_secs: number;
  by_operation: Partial<Record<Operation, OperationSummary>>;
}

class OperationStats {
  count = 0;
  successes = 0;
  sum = 0;
  min = Infinity;
  max = 0;
  readonly sample: number[] = [];
  readonly errors = new Map<string, number>();

  success(ms: number, random: () => number): void {
    this.count++;
    this.successes++;
    this.sum += ms;
    this.min = Math.min(this.min, ms);
    this.max = Math.max(this.max, ms);
    if (this.sample.length < RESERVOIR) this.sample.push(ms);
    else {
      const j = Math.floor(random() * this.successes);
      if (j < RESERVOIR) this.sample[j] = ms;
    }
  }

  failure(message: string): void {
    this.count++;
    const key = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
    if (this.errors.has(key) || this.errors.size < MAX_ERROR_KINDS) {
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    } else this.errors.set('(other errors)', (this.errors.get('(other errors)') ?? 0) + 1);
  }
}

/** The sorted sample's value at index ceil(p/100 * n) - 1 (clamped), as StreamKit computes it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export class Metrics {
  private readonly ops = new Map<Operation, OperationStats>();
  private readonly started = performance.now();
  private stoppedAt: number | undefined;

  constructor(private readonly random: () => number = Math.random) {}

  private stats(op: Operation): OperationStats {
    let s = this.ops.get(op);
    if (!s) this.ops.set(op, (s = new OperationStats()));
    return s;
  }

  success(op: Operation, ms: number): void {
    this.stats(op).success(ms, this.random);
  }

  failure(op: Operation, message: string): void {
    this.stats(op).failure(message);
  }

  stop(): void {
    this.stoppedAt ??= performance.now();
  }

  elapsedSecs(): number {
    return ((this.stoppedAt ?? performance.now()) - this.started) / 1000;
  }

  totals(): { count: number; failures: number } {
    let count = 0;
    let failures = 0;
    for (const s of this.ops.values()) {
      count += s.count;
      failures += s.count - s.successes;
    }
    return { count, failures };
  }

  /** Percentage of failed operations (0 when nothing ran). */
  errorPct(): number {
    const { count, failures } = this.totals();
    return count === 0 ? 0 : (100 * failures) / count;
  }

  /** The live line: every operation type merged (as StreamKit's), the most frequent error cut by characters. */
  liveLine(): string {
    const { count, failures } = this.totals();
    const all: number[] = [];
    const errors = new Map<string, number>();
    for (const s of this.ops.values()) {
      all.push(...s.sample);
      for (const [m, n] of s.errors) errors.set(m, (errors.get(m) ?? 0) + n);
    }
    all.sort((a, b) => a - b);
    const elapsed = this.elapsedSecs();
    const ms = (v: number | null) => `${String(v === null ? '-' : Math.round(v)).padStart(5)}ms`;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const success = count === 0 ? 100 : (100 * (count - failures)) / count;
    let line =
      `[${String(Math.floor(elapsed)).padStart(4)}s] Ops: ${String(count).padStart(6)} | ` +
      `Success: ${success.toFixed(1).padStart(5)}% | Fail: ${String(failures).padStart(6)} | ` +
      `p50:${ms(percentile(all, 50))} p95:${ms(percentile(all, 95))} p99:${ms(percentile(all, 99))} | ` +
      `Rate: ${rate.toFixed(1).padStart(6)}/s`;
    const top = [...errors].sort((a, b) => b[1] - a[1])[0];
    if (top) line += ` | Err: ${top[1]}x ${[...top[0]].slice(0, 80).join('')}`;
    return line;
  }

  report(): Report {
    const elapsed = this.elapsedSecs();
    const by: Report['by_operation'] = {};
    const order: Operation[] = ['OneShot', 'SessionCreate', 'NodeTune', 'SessionDestroy'];
    for (const op of order) {
      const s = this.ops.get(op);
      if (!s) continue;
      const sorted = [...s.sample].sort((a, b) => a - b);
      const round = (v: number | null) => (v === null ? null : Math.round(v));
      const any = s.successes > 0;
      by[op] = {
        count: s.count,
        success_count: s.successes,
        success_rate: s.count === 0 ? 0 : (100 * s.successes) / s.count,
        error_count: s.count - s.successes,
        min_ms: any ? Math.round(s.min) : null,
        max_ms: any ? Math.round(s.max) : null,
        mean_ms: any ? Math.round(s.sum / s.successes) : null,
        p50_ms: round(percentile(sorted, 50)),
        p95_ms: round(percentile(sorted, 95)),
        p99_ms: round(percentile(sorted, 99)),
        throughput_success_per_sec: elapsed > 0 ? s.successes / elapsed : 0,
        errors: Object.fromEntries(s.errors),
      };
    }
    return { elapsed_secs: elapsed, by_operation: by };
  }
}

const RULE = '='.repeat(60);

export function formatReport(report: Report, format: 'text' | 'json' | 'csv'): string {
  const head = `${RULE}\nLoad Test Complete\n${RULE}\n`;
  const entries = Object.entries(report.by_operation) as [Operation, OperationSummary][];
  if (format === 'json') return `${head}${JSON.stringify(report)}\n`;
  if (format === 'csv') {
    const rows = entries.map(([op, s]) =>
      [
        op,
        s.count,
        s.success_count,
        s.success_rate.toFixed(4),
        s.error_count,
        s.min_ms ?? 0,
        s.max_ms ?? 0,
        s.mean_ms ?? 0,
        s.p50_ms ?? 0,
        s.p95_ms ?? 0,
        s.p99_ms ?? 0,
        s.throughput_success_per_sec.toFixed(6),
      ].join(','),
    );
    const header =
      'operation,count,success_count,success_rate,error_count,min_ms,max_ms,mean_ms,p50_ms,p95_ms,p99_ms,throughput_success_per_sec';
    return `${head}${[header, ...rows].join('\n')}\n`;
  }
  const lines = [`Total Duration: ${report.elapsed_secs.toFixed(2)}s`];
  if (entries.length === 0) lines.push('No operations recorded.');
  for (const [op, s] of entries) {
    lines.push(
      '',
      `Operation: ${op}`,
      `  Total: ${s.count}`,
      `  Success: ${s.success_count} (${s.success_rate.toFixed(2)}%)`,
      `  Failed: ${s.error_count}`,
    );
    if (s.success_count > 0) {
      lines.push(
        '  Latency:',
        `    Min: ${s.min_ms}ms  Max: ${s.max_ms}ms  Mean: ${s.mean_ms}ms`,
        `    p50: ${s.p50_ms}ms  p95: ${s.p95_ms}ms  p99: ${s.p99_ms}ms`,
        `  Throughput: ${s.throughput_success_per_sec.toFixed(2)} ops/sec`,
      );
    }
    const errors = Object.entries(s.errors);
    if (errors.length > 0) {
      lines.push('  Errors:');
      for (const [m, n] of errors) lines.push(`    [${n}x] ${m}`);
    }
  }
  return `${head}${lines.join('\n')}\n`;
}
