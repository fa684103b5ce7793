// Runs a load-test scenario against a server: oneshot workers posting the pipeline and input in a loop,
// and/or dynamic sessions created one at a time (spread over `ramp_secs`) with a tuner changing a random
// `audio::gain` every `tune_interval_ms`. Sessions are destroyed at the end with `cleanup`. Tuning goes
// through GraphQL's `tuneNode` (StreamKit uses its control WebSocket; the effect is the same command).
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { Metrics } from './metrics';
import type { Scenario } from './scenario';

export interface RunOptions {
  cleanup?: boolean;
  signal?: AbortSignal;
  /** Called every `output.update_interval_ms` with the live line (when real-time updates are on). */
  onProgress?: (line: string, final?: boolean) => void;
}

/** Time between an operation's failure and the worker's next try (as StreamKit). */
const FAILURE_BACKOFF_MS = 100;
/** When the run ends, oneshots in flight may finish (and count) for this long before they are cut. */
const GRACE_MS = 15_000;
/** A single HTTP exchange may not hang the run forever. */
const REQUEST_TIMEOUT_MS = 120_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function uid(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

async function httpError(res: Response): Promise<string> {
  const body = (await res.text()).slice(0, 500);
  return `Server returned error ${res.status} ${res.statusText}: ${body}`;
}

function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.cause?.code) return `${e.message} (${e.cause.code})`;
  return e.message ?? String(err);
}

interface Created {
  id: string;
  gains: string[];
}

type Node = { kind?: unknown; params?: Record<string, unknown> };

/**
 * StreamKit's rewrite of a dynamic pipeline for one session: MoQ `broadcast` params get an `lt/` prefix and
 * a per-session (published and subscribed here) or per-run suffix, `/moq/...` paths a per-session segment.
 * Returns the YAML to send and the ids of its `audio::gain` nodes.
 */
export function rewritePipeline(
  yamlText: string,
  runId: string,
  sessionUid: string,
  broadcaster = false,
): { yaml: string; gains: string[] } {
  const doc = parseYaml(yamlText) as { nodes?: Record<string, Node> } | null;
  const nodes = doc && typeof doc === 'object' && doc.nodes && typeof doc.nodes === 'object' ? doc.nodes : {};
  const published = new Set<string>();
  const subscribed = new Set<string>();
  const gains: string[] = [];
  for (const [id, n] of Object.entries(nodes)) {
    const kind = typeof n?.kind === 'string' ? n.kind : '';
    if (kind === 'audio::gain') gains.push(id);
    const b = n?.params?.broadcast;
    if (typeof b !== 'string') continue;
    if (kind.includes('publisher')) published.add(b);
    if (kind.includes('subscriber')) subscribed.add(b);
  }
  const base = (b: string) => (b.startsWith('lt/') ? b : `lt/${b}`);
  for (const n of Object.values(nodes)) {
    const kind = typeof n?.kind === 'string' ? n.kind : '';
    const b = n?.params?.broadcast;
    if (typeof b !== 'string' || !n.params) continue;
    if (!kind.includes('publisher') && !kind.includes('subscriber')) continue;
    if (published.has(b) && subscribed.has(b)) n.params.broadcast = `${base(b)}-${sessionUid}`;
    else if (kind.includes('publisher'))
      n.params.broadcast = broadcaster ? `${base(b)}-${runId}` : `${base(b)}-${runId}-${sessionUid}`;
    else n.params.broadcast = `${base(b)}-${runId}`;
  }
  const rewritePaths = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(rewritePaths);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(o)) {
        if (
          k === 'path' &&
          typeof x === 'string' &&
          x.startsWith('/moq/') &&
          !x.startsWith(`/moq/${sessionUid}`)
        ) {
          o[k] = `/moq/${sessionUid}/${x.slice('/moq/'.length)}`;
        } else rewritePaths(x);
      }
    }
  };
  rewritePaths(doc);
  return { yaml: stringifyYaml(doc), gains };
}

export class LoadTestRunner {
  readonly metrics = new Metrics();
  private readonly sessions: Created[] = [];
  private readonly runId = uid(8);
  private readonly stop = new AbortController();
  /** Cuts requests still in flight once the grace after `stop` is over. */
  private readonly hardStop = new AbortController();

  constructor(
    private readonly scenario: Scenario,
    private readonly options: RunOptions = {},
  ) {
    // Every worker and request listens to the run's stop signal.
    setMaxListeners(0, this.stop.signal, this.hardStop.signal);
    this.stop.signal.addEventListener(
      'abort',
      () => setTimeout(() => this.hardStop.abort(), GRACE_MS).unref(),
      {
        once: true,
      },
    );
  }

  private get url(): string {
    return this.scenario.serverUrl;
  }

  async run(): Promise<Metrics> {
    const s = this.scenario;
    const outer = this.options.signal;
    const onAbort = () => this.stop.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    const timer = s.durationSecs > 0 ? setTimeout(onAbort, s.durationSecs * 1000) : undefined;
    let ticker: NodeJS.Timeout | undefined;
    if (s.output.realTimeUpdates && this.options.onProgress) {
      const report = this.options.onProgress;
      report(this.metrics.liveLine());
      ticker = setInterval(() => report(this.metrics.liveLine()), s.output.updateIntervalMs);
    }
    const tasks: Promise<void>[] = [];
    try {
      if (s.populate.loadPlugins) await this.populate();
      if (s.scenario !== 'dynamic') {
        for (let i = 0; i < s.oneshot.concurrency; i++) tasks.push(this.oneshotWorker(i));
      }
      if (s.scenario !== 'oneshot') tasks.push(this.dynamicLoad());
      await Promise.all(tasks);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
      this.stop.abort();
      if (this.options.cleanup) await this.cleanup();
      this.hardStop.abort();
      clearInterval(ticker);
      this.metrics.stop();
      if (ticker && this.options.onProgress) this.options.onProgress(this.metrics.liveLine(), true);
    }
    return this.metrics;
  }

  private async populate(): Promise<void> {
    for (const path of [...this.scenario.populate.pluginsNative, ...this.scenario.populate.pluginsWasm]) {
      try {
        const form = new FormData();
        form.append('plugin', new Blob([await readFile(path)]), basename(path));
        const res = await fetch(`${this.url}/api/v1/plugins`, { method: 'POST', body: form });
        if (!res.ok) process.stderr.write(`warning: plugin ${path} not loaded: ${await httpError(res)}\n`);
      } catch (err) {
        process.stderr.write(`warning: plugin ${path} not loaded: ${describeFailure(err)}\n`);
      }
    }
  }

  private async oneshotWorker(index: number): Promise<void> {
    const s = this.scenario;
    const signal = this.stop.signal;
    // Ramp: worker i starts at i/n of ramp_secs.
    if (s.rampSecs > 0) await sleep((index / s.oneshot.concurrency) * s.rampSecs * 1000, signal);
    while (!signal.aborted) {
      const started = performance.now();
      try {
        // Re-read both files every time, as StreamKit does (the files may be edited during a run).
        const [yaml, media] = await Promise.all([
          readFile(s.oneshot.pipeline, 'utf8'),
          readFile(s.oneshot.inputFile),
        ]);
        const form = new FormData();
        form.append('config', yaml);
        form.append('media', new Blob([media]), basename(s.oneshot.inputFile));
        const res = await fetch(`${this.url}/api/v1/process`, {
          method: 'POST',
          body: form,
          signal: AbortSignal.any([this.hardStop.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
        });
        if (!res.ok) throw new Error(await httpError(res));
        // Drain the body (latency = send -> last byte), discarding it.
        const reader = res.body?.getReader();
        if (reader) while (!(await reader.read()).done);
        this.metrics.success('OneShot', performance.now() - started);
      } catch (err) {
        if (this.hardStop.signal.aborted) return;
        this.metrics.failure('OneShot', describeFailure(err));
        await sleep(FAILURE_BACKOFF_MS, signal);
      }
    }
  }

  private async createSession(name: string, yaml: string): Promise<string> {
    const started = performance.now();
    try {
      const res = await fetch(`${this.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, yaml }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(await httpError(res));
      const body = (await res.json()) as { session_id: string };
      this.metrics.success('SessionCreate', performance.now() - started);
      return body.session_id;
    } catch (err) {
      this.metrics.failure('SessionCreate', describeFailure(err));
      throw err;
    }
  }

  private async dynamicLoad(): Promise<void> {
    const d = this.scenario.dynamic;
    const signal = this.stop.signal;
    if (d.broadcaster) {
      const text = await readFile(d.broadcaster.pipeline, 'utf8');
      for (let i = 1; i <= d.broadcaster.count && !signal.aborted; i++) {
        const { yaml } = rewritePipeline(text, this.runId, uid(8), true);
        try {
          const id = await this.createSession(`Broadcaster-${i}-${this.runId}`, yaml);
          this.sessions.push({ id, gains: [] });
        } catch {
          // Counted; the subscribers will report what is missing.
        }
      }
      await sleep(500, signal);
    }
    const tuner = this.tuner();
    const texts = await Promise.all(d.pipelines.map((p) => readFile(p, 'utf8')));
    let created = 0;
    let failures = 0;
    let lastError = '';
    let sameInARow = 0;
    const rampStep = this.scenario.rampSecs > 0 ? (this.scenario.rampSecs * 1000) / d.sessionCount : 0;
    const started = performance.now();
    while (created < d.sessionCount && !signal.aborted) {
      const text = texts[Math.floor(Math.random() * texts.length)];
      const { yaml, gains } = rewritePipeline(text, this.runId, uid(8));
      try {
        const id = await this.createSession(`LoadTest-${created + 1}-${uid(6)}`, yaml);
        this.sessions.push({ id, gains });
        created++;
        const due = started + created * rampStep - performance.now();
        if (due > 0) await sleep(due, signal);
      } catch (err) {
        const message = describeFailure(err);
        failures++;
        sameInARow = message === lastError ? sameInARow + 1 : 1;
        lastError = message;
        // Nothing created yet and the same error again and again: the scenario cannot work; stop the run.
        if (created === 0 && (sameInARow >= 5 || failures >= 20)) {
          process.stderr.write(`Load test aborted: session creation keeps failing: ${message}\n`);
          this.stop.abort();
          break;
        }
        await sleep(FAILURE_BACKOFF_MS, signal);
      }
    }
    await tuner;
  }

  private async tuner(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted && this.sessions.length === 0) await sleep(200, signal);
    while (!signal.aborted) {
      const tick = sleep(this.scenario.dynamic.tuneIntervalMs, signal);
      const candidates = this.sessions.filter((x) => x.gains.length > 0);
      const session = (candidates.length > 0 ? candidates : this.sessions)[
        Math.floor(Math.random() * (candidates.length || this.sessions.length))
      ];
      if (session) await this.tune(session);
      await tick;
    }
  }

  private async tune(session: Created): Promise<void> {
    const started = performance.now();
    try {
      if (session.gains.length === 0) throw new Error('No tunable nodes found for this session');
      const nodeId = session.gains[Math.floor(Math.random() * session.gains.length)];
      const gain = 0.5 + Math.random() * 1.5;
      const res = await fetch(`${this.url}/api/v1/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'mutation($s: String!, $n: String!, $p: JSON!) { tuneNode(sessionId: $s, nodeId: $n, params: $p) { nodeId } }',
          variables: { s: session.id, n: nodeId, p: { gain } },
        }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(await httpError(res));
      const body = (await res.json()) as { errors?: { message: string }[] };
      if (body.errors?.length) throw new Error(body.errors[0].message);
      this.metrics.success('NodeTune', performance.now() - started);
    } catch (err) {
      this.metrics.failure('NodeTune', describeFailure(err));
    }
  }

  private async cleanup(): Promise<void> {
    for (const s of this.sessions.splice(0)) {
      const started = performance.now();
      try {
        const res = await fetch(`${this.url}/api/v1/sessions/${encodeURIComponent(s.id)}`, {
          method: 'DELETE',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(await httpError(res));
        await res.arrayBuffer();
        this.metrics.success('SessionDestroy', performance.now() - started);
      } catch (err) {
        this.metrics.failure('SessionDestroy', describeFailure(err));
      }
    }
  }
}
