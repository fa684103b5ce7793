// Audio assets under `samples/audio/{system,user}` (StreamKit's `/api/v1/assets/audio`): listing with licence
// sidecars, streamed uploads with a size cap and create-new semantics, deletes confined to `user/`.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { createWriteStream, promises as fs } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const AUDIO_EXTENSIONS = ['opus', 'ogg', 'flac', 'mp3', 'wav'] as const;
const CONTENT_TYPES: Record<string, string> = {
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

export const MAX_ASSET_BYTES = 100 * 1024 * 1024;
const USER_LICENSE = 'SPDX-FileCopyrightText: © 2025 User Upload\nSPDX-License-Identifier: CC0-1.0\n';

export interface AudioAsset {
  id: string;
  name: string;
  path: string;
  format: string;
  size_bytes: number;
  license?: string;
  is_system: boolean;
}

/** What the assets service needs to know about the caller (satisfied by the permissions module's Caller). */
export interface AssetCaller {
  permissions: { upload_assets: boolean; delete_assets: boolean };
  canSeeAsset(path: string): boolean;
}

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
        if (id.endsWith('.license') || !isAudioFile(id)) continue;
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
      return {
        path: join(this.audioRoot, kind, id),
        contentType: CONTENT_TYPES[asset.format],
        size: asset.size_bytes,
      };
    }
    throw new NotFoundException(`Asset not found: ${id}`);
  }

  /** Streams an upload into `user/` under a sanitised name; never overwrites; removes partial files. */
  async upload(caller: AssetCaller, fileName: string | undefined, body: Readable): Promise<AudioAsset> {
    if (!caller.permissions.upload_assets) throw new ForbiddenException('Insufficient permissions');
    if (!fileName) throw new BadRequestException('No filename provided');
    const id = sanitizeFileName(basename(fileName));
    validateAssetName(id);
    const dir = join(this.audioRoot, 'user');
    await fs.mkdir(dir, { recursive: true });
    const target = join(dir, id);
    let out;
    try {
      out = createWriteStream(target, { flags: 'wx' });
      await new Promise<void>((ok, fail) => out!.once('open', () => ok()).once('error', fail));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ConflictException(`File already exists: ${id}`);
      throw err;
    }
    let size = 0;
    let tooLarge = false;
    const limit = this.maxBytes;
    async function* capped(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > limit) {
          tooLarge = true;
          throw new PayloadTooLargeException(`File too large. Maximum size: ${limit} bytes`);
        }
        yield chunk;
      }
    }
    try {
      await pipeline(body, capped, out);
      if ((body as Readable & { truncated?: boolean }).truncated) {
        tooLarge = true;
        throw new PayloadTooLargeException(`File too large. Maximum size: ${limit} bytes`);
      }
    } catch (err) {
      await fs.rm(target, { force: true });
      if (tooLarge) throw new PayloadTooLargeException(`File too large. Maximum size: ${limit} bytes`);
      throw new BadRequestException(`Failed to read upload: ${(err as Error).message}`);
    }
    await fs.writeFile(`${target}.license`, USER_LICENSE).catch(() => undefined);
    const asset = await this.describe('user', id);
    if (!asset) throw new NotFoundException(`Asset not found: ${id}`);
    return asset;
  }

  async delete(caller: AssetCaller, id: string): Promise<void> {
    if (!caller.permissions.delete_assets) throw new ForbiddenException('Insufficient permissions');
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
    const file = join(this.audioRoot, kind, id);
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
    const license = await readLicense(`${file}.license`);
    if (license) asset.license = license;
    return asset;
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
