// File-backed store of sample pipelines under `[server].samples_dir`: system folders (oneshot, dynamic,
// demo) are read-only; `user/` is where saves land. Reads follow no symlink out of the root; writes are atomic
// (common/atomic-file) and never go through a symlink; temporary files a crash left are swept at start.
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { isTempFile, realPathInside, sweepTempFiles, writableDirInside, writeFileAtomic } from '../common/atomic-file';

export const SAMPLE_DIRS = ['oneshot', 'dynamic', 'demo', 'user'] as const;
export type SampleDir = (typeof SAMPLE_DIRS)[number];
/** StreamKit caps a sample file (and a saved YAML body) at 1 MiB. */
export const MAX_SAMPLE_BYTES = 1024 * 1024;

export interface SampleFile {
  dir: SampleDir;
  fileName: string;
  text: string;
}

/** A sample file that could not be read, and why (for the operator's log; the listing goes on without it). */
export interface UnreadableSample {
  path: string;
  reason: string;
}

export class SamplesRepository {
  constructor(private readonly root: string) {}

  /** Removes temporary files of interrupted saves; answers how many. */
  async sweep(): Promise<number> {
    let removed = 0;
    for (const dir of SAMPLE_DIRS) removed += await sweepTempFiles(join(this.root, dir));
    return removed;
  }

  /** Every readable `.yml`/`.yaml` file, in folder order then file name, and the ones that could not be read. */
  async listAll(): Promise<{ files: SampleFile[]; unreadable: UnreadableSample[] }> {
    const files: SampleFile[] = [];
    const unreadable: UnreadableSample[] = [];
    for (const dir of SAMPLE_DIRS) {
      let names: string[];
      try {
        names = (await fs.readdir(join(this.root, dir))).sort();
      } catch {
        continue;
      }
      for (const fileName of names) {
        if (!/\.ya?ml$/i.test(fileName) || isTempFile(fileName)) continue;
        try {
          const text = await this.read(dir, fileName);
          if (text !== undefined) files.push({ dir, fileName, text });
        } catch (err) {
          unreadable.push({ path: `${dir}/${fileName}`, reason: (err as Error).message });
        }
      }
    }
    return { files, unreadable };
  }

  /**
   * The file's text, `undefined` when missing; throws `SampleTooLargeError` over the cap and
   * `SampleOutsideRootError` when it resolves (through symlinks) outside the samples root.
   */
  async read(dir: SampleDir, fileName: string): Promise<string | undefined> {
    const path = join(this.root, dir, fileName);
    try {
      await fs.lstat(path);
    } catch {
      return undefined;
    }
    const real = await realPathInside(this.root, path);
    if (!real) throw new SampleOutsideRootError(`${dir}/${fileName}`);
    // O_NOFOLLOW: the resolved path must not have become a symlink since it was checked.
    const file = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const st = await file.stat();
      if (!st.isFile()) return undefined;
      if (st.size > MAX_SAMPLE_BYTES) throw new SampleTooLargeError();
      return await file.readFile('utf8');
    } finally {
      await file.close();
    }
  }

  async exists(dir: SampleDir, fileName: string): Promise<boolean> {
    try {
      await fs.lstat(join(this.root, dir, fileName));
      return true;
    } catch {
      return false;
    }
  }

  /** Atomically writes `user/<fileName>`: a crash never leaves a half-written sample behind. */
  async writeUser(fileName: string, text: string): Promise<void> {
    const dir = await writableDirInside(this.root, join(this.root, 'user'));
    await writeFileAtomic(join(dir, fileName), text);
  }

  /** Deletes `user/<fileName>` (a symlink itself, never its target); false when it did not exist. */
  async deleteUser(fileName: string): Promise<boolean> {
    try {
      await fs.unlink(join(this.root, 'user', fileName));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}

export class SampleTooLargeError extends Error {
  constructor() {
    super('File exceeds size limit');
  }
}

export class SampleOutsideRootError extends Error {
  constructor(readonly path: string) {
    super(`Sample '${path}' resolves outside the samples directory`);
  }
}
