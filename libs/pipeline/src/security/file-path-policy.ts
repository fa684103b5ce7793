// Decides which files nodes may read (`[security].allowed_file_paths`) and write
// (`[security].allowed_write_paths`); paths resolve relative to a base directory (the process CWD).
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { globMatch } from './glob';

export interface FilePathPolicyOptions {
  /** Glob patterns for reads (file_reader, script_path). Relative patterns are relative to `baseDir`. */
  allowedReadPaths: readonly string[];
  /** Glob patterns for writes (file_writer). Empty = every write is refused. */
  allowedWritePaths: readonly string[];
  /** Where relative paths and patterns start from; defaults to `process.cwd()` at construction. */
  baseDir?: string;
}

export class FilePathPolicy {
  private readonly baseDir: string;
  private readonly readPatterns: readonly string[];
  private readonly writePatterns: readonly string[];

  constructor(options: FilePathPolicyOptions) {
    this.baseDir = options.baseDir ?? process.cwd();
    this.readPatterns = options.allowedReadPaths;
    this.writePatterns = options.allowedWritePaths;
  }

  /** Returns the canonical path of an existing, allowed regular file, or throws with the reason. */
  resolveReadPath(path: string): string {
    const candidate = resolve(this.baseDir, path);
    let canonical: string;
    try {
      canonical = realpathSync(candidate);
    } catch (err) {
      throw new Error(
        `Cannot resolve path '${path}' (file may not exist or is not accessible): ${errorText(err)}`,
        { cause: err },
      );
    }
    if (!this.allowed(this.readPatterns, canonical)) {
      throw new Error(
        `Path '${path}' resolves to '${canonical}' which is outside allowed directories. ` +
          'Configure security.allowed_file_paths to allow additional paths.',
      );
    }
    if (!statSync(canonical).isFile()) throw new Error('Path is not a file');
    return canonical;
  }

  /** Returns the absolute path a writer may create or overwrite, or throws with the reason. */
  resolveWritePath(path: string): string {
    if (this.writePatterns.length === 0) {
      throw new Error('File writes are disabled by configuration (security.allowed_write_paths is empty)');
    }
    if (path.split(/[\\/]/).includes('..')) {
      throw new Error(`Write path '${path}' must not contain '..' components`);
    }
    const candidate = resolve(this.baseDir, path);
    const name = basename(candidate);
    if (name === '' || path.endsWith('/') || path.endsWith(sep)) {
      throw new Error(`Write path '${path}' has no file name`);
    }
    let parent: string;
    try {
      parent = realpathSync(dirname(candidate));
    } catch (err) {
      throw new Error(
        `Cannot resolve the parent directory of write path '${path}' (it must exist): ${errorText(err)}`,
        { cause: err },
      );
    }
    const target = join(parent, name);
    if (!this.allowed(this.writePatterns, target)) {
      throw new Error(
        `Write path '${path}' resolves to '${target}' which is outside allowed write paths. ` +
          'Configure security.allowed_write_paths to allow additional paths.',
      );
    }
    // Writes never follow a link (openCheckedForWrite enforces it again when the file is opened).
    const existing = lstatOrUndefined(target);
    if (existing?.isSymbolicLink()) {
      throw new Error(`Write path '${path}' is a symbolic link; writes never follow links`);
    }
    if (existing && !existing.isFile())
      throw new Error(`Write path '${path}' exists and is not a regular file`);
    return target;
  }

  private allowed(patterns: readonly string[], canonical: string): boolean {
    for (const pattern of patterns) {
      if (pattern === '**') return true;
      const absolute = isAbsolute(pattern) ? pattern : join(this.baseDir, pattern);
      if (globMatch(absolute, canonical)) return true;
      // `dir/**` also covers the directory's canonical location (symlinked roots such as /tmp on macOS).
      if (absolute.endsWith('/**')) {
        const prefix = canonicalOrUndefined(absolute.slice(0, -3));
        if (prefix !== undefined && canonical.startsWith(prefix.endsWith(sep) ? prefix : prefix + sep)) {
          return true;
        }
      }
    }
    return false;
  }
}

function canonicalOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
