// Audio assets under `samples/audio/{system,user}` (StreamKit's `/api/v1/assets/audio`): the rules of listing,
// uploads (size cap, create-new, format check) and deletes (`user/` only); the files themselves are the
// repository's (assets.repository.ts): atomic uploads, reads that follow no symlink out of the root.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  NotFoundException,
  PayloadTooLargeException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { FileExistsError, FileTooLargeError, OutsideRootError } from '../common/atomic-file';
import { refuseTruncated } from '../common/uploads';
import type { AudioAsset } from './assets.dto';
import { ASSET_FOLDERS, AssetsRepository, extension } from './assets.repository';
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

/** What the asset rules need of a caller (satisfied by the permissions module's Caller). */
export type AssetCaller = Pick<Caller, 'require' | 'canSeeAsset'>;

export class AssetsService {
  private readonly repo: AssetsRepository;

  /**
   * @param audioRoot folder holding `system/` and `user/` (StreamKit: `samples/audio` under the CWD)
   * @param displayRoot prefix used in `path` (`samples/audio`), as `core::file_reader` takes it
   */
  constructor(
    audioRoot: string,
    displayRoot = 'samples/audio',
    private readonly maxBytes = MAX_ASSET_BYTES,
  ) {
    this.repo = new AssetsRepository(audioRoot, displayRoot);
  }

  async list(caller: AssetCaller): Promise<AudioAsset[]> {
    const out: AudioAsset[] = [];
    for (const folder of ASSET_FOLDERS) {
      for (const id of await this.repo.names(folder)) {
        if (!isAudioFile(id)) continue;
        const asset = await this.repo.describe(folder, id);
        if (asset && caller.canSeeAsset(asset.path)) out.push(asset);
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The file of a listed asset (system first, then user) for playback; 404 when absent or not visible. */
  async open(caller: AssetCaller, id: string): Promise<{ path: string; contentType: string; size: number }> {
    if (id !== basename(id) || id.includes('..') || !isAudioFile(id))
      throw new NotFoundException(`Asset not found: ${id}`);
    for (const folder of ASSET_FOLDERS) {
      const asset = await this.repo.describe(folder, id);
      if (!asset) continue;
      if (!caller.canSeeAsset(asset.path)) break;
      const path = await this.repo.realPath(folder, id);
      if (!path) break;
      return { path, contentType: CONTENT_TYPES[asset.format], size: asset.size_bytes };
    }
    throw new NotFoundException(`Asset not found: ${id}`);
  }

  /** Removes temporary files of interrupted uploads; answers how many. */
  sweep(): Promise<number> {
    return this.repo.sweep();
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
    const { target, taken } = await this.repo.newUserFile(id).catch((err: unknown) => {
      throw err instanceof OutsideRootError ? new ForbiddenException(err.message) : err;
    });
    if (taken) throw new ConflictException(`File already exists: ${id}`);
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
      await this.repo.writeNew(target, checked(refuseTruncated(body, tooLarge)), limit);
    } catch (err) {
      if (err instanceof FileExistsError) throw new ConflictException(`File already exists: ${id}`);
      if (err instanceof FileTooLargeError) throw tooLarge();
      if (err instanceof PayloadTooLargeException || err instanceof UnprocessableEntityException) throw err;
      throw new BadRequestException(
        `Upload of '${id}' ended before it was complete: ${(err as Error).message}`,
      );
    }
    await this.repo.writeSidecar(target, USER_LICENSE);
    const asset = await this.repo.describe('user', id);
    if (!asset) throw new NotFoundException(`Asset not found: ${id}`);
    return asset;
  }

  /** Deletes a user asset: 403 for a name or link leaving `user/` and for a system asset, 404 when absent. */
  async delete(caller: AssetCaller, id: string): Promise<void> {
    caller.require('delete_assets');
    const outcome = await this.repo.deleteUser(id);
    if (outcome === 'missing') {
      if (await this.repo.isSystemFile(id)) throw new ForbiddenException('System assets are read-only');
      throw new NotFoundException(`Asset not found: ${id}`);
    }
    if (outcome !== 'deleted') throw new ForbiddenException('Access forbidden');
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
