// StreamKit-TS WebAssembly plugin SDK for AssemblyScript (ABI v1, see plugins/ABI.md): host imports, the
// memory/ABI exports every plugin needs, and helpers to emit packets, log, report errors and read params.
// A plugin re-exports `sk_abi_version`, `sk_alloc`, `sk_free` and `sk_last_error` from here and
// implements `sk_metadata`, `sk_create`, `sk_process` and `sk_destroy` itself.

import { sk_emit as host_emit, sk_log as host_log, sk_telemetry as host_telemetry } from './env';

export const ABI_VERSION: i32 = 1;

/** Packet kinds crossing the ABI. */
export const KIND_AUDIO: i32 = 0;
export const KIND_TEXT: i32 = 1;
export const KIND_BINARY: i32 = 2;
export const KIND_CUSTOM: i32 = 3;
export const KIND_TRANSCRIPTION: i32 = 4;

export const LOG_DEBUG: i32 = 0;
export const LOG_INFO: i32 = 1;
export const LOG_WARN: i32 = 2;
export const LOG_ERROR: i32 = 3;

export function sk_abi_version(): i32 {
  return ABI_VERSION;
}

/** The host allocates its input buffers through these (unmanaged memory, never moved by the GC). */
export function sk_alloc(size: i32): usize {
  return heap.alloc(<usize>size);
}

export function sk_free(ptr: usize, _size: i32): void {
  heap.free(ptr);
}

// Globals keep the returned buffers alive until the next call replaces them.
let lastError: ArrayBuffer | null = null;
let lastString: ArrayBuffer | null = null;

/** A `[u32 length][utf-8 bytes]` buffer, the ABI's way to return a string. */
function lengthPrefixed(s: string): ArrayBuffer {
  const utf8 = String.UTF8.encode(s);
  const out = new ArrayBuffer(4 + utf8.byteLength);
  const base = changetype<usize>(out);
  store<u32>(base, <u32>utf8.byteLength);
  memory.copy(base + 4, changetype<usize>(utf8), <usize>utf8.byteLength);
  return out;
}

/** Returns a string to the host (e.g. from `sk_metadata`); valid until the next call. */
export function returnString(s: string): usize {
  lastString = lengthPrefixed(s);
  return changetype<usize>(lastString);
}

/** Records an error message for `sk_last_error`; pair it with a failure return code. */
export function setError(message: string): void {
  lastError = lengthPrefixed(message);
}

export function sk_last_error(): usize {
  const e = lastError;
  return e === null ? 0 : changetype<usize>(e);
}

export function readString(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

export function log(level: i32, message: string): void {
  const b = String.UTF8.encode(message);
  host_log(level, changetype<usize>(b), b.byteLength);
}

/** Emit interleaved f32 audio on output pin `pin` (index in the metadata's `outputs`). */
export function emitAudioRaw(pin: i32, ptr: usize, byteLength: i32, sampleRate: i32, channels: i32): i32 {
  return host_emit(pin, KIND_AUDIO, ptr, byteLength, sampleRate, channels);
}

export function emitAudio(pin: i32, samples: Float32Array, sampleRate: i32, channels: i32): i32 {
  return host_emit(pin, KIND_AUDIO, samples.dataStart, samples.byteLength, sampleRate, channels);
}

export function emitText(pin: i32, text: string): i32 {
  const b = String.UTF8.encode(text);
  return host_emit(pin, KIND_TEXT, changetype<usize>(b), b.byteLength, 0, 0);
}

/** Emit a Custom packet: `json` is `{"type_id": "...", "data": ...}`. */
export function emitCustom(pin: i32, json: string): i32 {
  const b = String.UTF8.encode(json);
  return host_emit(pin, KIND_CUSTOM, changetype<usize>(b), b.byteLength, 0, 0);
}

/** Emit a telemetry event (`json` is an object); returns 1 when delivered. */
export function telemetry(eventType: string, json: string): i32 {
  const t = String.UTF8.encode(eventType);
  const j = String.UTF8.encode(json);
  return host_telemetry(changetype<usize>(t), t.byteLength, changetype<usize>(j), j.byteLength);
}

/**
 * Reads a top-level numeric field from a params JSON object (the host validated it against the schema),
 * or `fallback` when absent. Enough for flat numeric params without a JSON library.
 */
export function jsonNumber(json: string, key: string, fallback: f64): f64 {
  const at = json.indexOf('"' + key + '"');
  if (at < 0) return fallback;
  let i = json.indexOf(':', at + key.length + 2);
  if (i < 0) return fallback;
  i++;
  while (i < json.length && (json.charCodeAt(i) == 32 || json.charCodeAt(i) == 9 || json.charCodeAt(i) == 10))
    i++;
  let end = i;
  while (end < json.length) {
    const c = json.charCodeAt(end);
    if ((c >= 48 && c <= 57) || c == 45 || c == 43 || c == 46 || c == 101 || c == 69) end++;
    else break;
  }
  if (end == i) return fallback;
  return parseFloat(json.substring(i, end));
}
