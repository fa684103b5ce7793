// Test helpers for the container codecs and nodes: fixture files, reference tools (ffmpeg, opusinfo,
// opusdec, sox) run on temp files that are always removed, and a seeded random source.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OpusPacket } from '../core/packets';
import { OggOpusDemuxer } from '../codecs/ogg/opus-demuxer';
import type { OpusHead } from '../codecs/ogg/opus-head';

/** Absolute path of a bundled audio fixture (`samples/audio/system/<name>`), found from the build output. */
export function fixturePath(name: string): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'samples', 'audio', 'system', name);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`fixture ${name} not found above ${__dirname}`);
    dir = up;
  }
}

export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

export interface ToolResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs a reference tool synchronously (stdin from `input`). */
export function tool(cmd: string, args: string[], input?: Uint8Array): ToolResult {
  const r = spawnSync(cmd, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Runs `fn` with a fresh temp directory that is removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => T | Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sk-containers-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes bytes to `dir/name` and returns the path. */
export function writeTemp(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Decodes any file ffmpeg reads into raw samples of `format` (e.g. `s16le`, `f32le`); throws on errors. */
export function ffmpegDecode(path: string, format: string, extra: string[] = []): Buffer {
  const r = tool('ffmpeg', ['-v', 'error', ...extra, '-i', path, '-f', format, '-']);
  if (r.status !== 0 || r.stderr.trim() !== '') throw new Error(`ffmpeg failed on ${path}: ${r.stderr}`);
  return r.stdout;
}

/** `opusinfo` output and the lines that are warnings or errors. */
export function opusinfo(path: string): { status: number; output: string; problems: string[] } {
  const r = tool('opusinfo', [path]);
  const output = r.stdout.toString() + r.stderr;
  const problems = output.split('\n').filter((l) => /warning|error|corrupt|hole|negative/i.test(l));
  return { status: r.status, output, problems };
}

/** Demuxes a whole Ogg Opus buffer, pushed in chunks of `chunk` bytes. */
export function demuxAll(
  bytes: Uint8Array,
  chunk = 4096,
): { packets: OpusPacket[]; head: OpusHead; demuxer: OggOpusDemuxer; warnings: string[] } {
  const warnings: string[] = [];
  const demuxer = new OggOpusDemuxer({ onWarning: (m) => warnings.push(m) });
  const packets: OpusPacket[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    demuxer.push(bytes.subarray(i, i + chunk));
    let p: OpusPacket | undefined;
    while ((p = demuxer.read()) !== undefined) packets.push(p);
  }
  demuxer.end();
  let p: OpusPacket | undefined;
  while ((p = demuxer.read()) !== undefined) packets.push(p);
  if (!demuxer.head) throw new Error('no OpusHead');
  return { packets, head: demuxer.head, demuxer, warnings };
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Concatenates byte chunks. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}
