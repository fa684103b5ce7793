// Typed access to @evan/opus (native libopus addon with a WASM fallback), and the constants of Opus at 48 kHz.
import { Decoder, Encoder } from '@evan/opus';

export { Decoder as NativeOpusDecoder, Encoder as NativeOpusEncoder };

/** Opus always decodes at 48 kHz in this engine. */
export const OPUS_SAMPLE_RATE = 48000;

/**
 * Pre-skip of every stream our encoder produces, in 48 kHz samples. libopus' lookahead is 312 for the
 * `audio` and `voip` applications; for `lowdelay` (120) the encoder pads the start so the delay is the same.
 */
export const OPUS_PRE_SKIP = 312;

/** Frame durations an Opus encoder accepts, in milliseconds. */
export const OPUS_FRAME_DURATIONS_MS = [2.5, 5, 10, 20, 40, 60] as const;
