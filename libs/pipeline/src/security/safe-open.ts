// Opening files that a policy already resolved (`FilePathPolicy`), so that what is opened is what was
// checked: the last component is never followed if it became a symlink (O_NOFOLLOW), a FIFO cannot block
// the open (O_NONBLOCK), only regular files are accepted, and the opened descriptor's real path must still
// be the checked one (a parent directory swapped for a symlink in between is caught).
import { constants } from 'node:fs';
import { lstat, open, readlink, realpath, type FileHandle } from 'node:fs/promises';

const { O_RDONLY, O_WRONLY, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = constants;

/** The real path of an open descriptor: Linux's /proc (exact), else undefined. */
async function descriptorPath(handle: FileHandle): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return undefined;
  }
}

async function verify(handle: FileHandle, checked: string, what: string): Promise<void> {
  const st = await handle.stat();
  if (!st.isFile()) throw new Error(`${what} '${checked}' is not a regular file`);
  const real = await descriptorPath(handle);
  if (real !== undefined) {
    if (real !== checked) throw new Error(`${what} '${checked}' resolved to '${real}' while it was opened`);
    return;
  }
  // Without /proc: the path must still resolve to itself, to the same file.
  const again = await realpath(checked);
  const now = await lstat(again);
  if (again !== checked || now.ino !== st.ino || now.dev !== st.dev) {
    throw new Error(`${what} '${checked}' changed while it was opened`);
  }
}

function refusal(err: unknown, what: string, path: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new Error(`${what} '${path}' is a symbolic link; it is never followed`);
  if (code === 'ENXIO') return new Error(`${what} '${path}' is a FIFO or socket, not a regular file`);
  return err instanceof Error ? err : new Error(String(err));
}

async function openChecked(path: string, flags: number, what: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, flags, 0o644);
  } catch (err) {
    throw refusal(err, what, path);
  }
  try {
    await verify(handle, path, what);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}

/** Opens a canonical path (from `resolveReadPath`) for reading. */
export function openCheckedForRead(canonical: string): Promise<FileHandle> {
  return openChecked(canonical, O_RDONLY | O_NOFOLLOW | O_NONBLOCK, 'File');
}

/**
 * Opens a write target (from `resolveWritePath`: canonical parent + file name) for writing, created if
 * missing, truncated only once it is known to be the checked file.
 */
export async function openCheckedForWrite(target: string): Promise<FileHandle> {
  const handle = await openChecked(target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 'Write path');
  try {
    await handle.truncate(0);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}
