// The per-frame CPU cost of decode -> gain -> Opus encode (stereo, complexity 10) on a file's real packets:
// what bounds how many real-time chains a core can carry (bench:audio and bench:capacity).
import { OggOpusDemuxer } from '../libs/pipeline/src/codecs/ogg/opus-demuxer';
import { OpusStreamDecoder } from '../libs/pipeline/src/codecs/opus/decoder';
import { type EncodedOpusPacket, OpusStreamEncoder } from '../libs/pipeline/src/codecs/opus/encoder';
import type { OpusPacket } from '../libs/pipeline/src/core/packets';
import { gainPacket } from '../libs/pipeline/src/nodes/audio/gain';

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/**
 * Per-frame CPU cost of decode -> gain -> encode, in process, on the file's real packets: the whole chain
 * frame by frame, then decode and gain alone (encode is the difference). CPU time, not wall time, which
 * other processes inflate.
 */
export function chainCostPerFrame(
  file: Uint8Array,
  bitrate: number,
): {
  msPerFrame: number;
  decodeMs: number;
  gainMs: number;
  encodeMs: number;
  frames: number;
} {
  const demuxer = new OggOpusDemuxer();
  demuxer.push(file);
  demuxer.end();
  const packets: OpusPacket[] = [];
  for (let p = demuxer.read(); p !== undefined; p = demuxer.read()) packets.push(p);
  const n = packets.length;
  const newEncoder = () =>
    new OpusStreamEncoder({
      channels: 2,
      bitrate,
      complexity: 10,
      application: 'audio',
      vbr: 'on',
      frameSizeMs: 20,
    });
  const out: EncodedOpusPacket[] = [];
  const chain = (dec: OpusStreamDecoder, enc: OpusStreamEncoder) => {
    for (let i = 0; i < n; i++) {
      const pcm = dec.decode(packets[i].data);
      enc.encode(
        gainPacket({ kind: 'audio', sampleRate: 48000, channels: 2, samples: pcm }, 2, 2).samples,
        out,
      );
      out.length = 0;
    }
  };
  chain(new OpusStreamDecoder(2), newEncoder());
  let t = process.cpuUsage();
  chain(new OpusStreamDecoder(2), newEncoder());
  const msPerFrame = cpuMs(t) / n;
  const dec = new OpusStreamDecoder(2);
  let last: Float32Array = new Float32Array(0);
  t = process.cpuUsage();
  for (let i = 0; i < n; i++) last = dec.decode(packets[i].data);
  const decodeMs = cpuMs(t) / n;
  const frame = { kind: 'audio' as const, sampleRate: 48000, channels: 2, samples: last };
  t = process.cpuUsage();
  for (let i = 0; i < n; i++) gainPacket(frame, 2, 2);
  const gainMs = cpuMs(t) / n;
  return { frames: n, decodeMs, gainMs, encodeMs: msPerFrame - decodeMs - gainMs, msPerFrame };
}
