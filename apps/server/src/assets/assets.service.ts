// Audio assets under `samples/audio/{system,user}` (StreamKit's `/api/v1/assets/audio`): listing with licence
// sidecars, streamed uploads with a size cap and create-new semantics, deletes confined to `user/`. Uploads are
// atomic (nothing under the final name until complete and checked), reads follow no symlink out of the root.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  NotFoundException,
  PayloadTooLargeException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { promises as fs } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import {
  FileExistsError,
  FileTooLargeError,
  isTempFile,
  OutsideRootError,
  realPathInside,
  streamToFileAtomic,
  sweepTempFiles,
  writableDirInside,
  writeFileAtomic,
} from '../common/atomic-file';
import { refuseTruncated } from '../common/uploads';
import type { AudioAsset } from './assets.dto';
import type { Caller } from '../permissions';

export const AUDIO_EXTENSIONS = ['opus', 'ogg', 'flac', 'mp3', 'wav'] as const;
/** The content type an asset is served with, by extension. */
export const CONTENT_TYPES: Record<string, string> = {
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

export const MAX_ASSET_BYTES = 100 * 1024 * 1024;
const USER_LICENSE = 'SPDX-FileCopyrightText: © 2025 User Upload\nSPDX-License-Identifier: CC0-1.0\n';

/** What the assets service needs to know about the caller (satisfied by the permissions module's Caller). */
/** What the asset rules need of a caller. */
export type AssetCaller = Pick<Caller, 'require' | 'canSeeAsset'>;

export class AssetsService {
  /**
   * @param audioRoot folder holding `system/` and `user/` (StreamKit: `samples/audio` under the CWD)
   * @param displayRoot prefix used in `path` (`samples/audio`), as `core::file_reader` takes it
   */
  constructor(
    private readonly audioRoot: string,
    private readonly displayRoot = 'samples/audio',
    private readonly maxBytes = MAX_ASSET_BYTES,
  ) {}

  async list(caller: AssetCaller): Promise<AudioAsset[]> {
    const out: AudioAsset[] = [];
    for (const kind of ['system', 'user'] as const) {
      const dir = join(this.audioRoot, kind);
      let names: string[];
      try {
        names = await fs.readdir(dir);
      } catch {
        continue;
      }
      for (const id of names) {
        if (id.endsWith('.license') || isTempFile(id) || !isAudioFile(id)) continue;
        const asset = await this.describe(kind, id);
        if (asset && caller.canSeeAsset(asset.path)) out.push(asset);
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The file of a listed asset (system first, then user) for playback; 404 when absent or not visible. */
  async open(caller: AssetCaller, id: string): Promise<{ path: string; contentType: string; size: number }> {
    if (id !== basename(id) || id.includes('..') || !isAudioFile(id))
      throw new NotFoundException(`Asset not found: ${id}`);
    for (const kind of ['system', 'user'] as const) {
      const asset = await this.describe(kind, id);
      if (!asset) continue;
      if (!caller.canSeeAsset(asset.path)) break;
      const path = await realPathInside(this.audioRoot, join(this.audioRoot, kind, id));
      if (!path) break;
      return { path, contentType: CONTENT_TYPES[asset.format], size: asset.size_bytes };
    }
    throw new NotFoundException(`Asset not found: ${id}`);
  }

  /** Removes temporary files of interrupted uploads; answers how many. */
  sweep(): Promise<number> {
    return sweepTempFiles(join(this.audioRoot, 'user'));
  }

  /**
   * Streams an upload into `user/` under a sanitised name: never overwrites (409), 413 past the size cap, 400
   * when the upload ends short, 422 when the bytes are not the format the extension names. In every refusal
   * nothing is left under the final name.
   */
  async upload(
    caller: AssetCaller,
    fileName: string | undefined,
    body: Readable & { truncated?: boolean },
  ): Promise<AudioAsset> {
    caller.require('upload_assets');
    if (!fileName) throw new BadRequestException('No filename provided');
    const id = sanitizeFileName(basename(fileName));
    validateAssetName(id);
    const dir = await writableDirInside(this.audioRoot, join(this.audioRoot, 'user')).catch(
      (err: unknown) => {
        throw err instanceof OutsideRootError ? new ForbiddenException(err.message) : err;
      },
    );
    const target = join(dir, id);
    if (await exists(target)) throw new ConflictException(`File already exists: ${id}`);
    const limit = this.maxBytes;
    const tooLarge = () => new PayloadTooLargeException(`File too large. Maximum size: ${limit} bytes`);
    const format = extension(id);
    async function* checked(source: AsyncIterable<Buffer>) {
      let head: Buffer | undefined = Buffer.alloc(0);
      for await (const chunk of source) {
        if (head) {
          head = Buffer.concat([head, chunk]);
          if (head.length >= SNIFF_BYTES) {
            checkFormat(id, format, head);
            head = undefined;
          }
        }
        yield chunk;
      }
      if (head) checkFormat(id, format, head);
    }
    try {
      await streamToFileAtomic(target, checked(refuseTruncated(body, tooLarge)), {
        maxBytes: limit,
        exclusive: true,
      });
    } catch (err) {
      if (err instanceof FileExistsError) throw new ConflictException(`File already exists: ${id}`);
      if (err instanceof FileTooLargeError) throw tooLarge();
      if (err instanceof PayloadTooLargeException || err instanceof UnprocessableEntityException) throw err;
      throw new BadRequestException(
        `Upload of '${id}' ended before it was complete: ${(err as Error).message}`,
      );
    }
    await writeFileAtomic(`${target}.license`, USER_LICENSE).catch(() => undefined);
    const asset = await this.describe('user', id);
    if (!asset) throw new NotFoundException(`Asset not found: ${id}`);
    return asset;
  }

  async delete(caller: AssetCaller, id: string): Promise<void> {
    caller.require('delete_assets');
    const userDir = resolve(this.audioRoot, 'user');
    const target = resolve(userDir, id);
    const rel = relative(userDir, target);
    if (rel === '' || rel.startsWith('..') || rel.includes(sep) || id.includes('\0')) {
      throw new ForbiddenException('Access forbidden');
    }
    let real: string;
    try {
      real = await fs.realpath(target);
    } catch {
      if (await this.isSystemAsset(id)) throw new ForbiddenException('System assets are read-only');
      throw new NotFoundException(`Asset not found: ${id}`);
    }
    const realDir = await fs.realpath(userDir);
    if (!real.startsWith(realDir + sep)) throw new ForbiddenException('Access forbidden');
    await fs.unlink(real);
    await fs.rm(`${real}.license`, { force: true });
  }

  private async isSystemAsset(id: string): Promise<boolean> {
    try {
      return (await fs.stat(join(this.audioRoot, 'system', basename(id)))).isFile();
    } catch {
      return false;
    }
  }

  private async describe(kind: 'system' | 'user', id: string): Promise<AudioAsset | undefined> {
    const file = await realPathInside(this.audioRoot, join(this.audioRoot, kind, id));
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
      path: `${this.displayRoot}/${kind}/${id}`,
      format,
      size_bytes: size,
      is_system: kind === 'system',
    };
    const sidecar = await realPathInside(this.audioRoot, join(this.audioRoot, kind, `${id}.license`));
    const license = sidecar ? await readLicense(sidecar) : undefined;
    if (license) asset.license = license;
    return asset;
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

/** Enough of the head of a file to tell its container. */
const SNIFF_BYTES = 12;

/** What the first bytes of each format look like (MP3: an ID3 tag or an MPEG audio frame sync). */
const SIGNATURES: Record<string, { test: (head: Buffer) => boolean; name: string }> = {
  ogg: { name: 'Ogg', test: (h) => h.subarray(0, 4).toString('latin1') === 'OggS' },
  opus: { name: 'Ogg', test: (h) => h.subarray(0, 4).toString('latin1') === 'OggS' },
  flac: { name: 'FLAC', test: (h) => h.subarray(0, 4).toString('latin1') === 'fLaC' },
  wav: {
    name: 'WAV',
    test: (h) =>
      ['RIFF', 'RF64'].includes(h.subarray(0, 4).toString('latin1')) &&
      h.subarray(8, 12).toString('latin1') === 'WAVE',
  },
  mp3: {
    name: 'MP3',
    test: (h) => h.subarray(0, 3).toString('latin1') === 'ID3' || (h[0] === 0xff && (h[1] & 0xe0) === 0xe0),
  },
};

/** 422 when the head of an upload is not the container its extension names. */
function checkFormat(id: string, format: string, head: Buffer): void {
  const signature = SIGNATURES[format];
  if (signature && !signature.test(head)) {
    throw new UnprocessableEntityException(
      `Uploaded file '${id}' is not ${signature.name} audio (it starts with ${head.subarray(0, 4).toString('hex')})`,
    );
  }
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
}

function isAudioFile(name: string): boolean {
  return (AUDIO_EXTENSIONS as readonly string[]).includes(extension(name));
}

export function sanitizeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

function validateAssetName(id: string): void {
  if (id.length === 0) throw new BadRequestException('Filename cannot be empty');
  if (Buffer.byteLength(id) > 255) throw new BadRequestException('Filename too long');
  if (id.includes('..') || /^\.+$/.test(id)) throw new BadRequestException('Invalid characters in filename');
  if (!isAudioFile(id)) {
    throw new BadRequestException(
      `Unsupported audio format: ${extension(id)}. Allowed: ${AUDIO_EXTENSIONS.join(', ')}`,
    );
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
