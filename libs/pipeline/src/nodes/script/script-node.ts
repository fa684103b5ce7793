// `core::script`: runs a user script (JavaScript or TypeScript) on every packet in a QuickJS sandbox.
// A runaway call (timeout) or the memory cap fails the node; a throwing call passes the packet through.
import { Type, type Static } from '../../core/typebox';
import type { NodeContext, NodeDefinition, NodeInstance, NodeServices } from '../../core/node';
import { EOS, type Packet } from '../../core/packets';
import { openCheckedForRead } from '../../security/safe-open';
import { checkHeaderMappings, ScriptFetchClient } from './fetch-policy';
import { MIN_MEMORY_LIMIT_MB, ScriptSandbox, type ScriptOutcome } from './sandbox';
import { SCRIPT_SERVICES_KEY, type ScriptServices } from './services';
import { isTypeScript, transpileScript } from './typescript';

export const SCRIPT_KIND = 'core::script';
export const DEFAULT_TIMEOUT_MS = 100;
export const DEFAULT_MEMORY_LIMIT_MB = 64;
/**
 * `timeout_ms` is StreamKit's: wall clock per call, awaited fetches included (its samples use 5000-30000).
 * Bounded at one minute: a packet held longer stalls everything behind it in the pipeline.
 */
export const MAX_TIMEOUT_MS = 60_000;
/**
 * The CPU deadline of each synchronous slice (the call, each continuation after an `await`) is separate and
 * lower: the sandbox runs on the session's thread, so a runaway loop must give the thread back quickly.
 * Default: `timeout_ms` up to this value.
 */
export const DEFAULT_CPU_TIMEOUT_MS = 500;
/** Most CPU time one slice may take (`cpu_timeout_ms`). */
export const MAX_CPU_TIMEOUT_MS = 2000;
export const MAX_SCRIPT_BYTES = 256 * 1024;
/** Script time after which the node lets other work run before its next packet. */
const YIELD_AFTER_MS = 10;

export const ScriptParamsSchema = Type.Object({
  script: Type.Optional(
    Type.String({
      description: "Inline script defining `function process(packet)`. Set this or 'script_path'.",
    }),
  ),
  script_path: Type.Optional(
    Type.String({
      description: 'Script file (max 256 KiB, UTF-8), checked against [security].allowed_file_paths.',
    }),
  ),
  language: Type.Optional(
    Type.Union([Type.Literal('javascript'), Type.Literal('typescript')], {
      description: 'Script language; default: typescript for .ts/.mts/.cts paths, else javascript.',
    }),
  ),
  timeout_ms: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_TIMEOUT_MS,
      description: `Wall-clock time allowed per call, awaited fetch included (default [script].default_timeout_ms, else ${DEFAULT_TIMEOUT_MS}). A call still pending then is an error: the packet passes through.`,
    }),
  ),
  cpu_timeout_ms: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: MAX_CPU_TIMEOUT_MS,
      description: `Time allowed per synchronous slice of a call, measured as its wall-clock time (default: timeout_ms, at most ${DEFAULT_CPU_TIMEOUT_MS}). Exceeding it (a runaway loop) fails the node.`,
    }),
  ),
  memory_limit_mb: Type.Optional(
    Type.Integer({
      minimum: MIN_MEMORY_LIMIT_MB,
      maximum: 1024,
      description: `Hard cap on the sandbox memory (default [script].default_memory_limit_mb, else ${DEFAULT_MEMORY_LIMIT_MB}). Exceeding it fails the node.`,
    }),
  ),
  headers: Type.Optional(
    Type.Array(
      Type.Object({
        secret: Type.String({ description: 'Name of a secret in [script.secrets].' }),
        header: Type.String({ description: 'HTTP header to set on fetch calls.' }),
        template: Type.Optional(
          Type.String({ default: '{}', description: "'{}' is replaced by the secret." }),
        ),
      }),
      {
        default: [],
        description: 'Secrets injected as headers into fetch calls (scoped by allowed_fetch_urls).',
      },
    ),
  ),
});

export type ScriptParams = Static<typeof ScriptParamsSchema>;

function scriptServices(services: NodeServices): ScriptServices {
  const s = services[SCRIPT_SERVICES_KEY];
  return typeof s === 'object' && s !== null ? (s as ScriptServices) : {};
}

function validateScriptParams(
  params: ScriptParams,
  services: NodeServices,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const hasInline = typeof params.script === 'string' && params.script.trim() !== '';
  const hasPath = typeof params.script_path === 'string' && params.script_path !== '';
  if (hasInline && hasPath) {
    problems.push({
      path: '/script',
      message: "Script config must set only one of 'script' or 'script_path'",
    });
  } else if (!hasInline && !hasPath) {
    problems.push({ path: '/script', message: "Script cannot be empty (set 'script' or 'script_path')" });
  }
  if (hasPath) {
    if (!services.resolveReadPath) {
      problems.push({
        path: '/script_path',
        message: 'script_path needs the server file allow-list; use script',
      });
    } else {
      try {
        services.resolveReadPath(params.script_path as string);
      } catch (err) {
        problems.push({ path: '/script_path', message: (err as Error).message });
      }
    }
  }
  problems.push(...checkHeaderMappings(params.headers ?? [], scriptServices(services).secrets));
  return problems;
}

async function loadSource(
  params: ScriptParams,
  services: NodeServices,
): Promise<{ code: string; file: string }> {
  let code = params.script ?? '';
  let file = 'script.js';
  if (params.script_path) {
    if (!services.resolveReadPath)
      throw new Error('script_path needs the server file allow-list (resolveReadPath)');
    const resolved = services.resolveReadPath(params.script_path);
    const handle = await openCheckedForRead(resolved);
    let bytes: Uint8Array;
    try {
      // Read at most one byte past the limit: a huge file is refused without being loaded.
      const buf = new Uint8Array(MAX_SCRIPT_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      bytes = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    if (bytes.byteLength > MAX_SCRIPT_BYTES) {
      throw new Error(`script_path '${params.script_path}' is larger than 256 KiB (the limit)`);
    }
    try {
      code = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error(`script_path '${params.script_path}' is not valid UTF-8`);
    }
    file = params.script_path;
  }
  if (isTypeScript(params.language, params.script_path)) {
    code = await transpileScript(code, file === 'script.js' ? 'script.ts' : file);
  }
  return { code, file };
}

/** Script errors can fire on every packet; log the first and then at most one summary per second. */
class ErrorLogThrottle {
  private lastAt = -Infinity;
  private suppressed = 0;

  constructor(private readonly ctx: NodeContext) {}

  report(message: string): void {
    const now = performance.now();
    if (now - this.lastAt < 1000) {
      this.suppressed++;
      return;
    }
    this.ctx.log.warn(`script error, packet passed through: ${message}`, { suppressed: this.suppressed });
    this.lastAt = now;
    this.suppressed = 0;
  }
}

class ScriptNode implements NodeInstance<ScriptParams> {
  constructor(
    private readonly params: ScriptParams,
    private readonly ctx: NodeContext,
  ) {}

  async run(): Promise<void> {
    const { ctx, params } = this;
    const services = scriptServices(ctx.services);
    const problems = validateScriptParams(params, ctx.services);
    if (problems.length > 0) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    const { code, file } = await loadSource(params, ctx.services);
    const fetchClient = new ScriptFetchClient(services, params.headers ?? [], (msg) => ctx.log.warn(msg));
    const wallMs = params.timeout_ms ?? services.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const sandbox = await ScriptSandbox.create({
      source: code,
      fileName: file,
      timeoutMs: params.cpu_timeout_ms ?? Math.min(wallMs, DEFAULT_CPU_TIMEOUT_MS),
      asyncTimeoutMs: wallMs,
      memoryLimitMb: params.memory_limit_mb ?? services.defaultMemoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
      log: (level, message) => ctx.log[level](message, { target: 'script' }),
      telemetry: (type, data) => {
        if (ctx.mode !== 'dynamic') return false;
        ctx.telemetry(type, data);
        return true;
      },
      fetch: (url, init) => fetchClient.fetch(url, init),
      maxPacketBytes: ctx.limits?.maxPacketBytes,
    });
    try {
      // A ScriptFatalError's message becomes the Failed reason (`script timed out after 100 ms ...`).
      await this.loop(sandbox);
    } finally {
      sandbox.dispose();
    }
  }

  private async loop(sandbox: ScriptSandbox): Promise<void> {
    const { ctx } = this;
    const input = ctx.input('in');
    const output = ctx.output('out');
    const errors = new ErrorLogThrottle(ctx);
    ctx.setState('Running');
    let awake = performance.now();
    for (;;) {
      // Scripts run on this thread: after a few ms of them, give the event loop a turn even if input waits.
      if (performance.now() - awake > YIELD_AFTER_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        awake = performance.now();
      }
      let packet = input.tryRecv();
      if (packet === undefined) {
        packet = await input.recv();
        awake = performance.now();
      }
      if (packet === EOS || ctx.signal.aborted) return;
      let outcome = sandbox.process(packet);
      if (outcome instanceof Promise) outcome = await outcome;
      const out = this.resolve(outcome, packet, errors);
      if (out === undefined) continue;
      const pending = output.send(out);
      if (pending !== undefined && !(await pending)) return;
    }
  }

  private resolve(outcome: ScriptOutcome, input: Packet, errors: ErrorLogThrottle): Packet | undefined {
    switch (outcome.kind) {
      case 'drop':
        this.ctx.stats.discarded++;
        return undefined;
      case 'forward':
        return input;
      case 'packet':
        return outcome.packet;
      case 'error':
        this.ctx.stats.errored++;
        errors.report(outcome.message);
        return input;
    }
  }
}

export const scriptNodeDefinition: NodeDefinition<ScriptParams> = {
  kind: SCRIPT_KIND,
  categories: ['core', 'scripting'],
  description:
    'Runs a sandboxed JavaScript/TypeScript `process(packet)` on every packet: read and change audio samples, ' +
    'create Text or Custom packets, drop packets, emit telemetry and fetch allow-listed URLs.',
  params: ScriptParamsSchema,
  pins: () => ({
    inputs: [{ name: 'in', accepts_types: ['Any'], cardinality: 'One' }],
    outputs: [{ name: 'out', produces_type: 'Passthrough', cardinality: 'Broadcast' }],
  }),
  validate: validateScriptParams,
  create: (params, ctx) => new ScriptNode(params, ctx),
};
