// Helpers for checking codecs against reference tools (ffmpeg, mpg123) on the bundled audio fixtures.
// Used by specs and benchmarks only; nothing on the engine's runtime path imports this.
import { spawnSync } from 'node:child_process';
import { join, resolve, sep } from 'node:path';

/** Repository root, from either the TypeScript source or its compiled copy under dist/. */
export function repoRoot(): string {
  const base = __dirname.slice(0, __dirname.lastIndexOf(join('libs', 'pipeline')));
  return base.endsWith(`dist${sep}`) ? resolve(base, '..') : resolve(base);
}

/** Path of a bundled test audio file (`samples/audio/system/<name>`). */
export function fixturePath(name: string): string {
  return join(repoRoot(), 'samples', 'audio', 'system', name);
}

/** Run a tool and return its stdout; throws with its stderr when it fails. */
export function runTool(cmd: string, args: string[]): Buffer {
  const res = spawnSync(cmd, args, { maxBuffer: 1 << 30 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${res.stderr.toString()}`);
  return res.stdout;
}

/** Bytes of f32le output as a Float32Array (copied so it is aligned). */
export function asF32(buf: Buffer): Float32Array {
  const copy = new Uint8Array(buf.length);
  copy.set(buf);
  return new Float32Array(copy.buffer, 0, buf.length >> 2);
}

/** Decode any file to interleaved f32 with ffmpeg (extra args go before the output, e.g. `-ar 48000`). */
export function ffmpegDecodeF32(path: string, extra: string[] = []): Float32Array {
  return asF32(runTool('ffmpeg', ['-v', 'error', '-i', path, ...extra, '-f', 'f32le', '-']));
}

/** Signal-to-noise ratio in dB of `test` against `ref` over their common length. */
export function snrDb(ref: Float32Array, test: Float32Array): number {
  const n = Math.min(ref.length, test.length);
  let s = 0;
  let e = 0;
  for (let i = 0; i < n; i++) {
    s += ref[i] * ref[i];
    const d = ref[i] - test[i];
    e += d * d;
  }
  return 10 * Math.log10(s / Math.max(e, 1e-30));
}
