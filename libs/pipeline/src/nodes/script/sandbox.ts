// `ScriptSandbox`: one QuickJS WebAssembly instance per script on its own fixed-size `WebAssembly.Memory`
// (so the memory limit is a hard cap), with a `performance.now()` deadline checked by the interrupt handler
// (so a runaway loop stops within the timeout). Framework-free; usable in the main thread or a worker.
import { readFileSync } from 'node:fs';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  RELEASE_SYNC,
  type QuickJSContext,
  type QuickJSDeferredPromise,
  type QuickJSHandle,
  type QuickJSRuntime,
} from 'quickjs-emscripten';
import type { AudioPacket, Packet, PacketMetadata } from '../../core/packets';
import { DEFAULT_NODE_LIMITS, limitText } from '../../definition/limits';
import { WASM_PAGE_BYTES, wasmApi, type WasmModule } from '../../plugins/wasm-api';
import type { ScriptFetchInit } from './fetch-policy';
import { CallCode, PRELUDE_SOURCE } from './prelude';

/** The QuickJS build declares a 16 MiB (256 page) initial memory; smaller limits cannot instantiate. */
export const MIN_MEMORY_LIMIT_MB = 16;
/**
 * Budget for loading: the prelude and the script's top level run once, and the first run in a process also pays
 * V8's lazy compilation of the QuickJS WebAssembly, so loading gets at least this much time.
 */
export const LOAD_TIMEOUT_MS = 2000;
/** A packet whose `process()` is async (awaiting fetches) must settle within this wall time. */
export const DEFAULT_ASYNC_TIMEOUT_MS = 30_000;
/**
 * Strings the script hands the host outside packets (log lines and error messages are cut by the prelude
 * to 8192 characters; telemetry JSON, fetch URLs and headers are refused beyond these).
 */
const MAX_MESSAGE_CHARS = 16 * 1024;
const MAX_TELEMETRY_JSON_CHARS = 64 * 1024;
const MAX_FETCH_URL_CHARS = 8 * 1024;
const MAX_FETCH_HEADERS_CHARS = 64 * 1024;
/** Audio a script may return: sane shapes only (the prelude checks too, but the script can tamper with it). */
const MAX_AUDIO_CHANNELS = 64;
const MAX_AUDIO_RATE = 768_000;

export type ScriptLogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: ScriptLogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface ScriptSandboxOptions {
  /** JavaScript source (TypeScript must be transpiled first, see `transpileScript`). */
  source: string;
  /** Name used in stack traces. */
  fileName?: string;
  /** CPU budget of each synchronous slice of script execution (evaluation, a call, a promise continuation). */
  timeoutMs: number;
  /** Hard cap on the sandbox's WebAssembly memory (QuickJS heap, stack and data). At least 16. */
  memoryLimitMb: number;
  /**
   * Wall-clock bound of one `process()` call, awaited fetches included (StreamKit's `timeout_ms`). A call
   * still pending then is an error (the packet passes through); `timeoutMs` still bounds each CPU slice.
   */
  asyncTimeoutMs?: number;
  log?: (level: ScriptLogLevel, message: string) => void;
  /** Returns false when the event was not delivered (no telemetry channel, rate limited). */
  telemetry?: (eventType: string, data: Record<string, unknown> | undefined) => boolean;
  /** Host fetch (policy checks included); absent = every `fetch` call rejects. Resolves to the body text. */
  fetch?: (url: string, init: ScriptFetchInit) => Promise<string>;
  /**
   * Largest packet `process()` may return (and `dsp` buffer or fetch body it may hand the host), in bytes:
   * checked on the sandbox's copy before anything is copied out (default 1 MiB).
   */
  maxPacketBytes?: number;
}

export type ScriptFatalKind = 'timeout' | 'memory' | 'crashed';

/** The sandbox cannot continue (runaway loop, memory cap, WebAssembly trap); it is disposed. */
export class ScriptFatalError extends Error {
  constructor(
    readonly fatal: ScriptFatalKind,
    message: string,
  ) {
    super(message);
    this.name = 'ScriptFatalError';
  }
}

/** The script failed to load (syntax error, no `process`, top-level throw or timeout). */
export class ScriptLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptLoadError';
  }
}

/** What one `process()` call decided. `error` means the script threw or returned something invalid. */
export type ScriptOutcome =
  | { kind: 'drop' }
  | { kind: 'forward' }
  | { kind: 'packet'; packet: Packet }
  | { kind: 'error'; message: string };

const DROP: ScriptOutcome = Object.freeze({ kind: 'drop' });
const FORWARD: ScriptOutcome = Object.freeze({ kind: 'forward' });

let compiled: Promise<WasmModule> | undefined;

/** The QuickJS WebAssembly module, compiled once per process; each sandbox instantiates it on its own memory. */
function quickjsModule(): Promise<WasmModule> {
  compiled ??= wasmApi.compile(readFileSync(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')));
  return compiled;
}

interface EntryPoints {
  audio: QuickJSHandle;
  text: QuickJSHandle;
  json: QuickJSHandle;
  out: QuickJSHandle;
}

export class ScriptSandbox {
  private readonly runtime: QuickJSRuntime;
  private readonly ctx: QuickJSContext;
  private entry!: EntryPoints;
  private deadline = 0;
  private sliceStart = 0;
  private current: AudioPacket | undefined;
  private readonly pendingFetches = new Set<Promise<void>>();
  /** QuickJS promises handed to the script for fetches still running; freed before the context is. */
  private readonly deferreds = new Set<QuickJSDeferredPromise>();
  private closed = false;
  private readonly timeoutMs: number;
  private readonly memoryLimitMb: number;
  private readonly asyncTimeoutMs: number;
  private readonly maxPacketBytes: number;

  private constructor(
    ctx: QuickJSContext,
    private readonly opts: ScriptSandboxOptions,
  ) {
    this.ctx = ctx;
    this.runtime = ctx.runtime;
    this.timeoutMs = opts.timeoutMs;
    this.memoryLimitMb = opts.memoryLimitMb;
    this.asyncTimeoutMs = opts.asyncTimeoutMs ?? DEFAULT_ASYNC_TIMEOUT_MS;
    this.maxPacketBytes = opts.maxPacketBytes ?? DEFAULT_NODE_LIMITS.maxPacketBytes;
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
    return this.pendingFetches.size;
  }

  private install(): void {
    const { ctx } = this;
    this.runtime.setInterruptHandler(() => performance.now() > this.deadline);
    // Keep QuickJS's own accounting a little under the hard cap so most hogs get a clean "out of memory".
    this.runtime.setMemoryLimit(Math.max(this.memoryLimitMb - 4, 8) * 1048576);
    this.runtime.setMaxStackSize(512 * 1024);

    const fns: [string, QuickJSHandle][] = [
      ['__sk_samples', ctx.newFunction('samples', () => this.hostSamples())],
      ['__sk_log', ctx.newFunction('log', (level, msg) => this.hostLog(level, msg))],
      ['__sk_emit', ctx.newFunction('emit', (type, json) => this.hostEmit(type, json))],
      [
        '__sk_fetch',
        ctx.newFunction('fetch', (url, method, headers, body) => this.hostFetch(url, method, headers, body)),
      ],
      ['__sk_dsp', ctx.newFunction('dsp', (op, buffer, factor) => this.hostDsp(op, buffer, factor))],
    ];
    for (const [name, fn] of fns) {
      ctx.setProp(ctx.global, name, fn);
      fn.dispose();
    }

    const api = this.evaluate(PRELUDE_SOURCE, 'streamkit:prelude');
    this.entry = {
      audio: ctx.getProp(api, 'audio'),
      text: ctx.getProp(api, 'text'),
      json: ctx.getProp(api, 'json'),
      out: ctx.getProp(api, 'out'),
    };
    const check = ctx.getProp(api, 'check');
    api.dispose();
    try {
      this.evaluate(this.opts.source, this.opts.fileName ?? 'script.js').dispose();
      this.startSlice(Math.max(this.timeoutMs, LOAD_TIMEOUT_MS));
      const res = ctx.callFunction(check, ctx.undefined);
      if (res.error)
        throw new ScriptLoadError(`Script validation failed: ${this.inspectError(res.error).text}`);
      res.value.dispose();
    } finally {
      check.dispose();
    }
  }

  private evaluate(source: string, fileName: string): QuickJSHandle {
    this.startSlice(Math.max(this.timeoutMs, LOAD_TIMEOUT_MS));
    let res;
    try {
      res = this.ctx.evalCode(source, fileName, { type: 'global', strict: false });
    } catch (err) {
      throw new ScriptLoadError(`Script load crashed the sandbox: ${(err as Error).message}`);
    }
    if (res.error) {
      const { fatal, text } = this.inspectError(res.error);
      throw new ScriptLoadError(fatal ? `Script load stopped: ${text}` : `Script validation failed: ${text}`);
    }
    return res.value;
  }

  private startSlice(budgetMs = this.timeoutMs): void {
    this.sliceStart = performance.now();
    this.deadline = this.sliceStart + budgetMs;
  }

  /**
   * Runs `process(packet)`. Synchronous scripts return the outcome directly; a script returning a promise
   * (e.g. awaiting `fetch`) yields a promise of it. Throws `ScriptFatalError` when the sandbox must stop.
   */
  process(packet: Packet): ScriptOutcome | Promise<ScriptOutcome> {
    if (this.closed) throw new ScriptFatalError('crashed', 'the script sandbox is disposed');
    const { ctx, entry } = this;
    let fn: QuickJSHandle;
    const args: QuickJSHandle[] = [];
    switch (packet.kind) {
      case 'audio': {
        this.current = packet;
        const m = packet.meta;
        fn = entry.audio;
        args.push(
          ctx.newNumber(packet.sampleRate),
          ctx.newNumber(packet.channels),
          ctx.newNumber(packet.samples.length / packet.channels),
          ctx.newNumber(m?.timestampUs ?? -1),
          ctx.newNumber(m?.durationUs ?? -1),
          ctx.newNumber(m?.sequence ?? -1),
        );
        break;
      }
      case 'text':
        fn = entry.text;
        args.push(ctx.newString(packet.text));
        break;
      default:
        fn = entry.json;
        args.push(ctx.newString(JSON.stringify(toScriptObject(packet))));
    }
    const callStart = performance.now();
    this.startSlice();
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
      const { fatal, text } = this.inspectError(res.error);
      throw fatal ? this.fail(fatal) : this.crash(new Error(`the script prelude failed: ${text}`));
    }
    const code = ctx.getNumber(res.value);
    res.value.dispose();
    if (code === CallCode.Pending) return this.settleAsync(packet, callStart);
    this.current = undefined;
    return this.outcome(code, packet);
  }

  private outcome(code: number, input: Packet): ScriptOutcome {
    switch (code) {
      case CallCode.Drop:
        return DROP;
      case CallCode.Forward:
        return FORWARD;
      case CallCode.Text: {
        const text = this.readString('text', this.maxPacketBytes);
        if (text === undefined) return this.tooLarge('a Text packet');
        return { kind: 'packet', packet: { kind: 'text', text, meta: copyMeta(input.meta) } };
      }
      case CallCode.Audio:
        return this.readAudio(input);
      case CallCode.Custom: {
        const json = this.readString('json', this.maxPacketBytes);
        if (json === undefined) return this.tooLarge('a Custom packet');
        const c = JSON.parse(json) as { type_id: string; data: unknown };
        return {
          kind: 'packet',
          packet: {
            kind: 'custom',
            typeId: c.type_id,
            encoding: 'json',
            data: c.data,
            meta: copyMeta(input.meta),
          },
        };
      }
      default:
        return {
          kind: 'error',
          message: this.readString('error', MAX_MESSAGE_CHARS) || 'process() failed',
        };
    }
  }

  private tooLarge(what: string): ScriptOutcome {
    return {
      kind: 'error',
      message: `process() returned ${what} larger than ${this.maxPacketBytes} bytes; ${limitText({ maxPacketBytes: this.maxPacketBytes }, 'maxPacketBytes')}`,
    };
  }

  /**
   * A string property of `out`, or undefined when it is over `maxBytes` UTF-8 bytes. Its length is read
   * first (a string's `length` cannot be faked), so an oversize string is never copied to the host.
   */
  private readString(prop: string, maxBytes: number): string | undefined {
    const { ctx } = this;
    const h = ctx.getProp(this.entry.out, prop);
    try {
      if (ctx.typeof(h) !== 'string') return '';
      const lengthHandle = ctx.getProp(h, 'length');
      const length = ctx.getNumber(lengthHandle);
      lengthHandle.dispose();
      if (!(length <= maxBytes)) return undefined;
      const s = ctx.getString(h);
      return length * 3 > maxBytes && Buffer.byteLength(s) > maxBytes ? undefined : s;
    } finally {
      h.dispose();
    }
  }

  private readNumber(prop: string): number {
    const h = this.ctx.getProp(this.entry.out, prop);
    const n = this.ctx.typeof(h) === 'number' ? this.ctx.getNumber(h) : 0;
    h.dispose();
    return n;
  }

  /**
   * The returned audio. The size is checked on the sandbox's own copy of the buffer (inside its capped
   * memory) before one byte is copied to the host; the shape is checked again here because the script can
   * tamper with the prelude's view of typed arrays.
   */
  private readAudio(input: Packet): ScriptOutcome {
    const { ctx } = this;
    const rate = this.readNumber('rate');
    const channels = this.readNumber('channels');
    const h = ctx.getProp(this.entry.out, 'buffer');
    let samples: Float32Array;
    try {
      let view;
      try {
        view = ctx.getArrayBuffer(h);
      } catch (err) {
        return {
          kind: 'error',
          message: `a returned Audio packet has no readable samples (${(err as Error).message})`,
        };
      }
      try {
        const bytes = view.value.byteLength;
        if (bytes > this.maxPacketBytes) return this.tooLarge(`an Audio packet (${bytes} bytes)`);
        samples = new Float32Array(bytes >> 2);
        new Uint8Array(samples.buffer).set(view.value.subarray(0, samples.byteLength));
      } finally {
        view.dispose();
      }
    } finally {
      h.dispose();
    }
    if (
      !Number.isInteger(channels) ||
      channels < 1 ||
      channels > MAX_AUDIO_CHANNELS ||
      !Number.isInteger(rate) ||
      rate < 1 ||
      rate > MAX_AUDIO_RATE ||
      samples.length % channels !== 0
    ) {
      return {
        kind: 'error',
        message: `a returned Audio packet has an invalid shape (${samples.length} samples, ${channels} channels, ${rate} Hz)`,
      };
    }
    return {
      kind: 'packet',
      packet: { kind: 'audio', sampleRate: rate, channels, samples, meta: copyMeta(input.meta) },
    };
  }

  /** Drives an async `process()`: runs promise jobs as host fetches complete, until the call settles. */
  private async settleAsync(input: Packet, started: number): Promise<ScriptOutcome> {
    try {
      for (;;) {
        this.drainJobs();
        if (this.readBool('done')) return this.outcome(this.readNumber('code'), input);
        if (this.pendingFetches.size === 0) {
          return {
            kind: 'error',
            message: 'process() returned a promise that can never settle (nothing is pending)',
          };
        }
        const left = this.asyncTimeoutMs - (performance.now() - started);
        if (left <= 0 || !(await this.waitForFetch(left))) {
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

  private waitForFetch(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    return Promise.race([Promise.race(this.pendingFetches).then(() => true), timeout]).finally(() =>
      clearTimeout(timer),
    );
  }

  private readBool(prop: string): boolean {
    const h = this.ctx.getProp(this.entry.out, prop);
    const b = this.ctx.typeof(h) === 'boolean' && this.ctx.dump(h) === true;
    h.dispose();
    return b;
  }

  private drainJobs(): void {
    this.startSlice();
    let res;
    try {
      res = this.runtime.executePendingJobs();
    } catch (err) {
      throw this.crash(err);
    }
    if (res.error) {
      const { fatal } = this.inspectError(res.error);
      if (fatal) throw this.fail(fatal);
      return;
    }
    const fatal = this.readString('fatal', MAX_MESSAGE_CHARS);
    if (fatal === 'interrupted') throw this.fail(this.timeoutError());
    if (fatal) throw this.fail(this.memoryError());
  }

  /**
   * Reads (and frees) an uncaught error: a fatal condition (interrupt, memory) or the text of an ordinary
   * throw (`Name: message`).
   */
  private inspectError(handle: QuickJSHandle): { fatal?: ScriptFatalError; text: string } {
    let name = '';
    let message: string;
    try {
      const e = this.ctx.dump(handle) as unknown;
      if (typeof e === 'object' && e !== null) {
        const o = e as { name?: unknown; message?: unknown };
        name = typeof o.name === 'string' ? o.name : 'Error';
        message = typeof o.message === 'string' ? o.message : '';
      } else {
        message = String(e);
      }
    } catch {
      message = 'unreadable error';
    } finally {
      handle.dispose();
    }
    if (name === 'InternalError' && message === 'interrupted') {
      const fatal = this.timeoutError();
      return { fatal, text: fatal.message };
    }
    if (name === 'InternalError' && message === 'out of memory') {
      const fatal = this.memoryError();
      return { fatal, text: fatal.message };
    }
    return { text: name ? `${name}: ${message}` : message };
  }

  private timeoutError(): ScriptFatalError {
    const ran = Math.round(performance.now() - this.sliceStart);
    const budget = Math.round(this.deadline - this.sliceStart);
    return new ScriptFatalError('timeout', `script timed out after ${budget} ms (stopped at ${ran} ms)`);
  }

  private memoryError(): ScriptFatalError {
    return new ScriptFatalError('memory', `script exceeded its memory limit of ${this.memoryLimitMb} MB`);
  }

  private crash(err: unknown): ScriptFatalError {
    const msg = err instanceof Error ? err.message : String(err);
    const oom = /memory|Cannot enlarge/i.test(msg);
    return this.fail(
      oom ? this.memoryError() : new ScriptFatalError('crashed', `script sandbox crashed: ${msg}`),
      true,
    );
  }

  /** After a fatal error the sandbox's state is unknown (a loop stopped midway, a failed allocation): drop it. */
  private fail(err: ScriptFatalError, trapped = false): ScriptFatalError {
    if (trapped) this.closed = true;
    else this.dispose();
    return err;
  }

  private hostSamples(): QuickJSHandle {
    const p = this.current;
    if (!p) return this.ctx.undefined;
    const s = p.samples;
    return this.ctx.newArrayBuffer(s.buffer.slice(s.byteOffset, s.byteOffset + s.byteLength));
  }

  /**
   * A string argument from the script, refused (host function throws into the script) over `maxChars`
   * characters: its length is read before it is copied.
   */
  private argString(h: QuickJSHandle, maxChars: number, what: string): string {
    const { ctx } = this;
    if (ctx.typeof(h) !== 'string') return ctx.typeof(h) === 'undefined' ? '' : String(ctx.dump(h));
    const lengthHandle = ctx.getProp(h, 'length');
    const length = ctx.getNumber(lengthHandle);
    lengthHandle.dispose();
    if (!(length <= maxChars)) throw new Error(`${what} is longer than ${maxChars} characters`);
    return ctx.getString(h);
  }

  /** `dsp.gain` (op 0, returns a new buffer), `dsp.peak` (1) and `dsp.rms` (2) over a copy of f32 samples. */
  private hostDsp(op: QuickJSHandle, buffer: QuickJSHandle, factor: QuickJSHandle): QuickJSHandle {
    const { ctx } = this;
    const code = ctx.getNumber(op);
    const view = ctx.getArrayBuffer(buffer);
    try {
      const bytes = view.value;
      if (bytes.byteLength > this.maxPacketBytes) {
        throw new Error(
          `dsp: ${bytes.byteLength} bytes of samples; ${limitText({ maxPacketBytes: this.maxPacketBytes }, 'maxPacketBytes')}`,
        );
      }
      const samples = new Float32Array(bytes.byteLength >> 2);
      new Uint8Array(samples.buffer).set(bytes.subarray(0, samples.byteLength));
      if (code === 0) {
        const k = ctx.getNumber(factor);
        for (let i = 0; i < samples.length; i++) samples[i] *= k;
        return ctx.newArrayBuffer(samples.buffer);
      }
      let acc = 0;
      for (let i = 0; i < samples.length; i++) {
        const v = samples[i];
        acc = code === 1 ? Math.max(acc, Math.abs(v)) : acc + v * v;
      }
      return ctx.newNumber(code === 1 ? acc : samples.length ? Math.sqrt(acc / samples.length) : 0);
    } finally {
      view.dispose();
    }
  }

  private hostLog(level: QuickJSHandle, msg: QuickJSHandle): void {
    const lv = LOG_LEVELS[this.ctx.getNumber(level)] ?? 'info';
    this.opts.log?.(lv, this.argString(msg, MAX_MESSAGE_CHARS, 'a log line'));
  }

  private hostEmit(type: QuickJSHandle, json: QuickJSHandle): QuickJSHandle {
    const sink = this.opts.telemetry;
    if (!sink) return this.ctx.false;
    let data: Record<string, unknown> | undefined;
    if (this.ctx.typeof(json) === 'string') {
      const v = JSON.parse(this.argString(json, MAX_TELEMETRY_JSON_CHARS, 'telemetry data')) as unknown;
      data =
        typeof v === 'object' && v !== null && !Array.isArray(v)
          ? (v as Record<string, unknown>)
          : { value: v };
    }
    return sink(this.argString(type, MAX_MESSAGE_CHARS, 'a telemetry event type'), data)
      ? this.ctx.true
      : this.ctx.false;
  }

  private hostFetch(
    url: QuickJSHandle,
    method: QuickJSHandle,
    headers: QuickJSHandle,
    body: QuickJSHandle,
  ): QuickJSHandle {
    const { ctx } = this;
    const init: ScriptFetchInit = {
      method: this.argString(method, 16, 'the fetch method'),
      headers: JSON.parse(this.argString(headers, MAX_FETCH_HEADERS_CHARS, 'the fetch headers')) as Record<
        string,
        string
      >,
      body:
        ctx.typeof(body) === 'string'
          ? this.argString(body, this.maxPacketBytes, 'the fetch body')
          : undefined,
    };
    const target = this.argString(url, MAX_FETCH_URL_CHARS, 'the fetch URL');
    const deferred: QuickJSDeferredPromise = ctx.newPromise();
    const request = this.opts.fetch
      ? this.opts.fetch(target, init)
      : Promise.reject(new Error('Blocked: fetch is not available to this script'));
    const settled = request.then(
      (text) => {
        if (this.closed) return;
        const s = ctx.newString(text);
        deferred.resolve(s);
        s.dispose();
      },
      (err: unknown) => {
        if (this.closed) return;
        const e = ctx.newError(err instanceof Error ? err.message : String(err));
        deferred.reject(e);
        e.dispose();
      },
    );
    const tracked: Promise<void> = settled.finally(() => {
      this.pendingFetches.delete(tracked);
      if (this.deferreds.delete(deferred)) deferred.dispose();
    });
    this.pendingFetches.add(tracked);
    this.deferreds.add(deferred);
    return deferred.handle;
  }

  /** Frees the QuickJS context; idempotent. Pending fetches complete on the host and are ignored. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.current = undefined;
    try {
      for (const d of this.deferreds) d.dispose();
      this.deferreds.clear();
      if (this.entry) for (const h of Object.values(this.entry)) h.dispose();
      this.ctx.dispose();
    } catch {
      // A context that hit its memory cap may fail to free cleanly; its WebAssembly memory is dropped anyway.
    }
  }
}

function copyMeta(meta: PacketMetadata | undefined): PacketMetadata | undefined {
  return meta ? { ...meta } : undefined;
}

function scriptMetadata(meta: PacketMetadata | undefined): Record<string, number> | undefined {
  if (!meta) return undefined;
  const m: Record<string, number> = {};
  if (meta.timestampUs !== undefined) m.timestamp_us = meta.timestampUs;
  if (meta.durationUs !== undefined) m.duration_us = meta.durationUs;
  if (meta.sequence !== undefined) m.sequence = meta.sequence;
  return m;
}

/** StreamKit's script view of non-audio packets (Binary and Opus expose their size, not their bytes). */
function toScriptObject(p: Exclude<Packet, AudioPacket>): Record<string, unknown> {
  switch (p.kind) {
    case 'text':
      return { type: 'Text', data: p.text };
    case 'transcription':
      return {
        type: 'Transcription',
        data: {
          text: p.text,
          language: p.language,
          segments: p.segments.map((s) => ({
            text: s.text,
            start_time_ms: s.startTimeMs,
            end_time_ms: s.endTimeMs,
            confidence: s.confidence,
          })),
        },
      };
    case 'custom':
      return {
        type: 'Custom',
        type_id: p.typeId,
        encoding: 'json',
        data: p.data,
        metadata: scriptMetadata(p.meta),
      };
    case 'binary':
      return { type: 'Binary', metadata: { content_type: p.contentType, size: p.data.byteLength } };
    case 'opus':
      return { type: 'Binary', metadata: { content_type: 'audio/opus', size: p.data.byteLength } };
  }
}
