// The host functions a script sandbox gives its prelude (`__sk_samples`, `__sk_log`, `__sk_emit`, `__sk_fetch`,
// `__sk_dsp`): string arguments are refused over their caps before they are copied, fetches run on the host.
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle } from 'quickjs-emscripten';
import type { AudioPacket } from '../../core/packets';
import { limitText } from '../../definition/limits';
import type { ScriptFetchInit } from './fetch-policy';
import {
  MAX_FETCH_HEADERS_CHARS,
  MAX_FETCH_URL_CHARS,
  MAX_MESSAGE_CHARS,
  MAX_TELEMETRY_JSON_CHARS,
} from './sandbox-limits';
import type { ScriptLogLevel, ScriptSandboxOptions } from './sandbox-types';

const LOG_LEVELS: ScriptLogLevel[] = ['debug', 'info', 'warn', 'error'];

/** What the host functions read of their sandbox when they are called. */
export interface HostView {
  /** The audio packet of the running `process()` call, whose samples `__sk_samples` copies in. */
  current(): AudioPacket | undefined;
  /** The sandbox is disposed (or trapped): a fetch completing now must not touch its context. */
  closed(): boolean;
}

export class ScriptHost {
  private readonly pendingFetches = new Set<Promise<void>>();
  /** QuickJS promises handed to the script for fetches still running; freed before the context is. */
  private readonly deferreds = new Set<QuickJSDeferredPromise>();

  constructor(
    private readonly ctx: QuickJSContext,
    private readonly opts: ScriptSandboxOptions,
    private readonly maxPacketBytes: number,
    private readonly view: HostView,
  ) {}

  /** Fetches started by the script that have not completed yet. */
  get inflight(): number {
    return this.pendingFetches.size;
  }

  /** Sets the host functions as globals of the context; the prelude takes them from there. */
  install(): void {
    const { ctx } = this;
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
  }

  /** True once a running fetch completed, false after `ms`. */
  waitForFetch(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    return Promise.race([Promise.race(this.pendingFetches).then(() => true), timeout]).finally(() =>
      clearTimeout(timer),
    );
  }

  /** Frees the QuickJS promises of fetches still running; call before the context is freed. */
  dispose(): void {
    for (const d of this.deferreds) d.dispose();
    this.deferreds.clear();
  }

  private hostSamples(): QuickJSHandle {
    const p = this.view.current();
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
        if (this.view.closed()) return;
        const s = ctx.newString(text);
        deferred.resolve(s);
        s.dispose();
      },
      (err: unknown) => {
        if (this.view.closed()) return;
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
}
