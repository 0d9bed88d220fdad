/** Preparing an outgoing offer: the file is hashed first (the offer carries its SHA-256) and must not change meanwhile. */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isWireFileName } from '../protocol/file-messages.ts';
import type { Transfer, TransfersRepo } from '../storage/transfers-repo.ts';
import { hashFile } from './disk.ts';
import { safeFileName } from './safe-name.ts';

/** A failed user command; `code` maps to the CLI's error codes. */
export class FileCommandError extends Error {
  override name = 'FileCommandError';
  readonly code: 'file-error' | 'bad-input';
  constructor(code: 'file-error' | 'bad-input', message: string) {
    super(message);
    this.code = code;
  }
}

/** Hashes the regular file at `path` and stores an offer of it to `peer`. */
export async function createOffer(repo: TransfersRepo, peer: string, path: string): Promise<Transfer> {
  const before = await stat(path, { bigint: true }).catch((e: Error) => {
    throw new FileCommandError('file-error', `cannot read ${path}: ${e.message}`);
  });
  if (!before.isFile()) throw new FileCommandError('file-error', `${path} is not a regular file`);
  const { sha256, size } = await hashFile(path).catch((e: Error) => {
    throw new FileCommandError('file-error', `cannot read ${path}: ${e.message}`);
  });
  const after = await stat(path, { bigint: true });
  if (after.mtimeNs !== before.mtimeNs || Number(after.size) !== size) throw new FileCommandError('file-error', `${path} changed while it was hashed`);
  const base = basename(path);
  // The local name may hold what the wire forbids (a control character, a backslash on Unix).
  const name = isWireFileName(base) ? base : safeFileName(base);
  return repo.createOutgoing(peer, { name, size, sha256, sourcePath: path, sourceMtimeUs: Number(after.mtimeNs / 1000n) });
}
