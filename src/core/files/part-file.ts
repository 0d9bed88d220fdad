/**
 * The receiving side's file on disk: `name.part`, appended in order, hashed as it is written,
 * fsynced at checkpoints (the held count recorded after each fsync is what a resume trusts; the
 * fsync runs beside the following writes, and records only the count written before it began),
 * and on the last byte checked (size and SHA-256) and renamed to a final name that was first
 * reserved with an exclusive create, so nothing existing is ever overwritten.
 *
 * Failures keep nothing half-written under the final name: the final name only exists after
 * the hash matched. A full disk (ENOSPC, EDQUOT, EFBIG) is a `PartFileError('no-space')`, a
 * mismatch `PartFileError('corrupt')`; the part is deleted in both cases.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hashFilePrefix } from './disk.ts';
import { reserveTarget } from './safe-name.ts';

/** Bytes written between two fsyncs (and two records of the held count). */
export const CHECKPOINT_BYTES = 16 * 1024 * 1024;

export type PartFileErrorCode = 'no-space' | 'corrupt' | 'io';

/** Why a part file could not be written or finished; `code` is what the transfer is cancelled with. */
export class PartFileError extends Error {
  override name = 'PartFileError';
  readonly code: PartFileErrorCode;
  constructor(code: PartFileErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** Maps a file-system error to a PartFileError (a full disk is `no-space`, anything else `io`). */
export function toPartFileError(error: unknown, what: string): PartFileError {
  if (error instanceof PartFileError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
  return new PartFileError(NO_SPACE.has(code) ? 'no-space' : 'io', `${what}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** A write function, injectable so a test can fail a write where no small file system can be mounted. */
export type WriteFn = (handle: FileHandle, data: Uint8Array, position: number) => Promise<void>;

const defaultWrite: WriteFn = async (handle, data, position) => {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
};

export type PartFileOptions = {
  /** Called after each fsync with the held count, to record it durably. */
  readonly onCheckpoint?: (bytes: number) => void;
  readonly write?: WriteFn;
};

/** An open part file; one writer, writes in order. */
export class PartFile {
  readonly path: string;
  readonly size: number;
  readonly #handle: FileHandle;
  readonly #hash: Hash;
  readonly #options: PartFileOptions;
  #held: number;
  #sinceCheckpoint = 0;
  #closed = false;
  /** The checkpoint running beside the writes, if any; its failure fails the next append. */
  #syncing: Promise<void> | null = null;
  #syncError: PartFileError | null = null;

  private constructor(path: string, size: number, handle: FileHandle, hash: Hash, held: number, options: PartFileOptions) {
    this.path = path;
    this.size = size;
    this.#handle = handle;
    this.#hash = hash;
    this.#held = held;
    this.#options = options;
  }

  /**
   * Opens (creating if missing) the part at `path` for a file of `size` bytes, keeping the
   * first `held` bytes (what the last checkpoint recorded: anything after it may not have
   * reached the disk) and hashing them again. Returns the part and the bytes it really holds.
   */
  static async open(path: string, size: number, held: number, options: PartFileOptions = {}): Promise<PartFile> {
    let handle: FileHandle;
    try {
      // Not 'a+': with O_APPEND, Linux ignores the position of a write.
      handle = await open(path, 'r+').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return open(path, 'wx', 0o600);
        throw error;
      });
    } catch (error) {
      throw toPartFileError(error, `cannot open ${path}`);
    }
    try {
      const onDisk = (await handle.stat()).size;
      const keep = Math.min(held, onDisk, size);
      if (onDisk !== keep) await handle.truncate(keep);
      const hash = createHash('sha256');
      if (keep > 0) await hashFilePrefix(path, hash, keep);
      return new PartFile(path, size, handle, hash, keep, options);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw toPartFileError(error, `cannot resume ${path}`);
    }
  }

  /** Bytes written so far (the next offset expected). */
  get held(): number {
    return this.#held;
  }

  /** Appends `data` at the held offset; fsyncs and checkpoints every CHECKPOINT_BYTES (without waiting for it). */
  async append(data: Uint8Array): Promise<void> {
    if (this.#closed) throw new PartFileError('io', `${this.path} is closed`);
    if (this.#syncError !== null) throw this.#syncError;
    if (this.#held + data.length > this.size) throw new PartFileError('corrupt', `${this.path}: more bytes than the offer's size`);
    try {
      await (this.#options.write ?? defaultWrite)(this.#handle, data, this.#held);
    } catch (error) {
      throw toPartFileError(error, `cannot write ${this.path}`);
    }
    this.#hash.update(data);
    this.#held += data.length;
    this.#sinceCheckpoint += data.length;
    if (this.#sinceCheckpoint >= CHECKPOINT_BYTES && this.#held < this.size && this.#syncing === null) {
      // Not awaited: the next writes go on while the disk syncs (one sync at a time).
      this.#syncing = this.#sync().then(
        () => undefined,
        (error: PartFileError) => void (this.#syncError = error),
      );
    }
  }

  /** fsyncs and reports the held count (call when a transfer pauses, e.g. the link dropped). */
  async checkpoint(): Promise<void> {
    if (this.#closed) return;
    await this.#syncing;
    if (this.#syncError !== null) throw this.#syncError;
    await this.#sync();
  }

  /** fsyncs, then reports the count held when the sync began (bytes written after it may not be on disk yet). */
  async #sync(): Promise<void> {
    const held = this.#held;
    this.#sinceCheckpoint = 0;
    try {
      await this.#handle.datasync();
    } catch (error) {
      throw toPartFileError(error, `cannot sync ${this.path}`);
    } finally {
      this.#syncing = null;
    }
    if (!this.#closed) this.#options.onCheckpoint?.(held);
  }

  /** Closes without deleting (the transfer may resume later). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#syncing;
    await this.#handle.close().catch(() => undefined);
  }

  /** Closes and deletes the part (cancelled, corrupt, no space). */
  async discard(): Promise<void> {
    await this.close();
    await unlink(this.path).catch(() => undefined);
  }

  /**
   * All bytes are held: fsync, check the SHA-256 against `sha256`, reserve the final name in
   * `dir` (exclusive create) and rename the part over the reservation. A mismatch deletes the
   * part and throws `corrupt`; a failure deletes the part and the reservation.
   */
  async finish(sha256: string, safeName: string, dir = dirname(this.path)): Promise<string> {
    if (this.#held !== this.size) throw new PartFileError('io', `${this.path}: finish before all bytes are held`);
    const digest = this.#hash.digest('hex');
    if (digest !== sha256) {
      await this.discard();
      throw new PartFileError('corrupt', `${this.path}: SHA-256 ${digest} does not match the offer's ${sha256}`);
    }
    let reserved: string | null = null;
    let renamed = false;
    try {
      await this.#handle.sync();
      await this.close();
      const target = await reserveTarget(dir, safeName);
      reserved = target.path;
      await target.handle.close();
      // rename(2) replaces our own empty reservation atomically: the final name never shows a partial file.
      await rename(this.path, target.path);
      renamed = true;
      await syncDirectory(dir);
      return target.path;
    } catch (error) {
      await this.discard();
      // The reservation is still our empty placeholder unless the rename went through.
      if (reserved !== null && !renamed) await unlink(reserved).catch(() => undefined);
      throw toPartFileError(error, `cannot finish ${this.path}`);
    }
  }
}

/** fsyncs a directory so a rename survives a power loss (not possible on Windows: ignored there). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (handle === null) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}
