// `ScriptSandbox`: one QuickJS WebAssembly instance per script on its own fixed-size `WebAssembly.Memory`
// (so the memory limit is a hard cap), with a `performance.now()` deadline checked by the interrupt handler
// (so a runaway loop stops within the timeout). Framework-free; usable in the main thread or a worker.
import { readFileSync } from 'node:fs';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
} from 'quickjs-emscripten';
import type { AudioPacket, Packet } from '../../core/packets';
import { DEFAULT_NODE_LIMITS } from '../../definition/limits';
import { WASM_PAGE_BYTES, wasmApi, type WasmModule } from '../../plugins/wasm-api';
import { ScriptHost } from './host-functions';
import { callArguments, CallResult, type EntryPoints } from './marshal';
import { CallCode, PRELUDE_SOURCE } from './prelude';
import {
  DEFAULT_ASYNC_TIMEOUT_MS,
  MAX_MESSAGE_CHARS,
  MIN_MEMORY_LIMIT_MB,
  SandboxLimits,
} from './sandbox-limits';
import {
  ScriptFatalError,
  ScriptLoadError,
  type ScriptOutcome,
  type ScriptSandboxOptions,
} from './sandbox-types';

export { DEFAULT_ASYNC_TIMEOUT_MS, LOAD_TIMEOUT_MS, MIN_MEMORY_LIMIT_MB } from './sandbox-limits';
export { ScriptFatalError, ScriptLoadError } from './sandbox-types';
export type { ScriptFatalKind, ScriptLogLevel, ScriptOutcome, ScriptSandboxOptions } from './sandbox-types';

let compiled: Promise<WasmModule> | undefined;

/** The QuickJS WebAssembly module, compiled once per process; each sandbox instantiates it on its own memory. */
function quickjsModule(): Promise<WasmModule> {
  compiled ??= wasmApi.compile(readFileSync(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
  return compiled;
}

export class ScriptSandbox {
  private readonly runtime: QuickJSRuntime;
  private readonly ctx: QuickJSContext;
  private entry!: EntryPoints;
  private result!: CallResult;
  private readonly limits: SandboxLimits;
  private readonly host: ScriptHost;
  private current: AudioPacket | undefined;
  private closed = false;
  private readonly asyncTimeoutMs: number;
  private readonly maxPacketBytes: number;

  private constructor(
    ctx: QuickJSContext,
    private readonly opts: ScriptSandboxOptions,
  ) {
    this.ctx = ctx;
    this.runtime = ctx.runtime;
    this.limits = new SandboxLimits(opts.timeoutMs, opts.memoryLimitMb);
    this.asyncTimeoutMs = opts.asyncTimeoutMs ?? DEFAULT_ASYNC_TIMEOUT_MS;
    this.maxPacketBytes = opts.maxPacketBytes ?? DEFAULT_NODE_LIMITS.maxPacketBytes;
    this.host = new ScriptHost(ctx, opts, this.maxPacketBytes, {
      current: () => this.current,
      closed: () => this.closed,
    });
  }

  /** Instantiates QuickJS, installs the API, evaluates the script and checks it defines `process`. */
  static async create(opts: ScriptSandboxOptions): Promise<ScriptSandbox> {
    if (!(opts.memoryLimitMb >= MIN_MEMORY_LIMIT_MB)) {
      throw new ScriptLoadError(
        `memory_limit_mb must be at least ${MIN_MEMORY_LIMIT_MB} (got ${opts.memoryLimitMb})`,
      );
    }
    if (!(opts.timeoutMs > 0))
      throw new ScriptLoadError(`timeout_ms must be positive (got ${opts.timeoutMs})`);
    const memory = new wasmApi.Memory({
      initial: MIN_MEMORY_LIMIT_MB * (1048576 / WASM_PAGE_BYTES),
      maximum: Math.floor((opts.memoryLimitMb * 1048576) / WASM_PAGE_BYTES),
    });
    const wasm = await newQuickJSWASMModuleFromVariant(
      newVariant(RELEASE_SYNC, { wasmModule: quickjsModule, wasmMemory: memory }),
    );
    const sandbox = new ScriptSandbox(wasm.newContext(), opts);
    try {
      sandbox.install();
    } catch (err) {
      sandbox.dispose();
      throw err;
    }
    return sandbox;
  }

  /**
   * Compiles QuickJS and runs one throwaway sandbox so the first real script does not pay V8's first-run cost
   * (about 100 ms on the thread). The server calls it at boot; calling it again is cheap.
   */
  static async warmUp(): Promise<void> {
    const sb = await ScriptSandbox.create({
      source: 'function process(p) { return p; }',
      timeoutMs: 1000,
      memoryLimitMb: 16,
    });
    sb.process({ kind: 'text', text: '' });
    sb.dispose();
  }

  get disposed(): boolean {
    return this.closed;
  }

  /** Fetches started by the script that have not completed yet. */
  get inflightFetches(): number {
    return this.host.inflight;
  }

  private install(): void {
    const { ctx } = this;
    this.limits.applyTo(this.runtime);
    this.host.install();

    const api = this.evaluate(PRELUDE_SOURCE, 'streamkit:prelude');
    this.entry = {
      audio: ctx.getProp(api, 'audio'),
      text: ctx.getProp(api, 'text'),
      json: ctx.getProp(api, 'json'),
      out: ctx.getProp(api, 'out'),
    };
    this.result = new CallResult(ctx, this.entry.out, this.maxPacketBytes);
    const check = ctx.getProp(api, 'check');
    api.dispose();
    try {
      this.evaluate(this.opts.source, this.opts.fileName ?? 'script.js').dispose();
      this.limits.startLoadSlice();
      const res = ctx.callFunction(check, ctx.undefined);
      if (res.error)
        throw new ScriptLoadError(
          `Script validation failed: ${this.limits.inspectError(ctx, res.error).text}`,
        );
      res.value.dispose();
    } finally {
      check.dispose();
    }
  }

  private evaluate(source: string, fileName: string): QuickJSHandle {
    this.limits.startLoadSlice();
    let res;
    try {
      res = this.ctx.evalCode(source, fileName, { type: 'global', strict: false });
    } catch (err) {
      throw new ScriptLoadError(`Script load crashed the sandbox: ${(err as Error).message}`);
    }
    if (res.error) {
      const { fatal, text } = this.limits.inspectError(this.ctx, res.error);
      throw new ScriptLoadError(fatal ? `Script load stopped: ${text}` : `Script validation failed: ${text}`);
    }
    return res.value;
  }

  /**
   * Runs `process(packet)`. Synchronous scripts return the outcome directly; a script returning a promise
   * (e.g. awaiting `fetch`) yields a promise of it. Throws `ScriptFatalError` when the sandbox must stop.
   */
  process(packet: Packet): ScriptOutcome | Promise<ScriptOutcome> {
    if (this.closed) throw new ScriptFatalError('crashed', 'the script sandbox is disposed');
    const { ctx } = this;
    if (packet.kind === 'audio') this.current = packet;
    const { fn, args } = callArguments(ctx, this.entry, packet);
    const callStart = performance.now();
    this.limits.startSlice();
    let res;
    try {
      res = ctx.callFunction(fn, ctx.undefined, args);
    } catch (err) {
      this.current = undefined;
      throw this.crash(err);
    } finally {
      for (const a of args) a.dispose();
    }
    if (res.error) {
      this.current = undefined;
      const { fatal, text } = this.limits.inspectError(ctx, res.error);
      throw fatal ? this.fail(fatal) : this.crash(new Error(`the script prelude failed: ${text}`));
    }
    const code = ctx.getNumber(res.value);
    res.value.dispose();
    if (code === CallCode.Pending) return this.settleAsync(packet, callStart);
    this.current = undefined;
    return this.result.outcome(code, packet);
  }

  /** Drives an async `process()`: runs promise jobs as host fetches complete, until the call settles. */
  private async settleAsync(input: Packet, started: number): Promise<ScriptOutcome> {
    try {
      for (;;) {
        this.drainJobs();
        if (this.result.readBool('done')) return this.result.outcome(this.result.readNumber('code'), input);
        if (this.host.inflight === 0) {
          return {
            kind: 'error',
            message: 'process() returned a promise that can never settle (nothing is pending)',
          };
        }
        const left = this.asyncTimeoutMs - (performance.now() - started);
        if (left <= 0 || !(await this.host.waitForFetch(left))) {
          return {
            kind: 'error',
            message: `process() exceeded timeout_ms (${this.asyncTimeoutMs} ms wall clock, awaited fetches included)`,
          };
        }
        if (this.closed)
          throw new ScriptFatalError('crashed', 'the script sandbox was disposed during process()');
      }
    } finally {
      this.current = undefined;
    }
  }

  private drainJobs(): void {
    this.limits.startSlice();
    let res;
    try {
      res = this.runtime.executePendingJobs();
    } catch (err) {
      throw this.crash(err);
    }
    if (res.error) {
      const { fatal } = this.limits.inspectError(this.ctx, res.error);
      if (fatal) throw this.fail(fatal);
      return;
    }
    const fatal = this.result.readString('fatal', MAX_MESSAGE_CHARS);
    if (fatal === 'interrupted') throw this.fail(this.limits.timeoutError());
    if (fatal) throw this.fail(this.limits.memoryError());
  }

  private crash(err: unknown): ScriptFatalError {
    const msg = err instanceof Error ? err.message : String(err);
    const oom = /memory|Cannot enlarge/i.test(msg);
    return this.fail(
      oom ? this.limits.memoryError() : new ScriptFatalError('crashed', `script sandbox crashed: ${msg}`),
      true,
    );
  }

  /** After a fatal error the sandbox's state is unknown (a loop stopped midway, a failed allocation): drop it. */
  private fail(err: ScriptFatalError, trapped = false): ScriptFatalError {
    if (trapped) this.closed = true;
    else this.dispose();
    return err;
  }

  /** Frees the QuickJS context; idempotent. Pending fetches complete on the host and are ignored. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.current = undefined;
    try {
      this.host.dispose();
      if (this.entry) for (const h of Object.values(this.entry)) h.dispose();
      this.ctx.dispose();
    } catch {
      // A context that hit its memory cap may fail to free cleanly; its WebAssembly memory is dropped anyway.
    }
  }
}
