// The speech engines Debian ships with their data, run as child processes (inference never runs on a thread
// that carries audio): espeak-ng for text-to-speech, pocketsphinx (CMU Sphinx, US English) for
// speech-to-text. Both are detected once when this module loads; the kinds' schemas say when one is missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us';

function onPath(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, tool))) return join(dir, tool);
  }
  return undefined;
}

export interface EngineInfo {
  name: string;
  /** Absolute path of the program, when installed. */
  program: string | undefined;
  /** How to install it when it is missing. */
  install: string;
}

function detect(name: string, program: string, install: string, data?: string): EngineInfo {
  const found = onPath(program);
  return {
    name,
    program: found !== undefined && (data === undefined || existsSync(data)) ? found : undefined,
    install,
  };
}

export const ESPEAK: EngineInfo = detect('espeak-ng', 'espeak-ng', 'apt-get install espeak-ng');
export const FLITE: EngineInfo = detect('flite', 'flite', 'apt-get install flite');
export const POCKETSPHINX: EngineInfo = detect(
  'pocketsphinx',
  'pocketsphinx_continuous',
  'apt-get install pocketsphinx pocketsphinx-en-us',
  POCKETSPHINX_MODEL,
);

/** A schema description line saying whether `engine` is installed. */
export function engineStatus(engine: EngineInfo): string {
  return engine.program
    ? `${engine.name}: installed`
    : `${engine.name}: not installed here (${engine.install})`;
}

/** A validation problem when `engine` is missing. */
export function engineProblem(kind: string, engine: EngineInfo): { path: string; message: string }[] {
  if (engine.program) return [];
  return [
    {
      path: '/engine',
      message: `${kind}: the ${engine.name} engine is not installed on this server (${engine.install})`,
    },
  ];
}

/** Engine processes running at once in this thread; more wait their turn (each uses a core while it runs). */
const MAX_RUNNING = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_RUNNING) await new Promise<void>((r) => waiting.push(r));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

let scratch: string | undefined;
let fileSeq = 0;

/** A directory only this user can use (engines that cannot read a socket as stdin read a file there). */
function scratchDir(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'skit-speech-'));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratch;
}

export interface RunOptions {
  /** Written to the engine's stdin; or, with `inputFile`, to a private file whose path replaces `{input}` in the args. */
  input: Uint8Array;
  inputFile?: boolean;
  /** The engine writes a file instead of stdout: `{output}` in the args names it; its bytes are the result. */
  outputFile?: boolean;
  signal: AbortSignal;
  /** Output beyond this fails the run. */
  maxOutputBytes: number;
  timeoutMs: number;
}

async function readBounded(path: string, max: number): Promise<Buffer> {
  const { size } = await stat(path);
  if (size > max) throw new Error(`the engine wrote more than ${max} bytes`);
  return readFile(path);
}

/** Runs `program args`, writing `input` to its stdin; resolves with its stdout. Rejects naming the cause. */
export async function runEngine(engine: EngineInfo, args: string[], options: RunOptions): Promise<Buffer> {
  const program = engine.program;
  if (!program) throw new Error(`the ${engine.name} engine is not installed (${engine.install})`);
  const release = await slot();
  const seq = ++fileSeq;
  const file = options.inputFile ? join(scratchDir(), `in-${seq}`) : undefined;
  const outFile = options.outputFile ? join(scratchDir(), `out-${seq}.wav`) : undefined;
  try {
    if (file !== undefined) await writeFile(file, options.input, { mode: 0o600 });
    const argv = args.map((a) => (a === '{input}' ? (file ?? a) : a === '{output}' ? (outFile ?? a) : a));
    return await new Promise<Buffer>((resolve, reject) => {
      const child = spawn(program, argv, { stdio: ['pipe', 'pipe', 'ignore'], signal: options.signal });
      const chunks: Buffer[] = [];
      let size = 0;
      let failure: Error | undefined;
      const timer = setTimeout(() => {
        failure = new Error(`${engine.name} took longer than ${options.timeoutMs} ms`);
        child.kill('SIGKILL');
      }, options.timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        size += d.length;
        if (size > options.maxOutputBytes) {
          failure = new Error(`${engine.name} produced more than ${options.maxOutputBytes} bytes`);
          child.kill('SIGKILL');
          return;
        }
        chunks.push(d);
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(failure ?? err);
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        if (failure) return reject(failure);
        if (code !== 0) return reject(new Error(`${engine.name} exited with ${code ?? sig}`));
        if (outFile === undefined) return resolve(Buffer.concat(chunks));
        readBounded(outFile, options.maxOutputBytes).then(resolve, reject);
      });
      child.stdin.on('error', () => undefined); // an engine that exits early closes its stdin
      child.stdin.end(file === undefined ? options.input : undefined);
    });
  } finally {
    if (file !== undefined) await unlink(file).catch(() => undefined);
    if (outFile !== undefined) await unlink(outFile).catch(() => undefined);
    release();
  }
}

/** The PCM of a WAV file as f32 (16-bit mono or multi-channel kept interleaved), with its format. */
export function parseWav(bytes: Buffer): { sampleRate: number; channels: number; samples: Float32Array } {
  if (
    bytes.length < 12 ||
    bytes.toString('latin1', 0, 4) !== 'RIFF' ||
    bytes.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    throw new Error('engine output is not a WAV file');
  }
  let off = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  while (off + 8 <= bytes.length) {
    const id = bytes.toString('latin1', off, off + 4);
    const size = bytes.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = bytes.readUInt16LE(off + 10);
      sampleRate = bytes.readUInt32LE(off + 12);
      bits = bytes.readUInt16LE(off + 22);
    } else if (id === 'data') {
      if (bits !== 16 || channels < 1) throw new Error(`engine WAV is ${bits}-bit, expected 16-bit`);
      // Streamed WAVs carry a placeholder size: the data runs to the end.
      const end = Math.min(bytes.length, off + 8 + size);
      const count = Math.floor((end - off - 8) / 2);
      const samples = new Float32Array(count);
      for (let i = 0; i < count; i++) samples[i] = bytes.readInt16LE(off + 8 + 2 * i) / 32768;
      return { sampleRate, channels, samples };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('engine WAV has no data');
}
