// Shared plugin types: metadata (what a plugin declares), the per-instance contract both WASM and native
// plugins are adapted to, summaries for the HTTP API, and errors that carry the HTTP status to answer with.
import type { Packet } from '../core/packets';
import type { PinType } from '../core/pin-types';
import { DEFAULT_NODE_LIMITS, limitText, type NodeLimits } from '../definition/limits';

export const PLUGIN_ABI_VERSION = 1;

export type PluginType = 'native' | 'wasm';

/** Packet kinds crossing both ABIs. */
export const enum AbiPacketKind {
  Audio = 0,
  Text = 1,
  Binary = 2,
  Custom = 3,
  Transcription = 4,
}

/**
 * A packet as both plugin ABIs take it: its kind, its payload (audio samples, text or JSON text, or bytes) and
 * the audio format. Filled in place by `toAbiPacket` (one object per plugin instance, none per packet); each
 * host then hands the payload over in its own representation.
 */
export interface AbiPacket {
  kind: AbiPacketKind;
  data: Float32Array | Uint8Array | string;
  rate: number;
  channels: number;
}

export function toAbiPacket(packet: Packet, into: AbiPacket): AbiPacket {
  into.rate = 0;
  into.channels = 0;
  switch (packet.kind) {
    case 'audio':
      into.kind = AbiPacketKind.Audio;
      into.data = packet.samples;
      into.rate = packet.sampleRate;
      into.channels = packet.channels;
      break;
    case 'text':
      into.kind = AbiPacketKind.Text;
      into.data = packet.text;
      break;
    case 'binary':
    case 'opus':
      into.kind = AbiPacketKind.Binary;
      into.data = packet.data;
      break;
    case 'custom':
      into.kind = AbiPacketKind.Custom;
      into.data = JSON.stringify({ type_id: packet.typeId, data: packet.data });
      break;
    case 'transcription':
      into.kind = AbiPacketKind.Transcription;
      into.data = JSON.stringify({ text: packet.text, segments: packet.segments, language: packet.language });
      break;
  }
  return into;
}

export interface PluginPinIn {
  name: string;
  accepts_types: PinType[];
}

export interface PluginPinOut {
  name: string;
  produces_type: PinType;
}

/** A plugin's declaration (its `sk_metadata()` / `metadata()` JSON), checked by `parsePluginMetadata`. */
export interface PluginMetadata {
  /** The simple kind the plugin declared (without `plugin::<type>::`). */
  kind: string;
  description: string;
  categories: string[];
  /** JSON Schema of the params (an object schema). */
  params: Record<string, unknown>;
  inputs: PluginPinIn[];
  outputs: PluginPinOut[];
}

/** StreamKit's `GET /api/v1/plugins` entry. */
export interface PluginSummary {
  /** Registered kind, e.g. `plugin::wasm::gain`. */
  kind: string;
  /** The kind the plugin declared, e.g. `gain`. */
  original_kind: string;
  file_name: string;
  categories: string[];
  loaded_at_ms: number;
  plugin_type: PluginType;
}

/** A packet a plugin emitted during one call, on the output pin with this index. */
export interface PluginOutput {
  pin: number;
  packet: Packet;
}

export interface PluginLogSink {
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** Returns false when the event was not delivered. */
  telemetry(eventType: string, data: Record<string, unknown> | undefined): boolean;
  /** Bounds on emitted packets (defaults: `DEFAULT_NODE_LIMITS`). */
  limits?: Pick<NodeLimits, 'maxPacketBytes' | 'maxCallOutputBytes'>;
  /** An emitted packet was refused by a limit (the node counts it as errored). */
  refused?(): void;
}

/** Bookkeeping cost of one emitted packet, so a flood of empty packets also meets the per-call bound. */
const PACKET_OVERHEAD_BYTES = 64;

/**
 * What a plugin may emit during one call (`process` or `flush`): each packet at most `maxPacketBytes`, all
 * of them together at most `maxCallOutputBytes`. Checked before the bytes are copied to the host.
 */
export class EmitBudget {
  private used = 0;
  private readonly limits: Pick<NodeLimits, 'maxPacketBytes' | 'maxCallOutputBytes'>;

  constructor(private readonly sink: PluginLogSink) {
    this.limits = sink.limits ?? DEFAULT_NODE_LIMITS;
  }

  /** Why the last packet of the current call was refused (to explain a call that then failed). */
  refusal: string | undefined;

  /** A new call starts. */
  reset(): void {
    this.used = 0;
    this.refusal = undefined;
  }

  /** A failed call's message, with the refusal that probably caused it. */
  explain(message: string): string {
    return this.refusal === undefined
      ? message
      : `${message} (the host refused an emitted packet: ${this.refusal})`;
  }

  /** True when a packet of `bytes` fits (it is then counted); otherwise logs the refusal and returns false. */
  take(bytes: number): boolean {
    let refusal: string | undefined;
    if (bytes > this.limits.maxPacketBytes) {
      refusal = `plugin emitted a packet of ${bytes} bytes; ${limitText(this.limits, 'maxPacketBytes')}; packet dropped`;
    } else if (this.used + bytes + PACKET_OVERHEAD_BYTES > this.limits.maxCallOutputBytes) {
      refusal = `plugin emitted more than ${this.limits.maxCallOutputBytes} bytes in one call; ${limitText(this.limits, 'maxCallOutputBytes')}; packet dropped`;
    }
    if (refusal === undefined) {
      this.used += bytes + PACKET_OVERHEAD_BYTES;
      return true;
    }
    this.refusal = refusal;
    this.sink.refused?.();
    this.sink.log('warn', refusal);
    return false;
  }
}

/** One live plugin instance (one node). Calls throw `PluginCallError`; after a trap the instance is dead. */
export interface PluginInstance {
  /** Processes a packet from input pin `pin` (index in metadata inputs); emitted packets are appended to `out`. */
  process(pin: number, packet: Packet, out: PluginOutput[]): void;
  updateParams(params: Record<string, unknown>): void;
  /** At end of input: emit whatever the plugin still holds. */
  flush(out: PluginOutput[]): void;
  destroy(): void;
}

/** A loaded plugin file: its metadata and a way to create instances. */
export interface LoadedPluginModule {
  readonly type: PluginType;
  readonly metadata: PluginMetadata;
  createInstance(params: Record<string, unknown>, sink: PluginLogSink): PluginInstance;
}

export type PluginErrorCode = 'bad_request' | 'invalid_plugin' | 'conflict' | 'not_found' | 'disabled';

const STATUS: Record<PluginErrorCode, number> = {
  bad_request: 400,
  disabled: 403,
  invalid_plugin: 422,
  conflict: 422,
  not_found: 422,
};

/** A refusal with the status StreamKit's plugin API answers with (400 name, 422 load/duplicate/unknown kind). */
export class PluginError extends Error {
  readonly status: number;

  constructor(
    readonly code: PluginErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PluginError';
    this.status = STATUS[code];
  }
}

/** A plugin call failed (an error it reported, or a trap). */
export class PluginCallError extends Error {
  constructor(
    message: string,
    readonly trapped: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PluginCallError';
  }
}
