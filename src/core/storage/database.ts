/**
 * Opening the SQLite file: WAL, synchronous=FULL, foreign keys, and SQLite failures turned into
 * StorageErrors.
 *
 * Why FULL and not NORMAL: an `ack` tells the peer it may forget its copy, so a stored message
 * must outlive the machine, not just the process. In WAL mode NORMAL survives a process kill
 * but can lose the last commits on power loss or an OS crash (the WAL is only fsynced at
 * checkpoints); FULL fsyncs the WAL on every commit. Measured on the build machine: ~15 µs per
 * committed insert with NORMAL, ~470 µs with FULL. Chat traffic is human-paced, so we pay it —
 * except for the few writes that a power loss may undo without harm (relaxedWriter below).
 */
import { DatabaseSync } from 'node:sqlite';
import { StorageError } from './storage-error.ts';

/** The database's file name inside the data directory. */
export const DB_FILE_NAME = 'parley.db';

/** How long a write waits for another connection's lock before failing (ms). */
const BUSY_TIMEOUT_MS = 5000;

/** Opens (or creates) the database at `path` with the store's pragmas. */
export function openDatabase(path: string): DatabaseSync {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, {
      timeout: BUSY_TIMEOUT_MS,
      enableForeignKeyConstraints: true,
      enableDoubleQuotedStringLiterals: false,
    });
    const mode = db.prepare('PRAGMA journal_mode = WAL').get();
    if (mode?.['journal_mode'] !== 'wal') throw new StorageError('data-dir', `${path}: the database cannot use WAL mode`);
    db.exec('PRAGMA synchronous = FULL; PRAGMA trusted_schema = OFF;');
    return db;
  } catch (error) {
    db?.close();
    throw toStorageError(error, path);
  }
}

/**
 * Prepares a runner for writes that need no fsync of their own: it runs `fn` with
 * synchronous=NORMAL, so the commit reaches the WAL (it survives a process kill) and is made
 * durable by the next FULL commit or checkpoint (the WAL is append-only, so an fsync covers every
 * earlier frame: durability stays in commit order). For state that a power loss may roll back
 * without harm: a message's queued → sent → delivered (rolled back, it is sent again, the peer
 * dedupes it by id and acks again) and a contact's last-seen record. Each saved fsync is ~0.5 ms
 * on the event loop. Inside a transaction the caller's commit decides.
 */
export function relaxedWriter(db: DatabaseSync): <T>(fn: () => T) => T {
  const normal = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');
  return (fn) => {
    if (db.isTransaction) return fn();
    normal.run();
    try {
      return fn();
    } finally {
      full.run();
    }
  };
}

/** Runs `fn` in a BEGIN IMMEDIATE transaction (the write lock is taken up front, so checks inside stay true). */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Maps a SQLite error to the typed error the caller acts on; other errors pass through. */
export function toStorageError(error: unknown, path: string): unknown {
  if (error instanceof StorageError) return error;
  const code = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof code !== 'number') return error;
  switch (code & 0xff) {
    case 11: // SQLITE_CORRUPT
    case 26: // SQLITE_NOTADB
      return new StorageError('corrupt', `${path} is damaged or not a Parley database (it was left as it is)`, { cause: error });
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
      return new StorageError('data-dir', `${path} is in use by another process`, { cause: error });
    case 8: // SQLITE_READONLY
    case 10: // SQLITE_IOERR
    case 13: // SQLITE_FULL
    case 14: // SQLITE_CANTOPEN
    case 23: // SQLITE_AUTH
      return new StorageError('data-dir', `${path} cannot be opened or written`, { cause: error });
    default:
      return error;
  }
}
