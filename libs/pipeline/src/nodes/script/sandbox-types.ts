// What a script sandbox is given and what it gives back: its options, the outcome of one `process()` call,
// and the errors it raises.
import type { Packet } from '../../core/packets';
import type { ScriptFetchInit } from './fetch-policy';

export type ScriptLogLevel = 'debug' | 'info' | 'warn' | 'error';

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
