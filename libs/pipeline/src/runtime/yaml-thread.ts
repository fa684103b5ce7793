// Parses large pipeline YAML on a worker thread: the yaml library spends ~10 us per node, so a 1000-node
// document would hold the thread that serves the API for tens of milliseconds. Small documents (the usual
// case) are parsed in place. The worker is shared, started on first use, capped in memory, and replaced if
// it dies or a parse overruns its deadline.
import { Worker } from 'node:worker_threads';
import { nodeRecord, type PipelineSpec, type ValidationProblem } from '../definition/types';
import { tryParsePipelineYaml, type PipelineYamlOptions } from '../definition/yaml';
import { DEFAULT_YAML_LIMITS } from '../definition/yaml-bounds';

/** Below this many characters a document is parsed on the calling thread (well under a millisecond). */
export const YAML_THREAD_MIN_CHARS = 8 * 1024;
const PARSE_DEADLINE_MS = 10_000;
const MAX_QUEUED = 64;

type ParseResult = { spec?: PipelineSpec; problems: ValidationProblem[] };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { tryParsePipelineYaml } = require(workerData.yamlModule);
parentPort.on('message', ({ id, text, options }) => {
  let res;
  try {
    res = tryParsePipelineYaml(text, options);
  } catch (err) {
    res = { problems: [{ message: 'Invalid YAML: ' + String((err && err.message) || err) }] };
  }
  parentPort.postMessage({ id, res });
});`;

interface Pending {
  resolve(res: ParseResult): void;
  timer: NodeJS.Timeout;
}

class YamlThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  parse(text: string, options: PipelineYamlOptions): Promise<ParseResult> {
    if (this.pending.size >= MAX_QUEUED) {
      return Promise.resolve(
        failed(`too many pipeline documents are being parsed (${MAX_QUEUED}); retry later`),
      );
    }
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.reset(`parsing took longer than ${PARSE_DEADLINE_MS} ms`);
      }, PARSE_DEADLINE_MS);
      this.pending.set(id, { resolve, timer });
      worker.postMessage({ id, text, options });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { yamlModule: require.resolve('../definition/yaml') },
      resourceLimits: { maxOldGenerationSizeMb: 256, stackSizeMb: 4 },
    });
    worker.on('message', ({ id, res }: { id: number; res: ParseResult }) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (res.spec) res.spec.nodes = nodeRecord(Object.entries(res.spec.nodes));
      p.resolve(res);
    });
    worker.on('error', (err) => {
      if (this.worker === worker) this.reset(`the YAML parser thread failed: ${err.message}`);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.reset(`the YAML parser thread exited (code ${code})`);
    });
    // Unreferenced after the listeners are attached (attaching one references the worker again).
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** The worker is gone or stuck: every pending parse fails with `why`, the next one starts a new worker. */
  private reset(why: string): void {
    const worker = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(failed(why));
    }
    this.pending.clear();
    if (worker) void worker.terminate();
  }
}

function failed(why: string): ParseResult {
  return { problems: [{ message: `Invalid YAML: ${why}` }] };
}

let thread: YamlThread | undefined;

/** `tryParsePipelineYaml`, off the calling thread for documents of `YAML_THREAD_MIN_CHARS` or more. */
export function parsePipelineYamlOffThread(
  text: string,
  options: PipelineYamlOptions = {},
): Promise<ParseResult> {
  // Small documents are parsed here; oversized ones too, as the size check refuses them at once (a copy to the
  // worker would cost more than that).
  const maxBytes = options.limits?.maxYamlBytes ?? DEFAULT_YAML_LIMITS.maxYamlBytes;
  if (text.length < YAML_THREAD_MIN_CHARS || text.length > maxBytes) {
    return Promise.resolve(tryParsePipelineYaml(text, options));
  }
  thread ??= new YamlThread();
  return thread.parse(text, options);
}
