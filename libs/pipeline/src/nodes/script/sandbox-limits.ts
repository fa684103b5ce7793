// The limits of a script sandbox: the deadline of each synchronous slice (QuickJS's interrupt handler checks
// it), the memory cap, the size caps on strings the script hands the host, and the fatal errors they raise.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten';
import { ScriptFatalError } from './sandbox-types';

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
export const MAX_MESSAGE_CHARS = 16 * 1024;
export const MAX_TELEMETRY_JSON_CHARS = 64 * 1024;
export const MAX_FETCH_URL_CHARS = 8 * 1024;
export const MAX_FETCH_HEADERS_CHARS = 64 * 1024;

/** The CPU slice deadline and the memory cap of one sandbox, and the fatal errors for either. */
export class SandboxLimits {
  private deadline = 0;
  private sliceStart = 0;

  constructor(
    private readonly timeoutMs: number,
    private readonly memoryLimitMb: number,
  ) {}

  /** Installs the deadline check and QuickJS's own memory and stack limits on `runtime`. */
  applyTo(runtime: QuickJSRuntime): void {
    runtime.setInterruptHandler(() => performance.now() > this.deadline);
    // Keep QuickJS's own accounting a little under the hard cap so most hogs get a clean "out of memory".
    runtime.setMemoryLimit(Math.max(this.memoryLimitMb - 4, 8) * 1048576);
    runtime.setMaxStackSize(512 * 1024);
  }

  startSlice(budgetMs = this.timeoutMs): void {
    this.sliceStart = performance.now();
    this.deadline = this.sliceStart + budgetMs;
  }

  /** A slice of loading (the prelude, the script's top level, its validation): see `LOAD_TIMEOUT_MS`. */
  startLoadSlice(): void {
    this.startSlice(Math.max(this.timeoutMs, LOAD_TIMEOUT_MS));
  }

  /**
   * Reads (and frees) an uncaught error: a fatal condition (interrupt, memory) or the text of an ordinary
   * throw (`Name: message`).
   */
  inspectError(ctx: QuickJSContext, handle: QuickJSHandle): { fatal?: ScriptFatalError; text: string } {
    let name = '';
    let message: string;
    try {
      const e = ctx.dump(handle) as unknown;
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

  timeoutError(): ScriptFatalError {
    const ran = Math.round(performance.now() - this.sliceStart);
    const budget = Math.round(this.deadline - this.sliceStart);
    return new ScriptFatalError('timeout', `script timed out after ${budget} ms (stopped at ${ran} ms)`);
  }

  memoryError(): ScriptFatalError {
    return new ScriptFatalError('memory', `script exceeded its memory limit of ${this.memoryLimitMb} MB`);
  }
}
