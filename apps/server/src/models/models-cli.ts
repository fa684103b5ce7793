// `skit models list` and `skit models pull NAME [--from URL]`: what each speech kind needs, what the models
// directory (`[models].dir`, or `--dir`) holds, and a download with progress on stderr, a SHA-256 printed and
// kept beside the model, and an atomic finish (a cut download leaves nothing behind). Exit 0, 1 on failure,
// 2 on usage errors.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MODEL_CATALOG, type ModelEntry } from '@streamkit/pipeline/nodes/speech/catalog';
import { bundledModel } from '@streamkit/pipeline/nodes/speech/models';
import { loadConfig } from '../config';

const USAGE = `Usage: skit models list [-c FILE] [--dir DIR]
       skit models pull NAME [-c FILE] [--dir DIR] [--from URL]
  list        each model: the kinds that use it, its size, whether the models directory holds it
  pull NAME   download a model (NAME from the list) into the models directory
  --dir DIR   the models directory (default: [models].dir of the config, ./models)
  --from URL  download from a mirror instead of the upstream URL
`;

class UsageError extends Error {}

interface Args {
  command: 'list' | 'pull';
  name?: string;
  config?: string;
  dir?: string;
  from?: string;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const out: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '-c' || name === '--config') out.config = value();
    else if (name === '--dir') out.dir = value();
    else if (name === '--from') out.from = value();
    else if (name === '-h' || name === '--help') throw new UsageError('');
    else if (name.startsWith('-')) throw new UsageError(`Unknown option ${name}`);
    else positional.push(name);
  }
  const [command, modelName, extra] = positional;
  if (command === 'list' && modelName === undefined) return { ...out, command };
  if (command === 'pull' && modelName !== undefined && extra === undefined) {
    return { ...out, command, name: modelName };
  }
  throw new UsageError(command === undefined ? '' : `Unknown models command '${positional.join(' ')}'`);
}

function modelsDir(args: Args): string {
  if (args.dir) return resolve(args.dir);
  const { config } = loadConfig({ path: args.config, explicit: args.config !== undefined, env: process.env });
  return resolve(config.models.dir);
}

function list(dir: string): number {
  const rows = MODEL_CATALOG.map((m) => [
    m.name,
    existsSync(join(dir, m.path)) ? 'present' : 'missing',
    `${m.sizeMb} MB`,
    m.kinds.join(', '),
    m.path,
  ]);
  const head = ['NAME', 'STATUS', 'SIZE', 'KINDS', 'PATH'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  process.stdout.write(`Models directory: ${dir}\n${line(head)}\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(
    `\nShipped with the engine: Silero VAD (${bundledModel('silero_vad.onnx')}), used by plugin::native::vad when its default model is missing and by speech::stt.\n` +
      'No download needed: speech::tts (espeak-ng, flite) and speech::stt (pocketsphinx) use Debian engines.\n',
  );
  return 0;
}

function progress(name: string, got: number, total: number | undefined): void {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const text = total
    ? `${mb(got)} / ${mb(total)} MB (${Math.floor((got * 100) / total)} %)`
    : `${mb(got)} MB`;
  process.stderr.write(process.stderr.isTTY ? `\r${name}: ${text}   ` : `${name}: ${text}\n`);
}

/** Downloads `url` to `file` (through a partial file renamed at the end); resolves with the SHA-256. */
async function download(name: string, url: string, file: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach ${new URL(url).host} (offline, or blocked?): ${cause?.code ?? cause?.message ?? (err as Error).message}`,
      { cause: err },
    );
  }
  if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status} ${res.statusText}`);
  const total = Number(res.headers.get('content-length')) || undefined;
  const partial = `${file}.partial`;
  const hash = createHash('sha256');
  const out = createWriteStream(partial, { mode: 0o644 });
  let got = 0;
  let last = 0;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      got += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      if (performance.now() - last > (process.stderr.isTTY ? 200 : 5000)) {
        last = performance.now();
        progress(name, got, total);
      }
    }
    await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
  } catch (err) {
    out.destroy();
    rmSync(partial, { force: true });
    throw err;
  }
  progress(name, got, total);
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (total !== undefined && got !== total) {
    rmSync(partial, { force: true });
    throw new Error(`download cut short: ${got} of ${total} bytes`);
  }
  renameSync(partial, file);
  return hash.digest('hex');
}

function untar(archive: string, dir: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('tar', ['-xjf', archive, '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`unpacking failed (tar with bzip2 is needed): ${err.trim()}`)),
    );
  });
}

async function pull(dir: string, entry: ModelEntry, from: string | undefined): Promise<number> {
  if (entry.manual && !from) {
    process.stderr.write(`${entry.name} cannot be pulled as one file: ${entry.manual}\n`);
    return 1;
  }
  const target = join(dir, entry.path);
  if (existsSync(target)) {
    process.stdout.write(`${entry.name} is already present at ${target}\n`);
    return 0;
  }
  mkdirSync(dir, { recursive: true });
  const url = from ?? entry.url;
  const isArchive = url.endsWith('.tar.bz2');
  const file = isArchive ? join(dir, `.${basename(entry.path)}.tar.bz2`) : target;
  const sha = await download(entry.name, url, file);
  if (isArchive) {
    try {
      await untar(file, dir);
    } finally {
      rmSync(file, { force: true });
    }
    if (!existsSync(target)) throw new Error(`the archive did not contain ${entry.path}`);
  }
  if (entry.extra) await download(entry.name, entry.extra.url, join(target, entry.extra.file));
  writeFileSync(
    `${target}${statSync(target).isDirectory() ? '/.download' : ''}.sha256`,
    `${sha}  ${basename(url)}\n`,
  );
  process.stdout.write(`${entry.name}: ${target}\nsha256 ${sha}\n`);
  return 0;
}

export async function runModelsCli(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `${err.message}\n\n` : ''}${USAGE}`);
    return 2;
  }
  const dir = modelsDir(args);
  if (args.command === 'list') return list(dir);
  const entry = MODEL_CATALOG.find((m) => m.name === args.name);
  if (!entry) {
    process.stderr.write(
      `Unknown model '${args.name}'. Known: ${MODEL_CATALOG.map((m) => m.name).join(', ')}\n`,
    );
    return 1;
  }
  try {
    return await pull(dir, entry, args.from);
  } catch (err) {
    process.stderr.write(`skit models pull ${entry.name}: ${(err as Error).message}\n`);
    return 1;
  }
}
