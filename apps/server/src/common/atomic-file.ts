// The server's only way to write a file: a temporary file beside the target (created exclusively, never through
// a symlink), filled, fsynced, then renamed over the target (or linked, when the target must not exist yet), and
// the directory fsynced. A crash or a failed upload leaves at most a temporary file, which `sweepTempFiles`
// removes at the next start; nothing ever appears half-written under its final name.
// Reads that must stay inside a root go through `realPathInside` (symlinks resolved before the check).
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

const TEMP_SUFFIX = '.skit-tmp';
/** Temporary files of older releases (samples saved as `.<name>.<hex>.tmp`). */
const LEGACY_TEMP = /^\..+\.[0-9a-f]{12}\.tmp$/;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class FileExistsError extends Error {
  constructor(readonly path: string) {
    super(`File already exists: ${basename(path)}`);
  }
}

/** Thrown by `streamToFileAtomic` past `maxBytes`; nothing was written. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`File too large. Maximum size: ${maxBytes} bytes`);
  }
}

export interface AtomicWriteOptions {
  /** Fail with `FileExistsError` instead of replacing an existing file (or symlink) at the target. */
  exclusive?: boolean;
  mode?: number;
}

/** Is this a temporary file of ours (to skip in listings, and to sweep)? */
export function isTempFile(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX) || LEGACY_TEMP.test(name);
}

/** A fresh temporary path beside `target` (same directory, so the final rename is atomic). */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
}

export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await streamToFileAtomic(target, [typeof data === 'string' ? Buffer.from(data, 'utf8') : data], {
    ...options,
    maxBytes: Number.POSITIVE_INFINITY,
  });
}

/**
 * Streams `source` into `target` atomically; more than `maxBytes` fails with `FileTooLargeError`, and any
 * failure of the source (an upload cut short) leaves nothing behind. Answers the byte count written.
 */
export async function streamToFileAtomic(
  target: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AtomicWriteOptions & { maxBytes: number },
): Promise<number> {
  const temp = await writeTemp(target, source, options);
  try {
    await commit(temp, target, options.exclusive ?? false);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
  return (await fs.stat(target)).size;
}

/**
 * Writes `source` to a fsynced temporary file beside `target` and answers its path, for a caller that still has
 * to check the file before moving it in itself (e.g. a plugin that must load first).
 */
export async function writeTemp(
  target: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: { maxBytes: number; mode?: number },
): Promise<string> {
  const temp = tempPathFor(target);
  const file = await fs.open(temp, CREATE_FLAGS, options.mode ?? 0o644);
  let ok = false;
  try {
    let size = 0;
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > options.maxBytes) throw new FileTooLargeError(options.maxBytes);
      let offset = 0;
      while (offset < chunk.byteLength) {
        const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset);
        offset += bytesWritten;
      }
    }
    await file.sync();
    ok = true;
  } finally {
    await file.close();
    if (!ok) await fs.rm(temp, { force: true });
  }
  return temp;
}

/** Moves a finished temporary file to its final name and makes the directory entry durable. */
async function commit(temp: string, target: string, exclusive: boolean): Promise<void> {
  if (exclusive) {
    // link() fails if anything (a file, a planted symlink) already has the name: create-new, atomically.
    try {
      await fs.link(temp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new FileExistsError(target);
      throw err;
    }
    await fs.rm(temp, { force: true });
  } else {
    // rename() replaces a symlink at `target` itself; it never writes through it.
    await fs.rename(temp, target);
  }
  await syncDirectory(dirname(target));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes temporary files a crash left in `dir` (not recursive); answers how many. Missing dirs are fine. */
export async function sweepTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!isTempFile(name)) continue;
    await fs.rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/**
 * The real path of `path` when it exists and, symlinks resolved, lies inside `root` (itself resolved);
 * `undefined` when it does not exist or leads out of the root.
 */
export async function realPathInside(root: string, path: string): Promise<string | undefined> {
  let realRoot: string;
  let real: string;
  try {
    realRoot = await fs.realpath(root);
    real = await fs.realpath(path);
  } catch {
    return undefined;
  }
  return real === realRoot || real.startsWith(realRoot + sep) ? real : undefined;
}

/** A write target that resolves (through a symlink) outside its root. */
export class OutsideRootError extends Error {
  constructor(readonly path: string) {
    super(`Refusing to write into '${basename(path)}': it resolves outside its directory`);
  }
}

/** A directory under `root` to write into, created if missing; `OutsideRootError` when it resolves outside. */
export async function writableDirInside(root: string, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const real = await realPathInside(root, dir);
  if (!real) throw new OutsideRootError(dir);
  return real;
}
