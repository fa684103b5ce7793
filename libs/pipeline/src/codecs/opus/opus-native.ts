// Typed access to @evan/opus (native libopus addon with a WASM fallback), and the constants of Opus at 48 kHz.
import { Decoder, Encoder } from '@evan/opus';

export { Decoder as NativeOpusDecoder, Encoder as NativeOpusEncoder };

/**
 * Decoding without the copy: the native addon decodes into one output buffer per thread and `decode()`
 * copies the result out (`slice`), an allocation per packet the decoder converts to f32 at once anyway.
 * `decode` here calls the addon's own method and answers how many samples (all channels) are in `pcm`,
 * valid until the next decode on this thread. Absent under the WASM fallback, which has no such buffer.
 */
export interface SharedOpusOutput {
  readonly pcm: Int16Array;
  decode(decoder: Decoder, packet: Uint8Array): number;
}

function sharedOutput(): SharedOpusOutput | undefined {
  if (process.env.OPUS_FORCE_WASM) return undefined;
  let addon: { Decoder?: { prototype: object }; buffers?: { decoder?: () => Uint8Array } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require('@evan/opus/node/index.js') as typeof addon;
  } catch {
    return undefined;
  }
  const raw = addon.Decoder && (Object.getPrototypeOf(addon.Decoder.prototype) as { decode?: unknown });
  const bytes = addon.buffers?.decoder?.();
  if (typeof raw?.decode !== 'function' || bytes === undefined || bytes.byteOffset % 2 !== 0)
    return undefined;
  const decode = raw.decode as (this: Decoder, packet: Uint8Array) => number;
  const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  return { pcm, decode: (decoder, packet) => decode.call(decoder, packet) >> 1 };
}

export const sharedOpusOutput: SharedOpusOutput | undefined = sharedOutput();

/** Opus always decodes at 48 kHz in this engine. */
export const OPUS_SAMPLE_RATE = 48000;

/**
 * Pre-skip of every stream our encoder produces, in 48 kHz samples. libopus' lookahead is 312 for the
 * `audio` and `voip` applications; for `lowdelay` (120) the encoder pads the start so the delay is the same.
 */
export const OPUS_PRE_SKIP = 312;

/** Frame durations an Opus encoder accepts, in milliseconds. */
export const OPUS_FRAME_DURATIONS_MS = [2.5, 5, 10, 20, 40, 60] as const;
