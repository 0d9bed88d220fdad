/**
 * Disk helpers for transfers: free space, and SHA-256 of a file (or of its first n bytes)
 * streamed through one reused buffer, so memory stays bounded whatever the size.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, statfs } from 'node:fs/promises';

/** Bytes read per step when hashing from disk. */
export const HASH_READ_SIZE = 1024 * 1024;

/** Bytes an unprivileged process can still write on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/**
 * Feeds bytes [0, length) of the file at `path` into `hash` (all of it when length is omitted);
 * returns how many bytes were hashed. Throws if the file is shorter than `length`.
 */
export async function hashFilePrefix(path: string, hash: Hash, length?: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const end = length ?? (await handle.stat()).size;
    const buffer = Buffer.allocUnsafe(Math.min(HASH_READ_SIZE, Math.max(1, end)));
    let position = 0;
    while (position < end) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) throw new Error(`${path} ended at ${position} bytes, ${end} expected`);
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    return position;
  } finally {
    await handle.close();
  }
}

/** SHA-256 (64 lowercase hex digits) and size of a whole file. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const size = await hashFilePrefix(path, hash);
  return { sha256: hash.digest('hex'), size };
}
