// File-backed store of audio assets under `samples/audio/{system,user}`: listing, describing (size, licence
// sidecar), atomic writes into `user/`, deletes confined to `user/`. Reads follow no symlink out of the root.
import { promises as fs } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import {
  isTempFile,
  realPathInside,
  streamToFileAtomic,
  sweepTempFiles,
  writableDirInside,
  writeFileAtomic,
} from '../common/atomic-file';
import type { AudioAsset } from './assets.dto';

export type AssetFolder = 'system' | 'user';
/** Where assets are looked up, in this order. */
export const ASSET_FOLDERS: readonly AssetFolder[] = ['system', 'user'];

/** What deleting `user/<id>` came to: done, a name leaving `user/`, nothing there, or a link out of it. */
export type AssetDeletion = 'deleted' | 'outside-user' | 'missing' | 'links-outside';

/** The lower-cased extension of a file name (`''` when none). */
export function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export class AssetsRepository {
  /**
   * @param audioRoot folder holding `system/` and `user/` (StreamKit: `samples/audio` under the CWD)
   * @param displayRoot prefix used in `path` (`samples/audio`), as `core::file_reader` takes it
   */
  constructor(
    private readonly audioRoot: string,
    private readonly displayRoot = 'samples/audio',
  ) {}

  /** Removes temporary files of interrupted uploads; answers how many. */
  sweep(): Promise<number> {
    return sweepTempFiles(join(this.audioRoot, 'user'));
  }

  /** A folder's file names in directory order, without sidecars or temporary files; none when unreadable. */
  async names(folder: AssetFolder): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(join(this.audioRoot, folder));
    } catch {
      return [];
    }
    return names.filter((id) => !id.endsWith('.license') && !isTempFile(id));
  }

  /** The asset `<folder>/<id>`, when it is a regular file inside the root (through symlinks). */
  async describe(folder: AssetFolder, id: string): Promise<AudioAsset | undefined> {
    const file = await this.realPath(folder, id);
    if (!file) return undefined;
    let size: number;
    try {
      const st = await fs.stat(file);
      if (!st.isFile()) return undefined;
      size = st.size;
    } catch {
      return undefined;
    }
    const format = extension(id);
    const asset: AudioAsset = {
      id,
      name: id.slice(0, id.length - format.length - 1).replace(/[_-]/g, ' '),
      path: `${this.displayRoot}/${folder}/${id}`,
      format,
      size_bytes: size,
      is_system: folder === 'system',
    };
    const sidecar = await this.realPath(folder, `${id}.license`);
    const license = sidecar ? await readLicense(sidecar) : undefined;
    if (license) asset.license = license;
    return asset;
  }

  /** The real path of `<folder>/<id>`, when it exists and resolves inside the root. */
  realPath(folder: AssetFolder, id: string): Promise<string | undefined> {
    return realPathInside(this.audioRoot, join(this.audioRoot, folder, id));
  }

  /**
   * Where a new `user/<id>` goes, in the real `user/` folder (created when missing; `OutsideRootError` when
   * it resolves outside the root), and whether anything (a symlink too) already has that name.
   */
  async newUserFile(id: string): Promise<{ target: string; taken: boolean }> {
    const dir = await writableDirInside(this.audioRoot, join(this.audioRoot, 'user'));
    const target = join(dir, id);
    return { target, taken: await exists(target) };
  }

  /**
   * Streams `source` into `target` atomically and never over an existing file (`FileExistsError`);
   * `FileTooLargeError` past `maxBytes`; an error of the source passes through. Nothing is left under the
   * final name unless the whole source was written.
   */
  async writeNew(target: string, source: AsyncIterable<Buffer>, maxBytes: number): Promise<void> {
    await streamToFileAtomic(target, source, { maxBytes, exclusive: true });
  }

  /** Writes the licence sidecar of `target`; best effort (an asset without one is still usable). */
  async writeSidecar(target: string, text: string): Promise<void> {
    await writeFileAtomic(`${target}.license`, text).catch(() => undefined);
  }

  /** Deletes `user/<id>` and its sidecar, only when the name and its real path stay inside `user/`. */
  async deleteUser(id: string): Promise<AssetDeletion> {
    const userDir = resolve(this.audioRoot, 'user');
    const target = resolve(userDir, id);
    const rel = relative(userDir, target);
    if (rel === '' || rel.startsWith('..') || rel.includes(sep) || id.includes('\0')) return 'outside-user';
    let real: string;
    try {
      real = await fs.realpath(target);
    } catch {
      return 'missing';
    }
    const realDir = await fs.realpath(userDir);
    if (!real.startsWith(realDir + sep)) return 'links-outside';
    await fs.unlink(real);
    await fs.rm(`${real}.license`, { force: true });
    return 'deleted';
  }

  /** Is there a system asset file of that name? */
  async isSystemFile(id: string): Promise<boolean> {
    try {
      return (await fs.stat(join(this.audioRoot, 'system', basename(id)))).isFile();
    } catch {
      return false;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** SPDX sidecar to `License: <id>` / `Copyright: <text>` lines, as StreamKit shows them. */
async function readLicense(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let out = '';
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('SPDX-License-Identifier:')) out += `License: ${t.slice(24).trim()}\n`;
    else if (t.startsWith('SPDX-FileCopyrightText:')) out += `Copyright: ${t.split(':')[1].trim()}\n`;
  }
  out = out.trim();
  return out.length > 0 ? out : undefined;
}
