// Speech nodes: real-time factors (processing time / audio time; below 1 keeps real time) of VAD, each
// installed speech-to-text and text-to-speech engine, and how many concurrent VAD+STT runs keep real time,
// next to ffmpeg's silencedetect (an energy VAD) on the same speech in this run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Packet } from '@streamkit/pipeline';
import { sttNode } from '@streamkit/pipeline/nodes/speech/stt-node';
import { ttsNode } from '@streamkit/pipeline/nodes/speech/tts-node';
import { vadNode } from '@streamkit/pipeline/nodes/speech/vad-node';
import { collectNodeOutputs } from '@streamkit/pipeline/testing';

const root = join(__dirname, '..', '..');
const wavPath = join(root, 'samples', 'audio', 'system', 'speech_en_16k_mono.wav');
const wav = readFileSync(wavPath);
const pcm = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);
const speech = Float32Array.from(pcm, (v) => v / 32768);
const seconds = speech.length / 16000;
const SENTENCE = 'The quick brown fox jumps over the lazy dog. Please turn the volume up a little.';

function frames(x: Float32Array): Packet[] {
  const out: Packet[] = [];
  for (let off = 0; off < x.length; off += 320) {
    out.push({ kind: 'audio', sampleRate: 16000, channels: 1, samples: x.slice(off, off + 320) });
  }
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, (performance.now() - t) / 1000];
}

async function main(): Promise<void> {
  const opts = { timeoutMs: 600_000 };
  await collectNodeOutputs(vadNode, {}, frames(speech.subarray(0, 16000)), opts); // loads sherpa-onnx once
  const [, vadS] = await timed(() => collectNodeOutputs(vadNode, {}, frames(speech), opts));
  const ff = performance.now();
  const r = spawnSync('ffmpeg', [
    '-v',
    'error',
    '-i',
    wavPath,
    '-af',
    'silencedetect=n=-40dB:d=0.3',
    '-f',
    'null',
    '-',
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  const ffS = (performance.now() - ff) / 1000;
  const [, sttS] = await timed(() => collectNodeOutputs(sttNode, {}, frames(speech), opts));
  const tts: Record<string, number> = {};
  for (const engine of ['flite', 'espeak-ng']) {
    const [out, s] = await timed(() =>
      collectNodeOutputs(ttsNode, { engine }, [{ kind: 'text', text: SENTENCE }], opts),
    );
    const audioS = out.packets.reduce(
      (n, p) => n + (p.kind === 'audio' ? p.samples.length / p.sampleRate : 0),
      0,
    );
    tts[engine] = s / audioS;
  }
  console.log(`Speech input: ${wavPath} (${seconds.toFixed(1)} s, 16 kHz mono)`);
  console.log(`  VAD (Silero, sherpa-onnx)  RTF ${(vadS / seconds).toFixed(4)}`);
  console.log(`  ffmpeg silencedetect       RTF ${(ffS / seconds).toFixed(4)} (whole process)`);
  console.log(`  STT (VAD + pocketsphinx)   RTF ${(sttS / seconds).toFixed(3)}`);
  for (const [e, rtf] of Object.entries(tts)) console.log(`  TTS ${e.padEnd(22)} RTF ${rtf.toFixed(3)}`);
  // Concurrent VAD+STT runs over the same speech: all start at once; each must finish within the audio's length.
  const results: { n: number; wallS: number }[] = [];
  for (const n of [2, 5, 10]) {
    const [, wallS] = await timed(() =>
      Promise.all(Array.from({ length: n }, () => collectNodeOutputs(sttNode, {}, frames(speech), opts))),
    );
    results.push({ n, wallS });
    console.log(
      `  ${String(n).padStart(2)} concurrent VAD+STT  ${wallS.toFixed(1)} s for ${seconds.toFixed(1)} s of audio each (${wallS <= seconds ? 'real time' : 'behind'})`,
    );
  }
  const realtime = Math.max(0, ...results.filter((x) => x.wallS <= seconds).map((x) => x.n));
  console.log(
    `BENCH speech vad_rtf=${(vadS / seconds).toFixed(4)} ffmpeg_silencedetect_rtf=${(ffS / seconds).toFixed(4)} ` +
      `stt_pocketsphinx_rtf=${(sttS / seconds).toFixed(3)} tts_flite_rtf=${tts.flite.toFixed(3)} ` +
      `tts_espeak_rtf=${tts['espeak-ng'].toFixed(3)} concurrent_stt_realtime=${realtime} ` +
      `concurrent_stt_10_wall_s=${results[2].wallS.toFixed(1)}`,
  );
}

void main();
