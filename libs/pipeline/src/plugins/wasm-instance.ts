// One instance of a WASM plugin (ABI v1, plugins/ABI.md) for one node: its own capped memory, the host
// functions it imports (`sk_emit`, `sk_log`, `sk_telemetry`, `abort`), and packets copied in and out of it.
import type { Packet, PacketMetadata } from '../core/packets';
import {
  AbiPacketKind,
  toAbiPacket,
  type AbiPacket,
  EmitBudget,
  PluginCallError,
  PluginError,
  type PluginInstance,
  type PluginLogSink,
  type PluginMetadata,
  type PluginOutput,
} from './types';
import { wasmApi, type WasmImports, type WasmMemory, type WasmModule } from './wasm-api';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

interface PluginExports {
  sk_abi_version(): number;
  sk_alloc(size: number): number;
  sk_free(ptr: number, size: number): void;
  sk_metadata(): number;
  sk_create(ptr: number, len: number): number;
  sk_process(
    handle: number,
    pin: number,
    kind: number,
    ptr: number,
    len: number,
    rate: number,
    channels: number,
  ): number;
  sk_update_params?(handle: number, ptr: number, len: number): number;
  sk_flush?(handle: number): number;
  sk_destroy(handle: number): void;
  sk_last_error(): number;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** One instance of a WASM plugin: its own memory, a reusable input buffer, and the emitted-packet collector. */
export class WasmPluginInstance implements PluginInstance {
  private readonly memory: WasmMemory;
  private readonly fns: PluginExports;
  private handle = 0;
  private inPtr = 0;
  private inCap = 0;
  private out: PluginOutput[] | undefined;
  private outMeta: PacketMetadata | undefined;
  private dead = false;
  private readonly budget: EmitBudget;
  /** The packet being processed, as the ABI takes it (reused). */
  private readonly abi: AbiPacket = { kind: AbiPacketKind.Binary, data: '', rate: 0, channels: 0 };

  constructor(
    module: WasmModule,
    limits: { initialPages: number; maximumPages: number },
    private readonly metadata: PluginMetadata,
    private readonly sink: PluginLogSink,
  ) {
    this.budget = new EmitBudget(sink);
    this.memory = new wasmApi.Memory({ initial: limits.initialPages, maximum: limits.maximumPages });
    const imports: WasmImports = {
      env: {
        memory: this.memory,
        sk_emit: (pin: number, kind: number, ptr: number, len: number, rate: number, ch: number) =>
          this.emit(pin, kind, ptr, len, rate, ch),
        sk_log: (level: number, ptr: number, len: number) =>
          this.sink.log(LOG_LEVELS[level] ?? 'info', this.readText(ptr, len)),
        sk_telemetry: (tp: number, tl: number, jp: number, jl: number) => this.telemetry(tp, tl, jp, jl),
        abort: (msg: number, file: number, line: number, col: number) => {
          throw new Error(
            `plugin aborted: ${this.readAsString(msg)} at ${this.readAsString(file)}:${line}:${col}`,
          );
        },
      },
    };
    try {
      this.fns = new wasmApi.Instance(module, imports).exports as unknown as PluginExports;
    } catch (err) {
      throw new PluginError('invalid_plugin', `plugin failed to instantiate: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  private readText(ptr: number, len: number): string {
    const b = this.bytes();
    if (ptr < 0 || len < 0 || ptr + len > b.length) return '';
    return decoder.decode(b.subarray(ptr, ptr + len));
  }

  /** A `[u32 length][utf-8]` buffer returned by the plugin. */
  private readPrefixed(ptr: number): string {
    const b = this.bytes();
    if (ptr <= 0 || ptr + 4 > b.length) return '';
    const len = new DataView(this.memory.buffer).getUint32(ptr, true);
    return this.readText(ptr + 4, len);
  }

  /** AssemblyScript strings (UTF-16, byte length at ptr-4), only for `abort` messages. */
  private readAsString(ptr: number): string {
    const b = this.bytes();
    if (ptr < 4 || ptr > b.length) return '?';
    const len = new DataView(this.memory.buffer).getUint32(ptr - 4, true);
    if (ptr + len > b.length) return '?';
    return Buffer.from(b.subarray(ptr, ptr + len)).toString('utf16le');
  }

  private call<T>(what: string, fn: () => T): T {
    if (this.dead)
      throw new PluginCallError(`plugin instance is dead after an earlier trap; ${what} refused`, true);
    try {
      return fn();
    } catch (err) {
      if (err instanceof PluginCallError) throw err;
      this.dead = true;
      throw new PluginCallError(`plugin trapped in ${what}: ${(err as Error).message}`, true, { cause: err });
    }
  }

  private lastError(fallback: string): string {
    return this.readPrefixed(this.fns.sk_last_error()) || fallback;
  }

  /** Copies bytes into the plugin-owned input buffer, growing it when needed. */
  private stage(data: Uint8Array): number {
    if (data.byteLength > this.inCap) {
      if (this.inPtr) this.fns.sk_free(this.inPtr, this.inCap);
      const cap = Math.max(data.byteLength, 8192);
      this.inPtr = this.fns.sk_alloc(cap);
      if (!this.inPtr)
        throw new PluginCallError(`plugin could not allocate ${cap} bytes (memory limit)`, false);
      this.inCap = cap;
    }
    this.bytes().set(data, this.inPtr);
    return this.inPtr;
  }

  create(params: Record<string, unknown>): void {
    const json = encoder.encode(JSON.stringify(params));
    this.handle = this.call('sk_create', () => {
      const ptr = this.stage(json);
      return this.fns.sk_create(ptr, json.byteLength);
    });
    if (!this.handle)
      throw new PluginCallError(
        `plugin failed to create an instance: ${this.lastError('no reason given')}`,
        false,
      );
  }

  process(pin: number, packet: Packet, out: PluginOutput[]): void {
    const { kind, data: payload, rate, channels } = toAbiPacket(packet, this.abi);
    // WASM memory takes bytes: samples as their bytes, text as UTF-8.
    const data =
      typeof payload === 'string'
        ? encoder.encode(payload)
        : payload instanceof Float32Array
          ? new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)
          : payload;
    this.out = out;
    this.outMeta = packet.meta;
    this.budget.reset();
    try {
      const rc = this.call('sk_process', () => {
        const ptr = this.stage(data);
        return this.fns.sk_process(this.handle, pin, kind, ptr, data.byteLength, rate, channels);
      });
      if (rc !== 0)
        throw new PluginCallError(
          this.budget.explain(`plugin process failed: ${this.lastError(`error code ${rc}`)}`),
          false,
        );
    } finally {
      this.out = undefined;
      this.outMeta = undefined;
    }
  }

  updateParams(params: Record<string, unknown>): void {
    const update = this.fns.sk_update_params;
    if (!update)
      throw new PluginCallError('plugin does not support parameter updates (no sk_update_params)', false);
    const json = encoder.encode(JSON.stringify(params));
    const rc = this.call('sk_update_params', () => update(this.handle, this.stage(json), json.byteLength));
    if (rc !== 0)
      throw new PluginCallError(`plugin rejected the params: ${this.lastError(`error code ${rc}`)}`, false);
  }

  flush(out: PluginOutput[]): void {
    const flush = this.fns.sk_flush;
    if (!flush) return;
    this.out = out;
    this.budget.reset();
    try {
      const rc = this.call('sk_flush', () => flush(this.handle));
      if (rc !== 0)
        throw new PluginCallError(
          this.budget.explain(`plugin flush failed: ${this.lastError(`error code ${rc}`)}`),
          false,
        );
    } finally {
      this.out = undefined;
    }
  }

  destroy(): void {
    if (this.dead || !this.handle) return;
    const handle = this.handle;
    this.handle = 0;
    this.call('sk_destroy', () => this.fns.sk_destroy(handle));
  }

  private emit(pin: number, kind: number, ptr: number, len: number, rate: number, channels: number): number {
    const out = this.out;
    const outputs = this.metadata.outputs.length;
    const b = this.bytes();
    if (!out || pin < 0 || pin >= outputs || ptr < 0 || len < 0 || ptr + len > b.length) {
      this.sink.log('warn', `plugin emitted on invalid pin ${pin} or outside its memory; packet dropped`);
      return 1;
    }
    if (!this.budget.take(len)) return 1;
    const meta = this.outMeta ? { ...this.outMeta } : undefined;
    switch (kind) {
      case AbiPacketKind.Audio: {
        if (len % 4 !== 0 || !(rate > 0) || !(channels > 0) || (len / 4) % channels !== 0) {
          this.sink.log(
            'warn',
            `plugin emitted malformed audio (${len} bytes, ${rate} Hz, ${channels} ch); packet dropped`,
          );
          return 1;
        }
        const samples = new Float32Array(len / 4);
        new Uint8Array(samples.buffer).set(b.subarray(ptr, ptr + len));
        out.push({ pin, packet: { kind: 'audio', sampleRate: rate, channels, samples, meta } });
        return 0;
      }
      case AbiPacketKind.Text:
        out.push({ pin, packet: { kind: 'text', text: decoder.decode(b.subarray(ptr, ptr + len)), meta } });
        return 0;
      case AbiPacketKind.Binary:
        out.push({ pin, packet: { kind: 'binary', data: b.slice(ptr, ptr + len), meta } });
        return 0;
      case AbiPacketKind.Custom: {
        try {
          const c = JSON.parse(decoder.decode(b.subarray(ptr, ptr + len))) as {
            type_id?: unknown;
            data?: unknown;
          };
          if (typeof c.type_id !== 'string') throw new Error('missing type_id');
          out.push({
            pin,
            packet: { kind: 'custom', typeId: c.type_id, encoding: 'json', data: c.data ?? null, meta },
          });
          return 0;
        } catch (err) {
          this.sink.log(
            'warn',
            `plugin emitted a malformed Custom packet (${(err as Error).message}); packet dropped`,
          );
          return 1;
        }
      }
      default:
        this.sink.log('warn', `plugin emitted unknown packet kind ${kind}; packet dropped`);
        return 1;
    }
  }

  private telemetry(tp: number, tl: number, jp: number, jl: number): number {
    let data: Record<string, unknown> | undefined;
    try {
      const v = JSON.parse(this.readText(jp, jl)) as unknown;
      data =
        typeof v === 'object' && v !== null && !Array.isArray(v)
          ? (v as Record<string, unknown>)
          : { value: v };
    } catch {
      return 0;
    }
    return this.sink.telemetry(this.readText(tp, tl), data) ? 1 : 0;
  }
}
