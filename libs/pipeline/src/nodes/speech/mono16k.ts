// Speech engines read 16 kHz mono: audio of any rate and channel count is downmixed and resampled at the
// node's input (StreamKit's speech nodes fail on anything else and make users add a resampler).
import { remapChannels } from '../../codecs/dsp/mix';
import { StreamingResampler } from '../../codecs/resample/resampler';
import type { AudioPacket } from '../../core/packets';

export const SPEECH_RATE = 16000;

export class Mono16k {
  private resampler: StreamingResampler | undefined;
  private rate = 0;

  /** `p`'s samples as 16 kHz mono (a new array, or `p`'s own when it already is). */
  async push(p: AudioPacket): Promise<Float32Array> {
    let head: Float32Array | undefined;
    if (p.sampleRate !== this.rate) {
      head = this.flush();
      this.rate = p.sampleRate;
      this.resampler =
        p.sampleRate === SPEECH_RATE
          ? undefined
          : await StreamingResampler.create({
              channels: 1,
              inRate: p.sampleRate,
              outRate: SPEECH_RATE,
              quality: 5,
            });
    }
    const mono = remapChannels(p.samples, p.channels, 1);
    const out = this.resampler ? this.resampler.process(mono) : mono;
    if (head === undefined || head.length === 0) return out;
    const joined = new Float32Array(head.length + out.length);
    joined.set(head);
    joined.set(out, head.length);
    return joined;
  }

  /** The filter's tail; the converter can take audio again afterwards. */
  flush(): Float32Array {
    const r = this.resampler;
    this.resampler = undefined;
    this.rate = 0;
    if (!r) return new Float32Array(0);
    const tail = r.flush();
    r.destroy();
    return tail;
  }
}
