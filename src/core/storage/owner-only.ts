/** File-system checks for secrets at rest: owner-only modes, owned by us, durable directory entries. */
import { closeSync, fsyncSync, openSync, type Stats } from 'node:fs';
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
