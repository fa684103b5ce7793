// Opus packet decoder to interleaved f32 at 48 kHz, with packet-loss concealment.
// @evan/opus cannot decode a NULL packet, but libopus treats a packet whose frame payload is empty (TOC
// byte only) as lost and runs its PLC for the TOC's frame duration: concealment re-sends the last TOC alone.
import { takeSamples } from '../../core/sample-pool';
import { bytesAsS16 } from '../dsp/pcm';
import { NativeOpusDecoder, sharedOpusOutput } from './opus-native';

/** Exact (a power of two): multiplying gives the same result as dividing by 32768, faster. */
const S16_TO_F32 = 1 / 32768;

export class OpusStreamDecoder {
  private readonly decoder: NativeOpusDecoder;
  /** Last packet's TOC byte with the frame-count code cleared (a one-frame packet of the same config). */
  private plcPacket: Uint8Array | undefined;
  /** Samples per channel of the last decoded packet (960 before any). */
  lastPacketSamples = 960;

  constructor(readonly channels: 1 | 2) {
    this.decoder = new NativeOpusDecoder({ channels, sample_rate: 48000 });
  }

  /** Decode one packet into an interleaved f32 array of its own (new or recycled). Throws on a corrupt packet (the decoder stays usable). */
  decode(packet: Uint8Array): Float32Array {
    if (packet.length === 0) return this.conceal(this.lastPacketSamples);
    let pcm: Int16Array;
    let n: number;
    if (sharedOpusOutput !== undefined) {
      pcm = sharedOpusOutput.pcm;
      n = sharedOpusOutput.decode(this.decoder, packet);
    } else {
      pcm = bytesAsS16(this.decoder.decode(packet));
      n = pcm.length;
    }
    const out = takeSamples(n);
    for (let i = 0; i < n; i++) out[i] = pcm[i] * S16_TO_F32;
    this.lastPacketSamples = n / this.channels;
    if (this.plcPacket === undefined || this.plcPacket[0] !== (packet[0] & 0xfc)) {
      this.plcPacket = Uint8Array.of(packet[0] & 0xfc);
    }
    return out;
  }

  /**
   * Conceal `samples` lost samples per channel: libopus PLC continuing the last packet's signal (fading
   * out), or silence when nothing was decoded yet.
   */
  conceal(samples: number): Float32Array {
    const out = new Float32Array(samples * this.channels);
    if (this.plcPacket === undefined) return out;
    let done = 0;
    while (done < samples) {
      const pcm = bytesAsS16(this.decoder.decode(this.plcPacket));
      const frames = Math.min(pcm.length / this.channels, samples - done);
      if (frames <= 0) break;
      const base = done * this.channels;
      for (let i = 0; i < frames * this.channels; i++) out[base + i] = pcm[i] * S16_TO_F32;
      done += frames;
    }
    return out;
  }
}
