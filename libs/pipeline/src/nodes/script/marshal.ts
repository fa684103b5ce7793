// Packets across the sandbox boundary: the prelude entry point and arguments of a `process()` call, the
// script's view of non-audio packets, and the outcome read back from the prelude's `out` object.
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import type { AudioPacket, Packet, PacketMetadata } from '../../core/packets';
import { limitText } from '../../definition/limits';
import { CallCode } from './prelude';
import { MAX_MESSAGE_CHARS } from './sandbox-limits';
import type { ScriptOutcome } from './sandbox-types';

/** Audio a script may return: sane shapes only (the prelude checks too, but the script can tamper with it). */
const MAX_AUDIO_CHANNELS = 64;
const MAX_AUDIO_RATE = 768_000;

const DROP: ScriptOutcome = Object.freeze({ kind: 'drop' });
const FORWARD: ScriptOutcome = Object.freeze({ kind: 'forward' });

/** The prelude's entry points (one per packet shape) and the object a call leaves its result in. */
export interface EntryPoints {
  audio: QuickJSHandle;
  text: QuickJSHandle;
  json: QuickJSHandle;
  out: QuickJSHandle;
}

/**
 * The entry point that takes `packet` and its arguments, new handles the caller frees. An audio packet passes
 * its shape and metadata only: its samples are copied in when the script first reads them (`__sk_samples`).
 */
export function callArguments(
  ctx: QuickJSContext,
  entry: EntryPoints,
  packet: Packet,
): { fn: QuickJSHandle; args: QuickJSHandle[] } {
  switch (packet.kind) {
    case 'audio': {
      const m = packet.meta;
      return {
        fn: entry.audio,
        args: [
          ctx.newNumber(packet.sampleRate),
          ctx.newNumber(packet.channels),
          ctx.newNumber(packet.samples.length / packet.channels),
          ctx.newNumber(m?.timestampUs ?? -1),
          ctx.newNumber(m?.durationUs ?? -1),
          ctx.newNumber(m?.sequence ?? -1),
        ],
      };
    }
    case 'text':
      return { fn: entry.text, args: [ctx.newString(packet.text)] };
    default:
      return { fn: entry.json, args: [ctx.newString(JSON.stringify(toScriptObject(packet)))] };
  }
}

/**
 * Reads what a call left in the prelude's `out` object. Sizes are checked on the sandbox's copy (inside its
 * capped memory) before anything is copied to the host.
 */
export class CallResult {
  constructor(
    private readonly ctx: QuickJSContext,
    private readonly out: QuickJSHandle,
    private readonly maxPacketBytes: number,
  ) {}

  outcome(code: number, input: Packet): ScriptOutcome {
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
  readString(prop: string, maxBytes: number): string | undefined {
    const { ctx } = this;
    const h = ctx.getProp(this.out, prop);
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

  readNumber(prop: string): number {
    const h = this.ctx.getProp(this.out, prop);
    const n = this.ctx.typeof(h) === 'number' ? this.ctx.getNumber(h) : 0;
    h.dispose();
    return n;
  }

  readBool(prop: string): boolean {
    const h = this.ctx.getProp(this.out, prop);
    const b = this.ctx.typeof(h) === 'boolean' && this.ctx.dump(h) === true;
    h.dispose();
    return b;
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
    const h = ctx.getProp(this.out, 'buffer');
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
