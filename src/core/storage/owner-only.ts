/** File-system checks for secrets at rest: owner-only modes, owned by us, durable directory entries. */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, rmSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { StorageError } from './storage-error.ts';

/** POSIX modes and ownership mean something here; on Windows the ACLs of the user profile apply instead. */
export const POSIX = process.platform !== 'win32';

/** Throws `data-dir` if `stat` is another user's or grants group/other any access (POSIX only). */
export function assertOwnerOnly(stat: Stats, path: string, what: string, fix: string): void {
  if (!POSIX) return;
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new StorageError('data-dir', `${what} ${path} belongs to another user`);
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new StorageError('data-dir', `${what} ${path} is open to other users (mode ${mode}): run ${fix} on it`);
  }
}

/** Makes a new directory entry durable (POSIX); Windows has no directory fsync. */
export function syncDirectory(dir: string): void {
  if (!POSIX) return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file so that no reader or crash ever sees it partial: the bytes go to a fresh owner-only
 * (0600) temporary file beside `path`, are fsynced, then `publish(tmp, path)` puts them in place —
 * rename to replace, link to refuse an existing file (link throws EEXIST) — and the directory entry
 * is made durable. The temporary name is removed whatever happens.
 */
export function writeFileAtomically(path: string, data: string | Uint8Array, publish: (tmp: string, path: string) => void): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      if (typeof data === 'string') writeSync(fd, data);
      else writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    publish(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  syncDirectory(dirname(path));
}
