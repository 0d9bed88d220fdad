/** Typed failures of the data directory and its database: the caller stops, nothing is deleted. */

/**
 * - `data-dir`: the directory (or a file in it) cannot be used: not a directory, not ours, too open, unreadable.
 * - `unseal-failed`: sealed secrets did not open (wrong passphrase, other key file, other sealer kind).
 * - `corrupt`: the database or a sealed record is damaged or inconsistent.
 * - `schema-too-new`: the database was written by a newer Parley; an older one must not touch it.
 */
export type StorageErrorCode = 'data-dir' | 'unseal-failed' | 'corrupt' | 'schema-too-new';

/** Raised instead of repairing anything: data that fails to open is never deleted or overwritten. */
export class StorageError extends Error {
  override name = 'StorageError';
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
