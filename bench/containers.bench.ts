// Container throughput: Ogg Opus demux/mux, WebM mux (live and file) and WAV reading on the fixtures,
// next to ffmpeg doing the same container work (stream copy, PCM decode) on the same files in this run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OggOpusDemuxer, OggOpusMuxer } from '@streamkit/pipeline/codecs/ogg';
import { WavReader } from '@streamkit/pipeline/codecs/wav';
import { WebmOpusMuxer } from '@streamkit/pipeline/codecs/webm';
import type { OpusPacket } from '@streamkit/pipeline';

const root = join(__dirname, '..', '..');
const fixture = (name: string) => join(root, 'samples', 'audio', 'system', name);
/** Enough rounds for V8 to reach its optimised tiers. */
const ROUNDS = 10;

/** Best of ROUNDS, in milliseconds. */
function best(fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

function ffmpegMs(args: string[]): number {
  return best(() => {
    const r = spawnSync('ffmpeg', ['-v', 'error', ...args], { maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
  });
}

/** Demuxes in 8 KB chunks; `keep` collects the packets (a node passes them on instead of keeping them). */
function demux(bytes: Uint8Array, keep?: OpusPacket[]): number {
  const d = new OggOpusDemuxer();
  let count = 0;
  for (let i = 0; i < bytes.length; i += 8192) {
    d.push(bytes.subarray(i, i + 8192));
    let p: OpusPacket | undefined;
    while ((p = d.read()) !== undefined) {
      count++;
      keep?.push(p);
    }
  }
  d.end();
  return count;
}

const oggPath = fixture('speech_10m_mono.opus.ogg');
const ogg = new Uint8Array(readFileSync(oggPath));
const packets: OpusPacket[] = [];
const n = demux(ogg, packets);
const us = (ms: number) => ((ms * 1000) / n).toFixed(2);

const demuxMs = best(() => demux(ogg));
const oggMuxMs = best(() => {
  const m = new OggOpusMuxer({ serial: 1, preSkip: 312, maxPageDurationMs: 1000, maxPacketsPerPage: 255 });
  for (const p of packets) m.write(p.data, p.meta?.durationUs);
  m.end();
});
const webm = (mode: 'live' | 'file') =>
  best(() => {
    const m = new WebmOpusMuxer({ mode, sampleRate: 48000, preSkip: 312, clusterDurationMs: 1000 });
    for (const p of packets) m.write(p.data, p.meta?.timestampUs, p.meta?.durationUs);
    m.end();
  });
const webmLiveMs = webm('live');
const webmFileMs = webm('file');
const ffOggCopyMs = ffmpegMs(['-i', oggPath, '-c', 'copy', '-f', 'ogg', '-y', '/dev/null']);
const ffWebmCopyMs = ffmpegMs(['-i', oggPath, '-c', 'copy', '-f', 'webm', '-y', '/dev/null']);

const wavPath = fixture('speech_en_48k_stereo.wav');
const wav = new Uint8Array(readFileSync(wavPath));
const wavMs = best(() => {
  const r = new WavReader();
  for (let i = 0; i < wav.length; i += 65536) {
    r.push(wav.subarray(i, i + 65536));
    while (r.read(960) !== undefined);
  }
  r.end();
  while (r.read(960) !== undefined);
});
const wavSeconds = (wav.length - 44) / 4 / 48000;
const ffWavMs = ffmpegMs(['-i', wavPath, '-f', 'f32le', '-y', '/dev/null']);

console.log(
  `Ogg Opus input: ${oggPath} (${n} packets, ${(ogg.length / 1e6).toFixed(1)} MB); best of ${ROUNDS}`,
);
console.log(`  ogg demux      ${demuxMs.toFixed(1)} ms  ${us(demuxMs)} us/packet (CRC checked)`);
console.log(`  ogg mux        ${oggMuxMs.toFixed(1)} ms  ${us(oggMuxMs)} us/packet (1 s pages)`);
console.log(`  webm mux live  ${webmLiveMs.toFixed(1)} ms  ${us(webmLiveMs)} us/packet`);
console.log(`  webm mux file  ${webmFileMs.toFixed(1)} ms  ${us(webmFileMs)} us/packet`);
console.log(`  ffmpeg -c copy -f ogg   ${ffOggCopyMs.toFixed(1)} ms (whole process: demux + mux)`);
console.log(`  ffmpeg -c copy -f webm  ${ffWebmCopyMs.toFixed(1)} ms (whole process: demux + mux)`);
console.log(`WAV input: ${wavPath} (${wavSeconds.toFixed(1)} s stereo s16)`);
console.log(
  `  wav read -> f32  ${wavMs.toFixed(1)} ms  ${(wavSeconds / (wavMs / 1000)).toFixed(0)}x real time`,
);
console.log(`  ffmpeg -f f32le  ${ffWavMs.toFixed(1)} ms (whole process)`);
console.log(
  `BENCH containers ogg_demux_us_per_packet=${us(demuxMs)} ogg_mux_us_per_packet=${us(oggMuxMs)} ` +
    `webm_live_us_per_packet=${us(webmLiveMs)} webm_file_us_per_packet=${us(webmFileMs)} ` +
    `ours_ogg_remux_ms=${(demuxMs + oggMuxMs).toFixed(1)} ffmpeg_ogg_copy_ms=${ffOggCopyMs.toFixed(1)} ` +
    `ffmpeg_webm_copy_ms=${ffWebmCopyMs.toFixed(1)} wav_read_x_realtime=${(wavSeconds / (wavMs / 1000)).toFixed(0)} ` +
    `ffmpeg_wav_f32_ms=${ffWavMs.toFixed(1)}`,
);
