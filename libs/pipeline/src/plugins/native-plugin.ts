// Native plugins: Node-API addons (`.node`) exporting the ABI v1 contract (plugins/ABI.md). Native code runs
// with the server's privileges and cannot be unloaded from the process: only install addons you trust.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import type { Packet } from '../core/packets';
import { parsePluginMetadata } from './metadata';
import {
  AbiPacketKind,
  toAbiPacket,
  type AbiPacket,
  EmitBudget,
  PLUGIN_ABI_VERSION,
  PluginCallError,
  PluginError,
  type LoadedPluginModule,
  type PluginInstance,
  type PluginLogSink,
  type PluginMetadata,
  type PluginOutput,
} from './types';

type EmitFn = (pin: number, kind: number, data: unknown, sampleRate: number, channels: number) => void;

/** The exports a native plugin provides. */
export interface NativeAddon {
  abiVersion: number;
  metadata(): string;
  create(paramsJson: string, log?: (level: number, message: string) => void): unknown;
  process(
    handle: unknown,
    pin: number,
    kind: number,
    data: unknown,
    sampleRate: number,
    channels: number,
    emit: EmitFn,
  ): void;
  updateParams?(handle: unknown, paramsJson: string): void;
  flush?(handle: unknown, emit: EmitFn): void;
  destroy(handle: unknown): void;
}

/**
 * Addons already mapped into this process, by real path. Node cannot unload native code, so a path is opened
 * once; loading it again reuses the exports, and loading changed bytes at a mapped path is refused.
 */
const opened = new Map<string, { sha256: string; addon: NativeAddon }>();

function openAddon(path: string, fileName: string): NativeAddon {
  const real = realpathSync(path);
  const sha256 = createHash('sha256').update(readFileSync(real)).digest('hex');
  const known = opened.get(real);
  if (known) {
    if (known.sha256 !== sha256) {
      throw new PluginError(
        'invalid_plugin',
        `${fileName}: another version of this addon is already mapped into the server process and native code cannot be unloaded; restart the server or upload it under a new file name`,
      );
    }
    return known.addon;
  }
  const mod: { exports: unknown } = { exports: {} };
  try {
    process.dlopen(mod, real);
  } catch (err) {
    throw new PluginError(
      'invalid_plugin',
      `${fileName}: not a loadable Node-API addon: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const addon = mod.exports as Partial<NativeAddon>;
  const fnNames = ['metadata', 'create', 'process', 'destroy'] as const;
  const missing = fnNames.filter((n) => typeof addon[n] !== 'function');
  if (missing.length > 0) {
    throw new PluginError(
      'invalid_plugin',
      `${fileName}: missing ABI v${PLUGIN_ABI_VERSION} exports: ${missing.join(', ')} (see plugins/ABI.md)`,
    );
  }
  if (addon.abiVersion !== PLUGIN_ABI_VERSION) {
    throw new PluginError(
      'invalid_plugin',
      `${fileName}: ABI version ${String(addon.abiVersion)}; this server speaks version ${PLUGIN_ABI_VERSION}`,
    );
  }
  opened.set(real, { sha256, addon: addon as NativeAddon });
  return addon as NativeAddon;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export class NativePlugin implements LoadedPluginModule {
  readonly type = 'native' as const;

  private constructor(
    private readonly addon: NativeAddon,
    readonly metadata: PluginMetadata,
  ) {}

  static load(path: string, fileName: string): NativePlugin {
    const addon = openAddon(path, fileName);
    let json: string;
    try {
      json = addon.metadata();
    } catch (err) {
      throw new PluginError('invalid_plugin', `${fileName}: metadata() threw: ${(err as Error).message}`, {
        cause: err,
      });
    }
    if (typeof json !== 'string')
      throw new PluginError('invalid_plugin', `${fileName}: metadata() must return a JSON string`);
    return new NativePlugin(addon, parsePluginMetadata(json, 'native'));
  }

  createInstance(params: Record<string, unknown>, sink: PluginLogSink): PluginInstance {
    const log = (level: number, message: string) => sink.log(LOG_LEVELS[level] ?? 'info', String(message));
    let handle: unknown;
    try {
      handle = this.addon.create(JSON.stringify(params), log);
    } catch (err) {
      throw new PluginCallError(`plugin failed to create an instance: ${(err as Error).message}`, false, {
        cause: err,
      });
    }
    return new NativePluginInstance(this.addon, handle, this.metadata, sink);
  }
}

class NativePluginInstance implements PluginInstance {
  private out: PluginOutput[] | undefined;
  private outMeta: Packet['meta'];
  private readonly emitFn: EmitFn;
  private destroyed = false;
  private readonly budget: EmitBudget;
  /** The packet being processed, as the ABI takes it (reused). */
  private readonly abi: AbiPacket = { kind: AbiPacketKind.Binary, data: '', rate: 0, channels: 0 };

  constructor(
    private readonly addon: NativeAddon,
    private readonly handle: unknown,
    private readonly metadata: PluginMetadata,
    private readonly sink: PluginLogSink,
  ) {
    this.budget = new EmitBudget(sink);
    // Created once per instance: the hot path passes this bound function, never a new closure.
    this.emitFn = (pin, kind, data, rate, ch) => this.emit(pin, kind, data, rate, ch);
  }

  process(pin: number, packet: Packet, out: PluginOutput[]): void {
    const { kind, data, rate, channels } = toAbiPacket(packet, this.abi);
    this.out = out;
    this.outMeta = packet.meta;
    this.budget.reset();
    try {
      this.addon.process(this.handle, pin, kind, data, rate, channels, this.emitFn);
    } catch (err) {
      throw new PluginCallError(
        this.budget.explain(`plugin process failed: ${(err as Error).message}`),
        false,
        {
          cause: err,
        },
      );
    } finally {
      this.out = undefined;
      this.outMeta = undefined;
    }
  }

  updateParams(params: Record<string, unknown>): void {
    if (!this.addon.updateParams)
      throw new PluginCallError('plugin does not support parameter updates (no updateParams)', false);
    try {
      this.addon.updateParams(this.handle, JSON.stringify(params));
    } catch (err) {
      throw new PluginCallError(`plugin rejected the params: ${(err as Error).message}`, false, {
        cause: err,
      });
    }
  }

  flush(out: PluginOutput[]): void {
    if (!this.addon.flush) return;
    this.out = out;
    this.budget.reset();
    try {
      this.addon.flush(this.handle, this.emitFn);
    } catch (err) {
      throw new PluginCallError(`plugin flush failed: ${(err as Error).message}`, false, { cause: err });
    } finally {
      this.out = undefined;
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.addon.destroy(this.handle);
  }

  private emit(pin: number, kind: number, data: unknown, rate: number, channels: number): void {
    const out = this.out;
    if (!out || !(pin >= 0 && pin < this.metadata.outputs.length)) {
      throw new Error(
        `emit on invalid output pin ${pin} (the plugin declares ${this.metadata.outputs.length})`,
      );
    }
    // Native code allocated the data already; refusing it keeps it from piling up in this call's output.
    const bytes =
      typeof data === 'string' ? Buffer.byteLength(data) : ArrayBuffer.isView(data) ? data.byteLength : 0;
    if (!this.budget.take(bytes)) return;
    const meta = this.outMeta ? { ...this.outMeta } : undefined;
    if (kind === AbiPacketKind.Audio) {
      if (!(data instanceof Float32Array) || !(rate > 0) || !(channels > 0) || data.length % channels !== 0) {
        throw new Error(
          'emit(audio) needs a Float32Array whose length is a multiple of channels, and a sample rate',
        );
      }
      out.push({ pin, packet: { kind: 'audio', sampleRate: rate, channels, samples: data, meta } });
    } else if (kind === AbiPacketKind.Text && typeof data === 'string') {
      out.push({ pin, packet: { kind: 'text', text: data, meta } });
    } else if (kind === AbiPacketKind.Binary && data instanceof Uint8Array) {
      out.push({ pin, packet: { kind: 'binary', data, meta } });
    } else if (kind === AbiPacketKind.Custom && typeof data === 'string') {
      const c = JSON.parse(data) as { type_id?: unknown; data?: unknown };
      if (typeof c.type_id !== 'string') throw new Error('emit(custom) JSON needs a type_id');
      out.push({
        pin,
        packet: { kind: 'custom', typeId: c.type_id, encoding: 'json', data: c.data ?? null, meta },
      });
    } else {
      this.sink.log('warn', `plugin emitted kind ${kind} with mismatched data; packet dropped`);
    }
  }
}
