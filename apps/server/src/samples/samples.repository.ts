// File-backed store of sample pipelines under `[server].samples_dir`: system folders (oneshot, dynamic,
// demo) are read-only; `user/` is where saves land. Writes are atomic (temporary file, then rename).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export const SAMPLE_DIRS = ['oneshot', 'dynamic', 'demo', 'user'] as const;
export type SampleDir = (typeof SAMPLE_DIRS)[number];
/** StreamKit caps a sample file (and a saved YAML body) at 1 MiB. */
export const MAX_SAMPLE_BYTES = 1024 * 1024;

export interface SampleFile {
  dir: SampleDir;
  fileName: string;
  text: string;
}

export class SamplesRepository {
  constructor(private readonly root: string) {}

  /** Every readable `.yml`/`.yaml` file, in folder order then file name; oversize files are skipped. */
  async listAll(): Promise<SampleFile[]> {
    const out: SampleFile[] = [];
    for (const dir of SAMPLE_DIRS) {
      let names: string[];
      try {
        names = (await fs.readdir(join(this.root, dir))).sort();
      } catch {
        continue;
      }
      for (const fileName of names) {
        if (!/\.ya?ml$/i.test(fileName)) continue;
        const text = await this.readIfSmall(dir, fileName);
        if (text !== undefined) out.push({ dir, fileName, text });
      }
    }
    return out;
  }

  /** The file's text, `undefined` when missing; throws `TooLarge` over the cap. */
  async read(dir: SampleDir, fileName: string): Promise<string | undefined> {
    const path = join(this.root, dir, fileName);
    let size: number;
    try {
      const st = await fs.stat(path);
      if (!st.isFile()) return undefined;
      size = st.size;
    } catch {
      return undefined;
    }
    if (size > MAX_SAMPLE_BYTES) throw new SampleTooLargeError();
    return fs.readFile(path, 'utf8');
  }

  async exists(dir: SampleDir, fileName: string): Promise<boolean> {
    try {
      return (await fs.stat(join(this.root, dir, fileName))).isFile();
    } catch {
      return false;
    }
  }

  /** Atomically writes `user/<fileName>`: a crash never leaves a half-written sample behind. */
  async writeUser(fileName: string, text: string): Promise<void> {
    const dir = join(this.root, 'user');
    await fs.mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`);
    await fs.writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    try {
      await fs.rename(tmp, join(dir, fileName));
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  /** Deletes `user/<fileName>`; false when it did not exist. */
  async deleteUser(fileName: string): Promise<boolean> {
    try {
      await fs.unlink(join(this.root, 'user', fileName));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private async readIfSmall(dir: SampleDir, fileName: string): Promise<string | undefined> {
    try {
      return await this.read(dir, fileName);
    } catch (err) {
      if (err instanceof SampleTooLargeError) return undefined;
      throw err;
    }
  }
}

export class SampleTooLargeError extends Error {
  constructor() {
    super('File exceeds size limit');
  }
}
