/**
 * The data directory: `parley.db` (and its -wal/-shm), plus whatever the sealer keeps (the key
 * file sealer's `sealer.key`). Created owner-only; an existing directory that is not ours or
 * too open is refused with an explanation, never "fixed" behind the user's back (unless empty).
 */
import { accessSync, chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Sealer, SealerKind } from './sealer.ts';
import { createContactsRepo, type ContactsRepo } from './contacts-repo.ts';
import { createInvitesRepo, type InvitesRepo } from './invites-repo.ts';
import { createPeopleRepo, type PeopleRepo } from './people-repo.ts';
import { DB_FILE_NAME, openDatabase, toStorageError } from './database.ts';
import { loadIdentity, loadOrCreateIdentity, resealIdentity, type LocalIdentity, type UnsealedIdentity } from './identity-store.ts';
import { createMessagesRepo, type MessagesRepo } from './messages-repo.ts';
import { assertSchemaNotNewer, migrate, schemaVersion } from './migrations.ts';
import { assertOwnerOnly, POSIX, syncDirectory } from './owner-only.ts';
import { createReachRepo, type ReachRepo } from './reach-repo.ts';
import { createSettingsRepo, type SettingsRepo } from './settings-repo.ts';
import { createTransfersRepo, type TransfersRepo } from './transfers-repo.ts';
import { createTrustRepo, type TrustRepo } from './trust-repo.ts';
import { StorageError } from './storage-error.ts';

/** Options for openDataDir. */
export type OpenDataDirOptions = {
  /** Seals the identity's private key and the storage key. */
  readonly sealer: Sealer;
  /** The clock for stored times (Unix ms); Date.now by default. */
  readonly now?: () => number;
};

/** An open data directory. */
export type Store = {
  /** The absolute path of the data directory. */
  readonly dir: string;
  readonly identity: LocalIdentity;
  /** How the secrets are protected (for the UI's "your keys are protected by …"). */
  readonly sealerKind: SealerKind;
  /**
   * Re-seals the identity and storage key under `next` (unsealed with `current`, which must be the
   * protection in use): one transaction, old sealed bytes wiped. Throws StorageError ('unseal-failed'
   * for a wrong current passphrase) and leaves the old seal in place on any failure.
   */
  reseal(current: Sealer, next: Sealer): void;
  readonly settings: SettingsRepo;
  readonly contacts: ContactsRepo;
  /** Open trust warnings (key-changed, name-collision) awaiting the user's decision. */
  readonly trust: TrustRepo;
  readonly messages: MessagesRepo;
  /** Contacts' HyperDHT keys and our own DHT seed (PROTOCOL.md section 8). */
  readonly reach: ReachRepo;
  /** File transfers (PROTOCOL.md section 9). */
  readonly transfers: TransfersRepo;
  /** Status, nicknames, deletion and one thread per person (issue 12). */
  readonly people: PeopleRepo;
  /** Invite tokens, stored hashed. */
  readonly invites: InvitesRepo;
  /** SQLite's `PRAGMA integrity_check`: ['ok'] when sound. Reads the whole file; not for every start. */
  integrityCheck(): string[];
  /** Closes the database and zeroes the private key. */
  close(): void;
};

/**
 * Opens (creating if needed) a data directory: checks it, opens and migrates the database, and
 * loads or creates the identity. Throws StorageError ('data-dir', 'unseal-failed', 'corrupt',
 * 'schema-too-new') and leaves every file as it found it when the secrets do not unseal.
 */
export function openDataDir(dir: string, options: OpenDataDirOptions): Store {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError('dir must be a non-empty string');
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { sealer, now = Date.now } = options;
  if (typeof sealer !== 'object' || sealer === null || typeof sealer.seal !== 'function' || typeof sealer.unseal !== 'function') {
    throw new TypeError('options.sealer must be a Sealer');
  }
  if (typeof now !== 'function') throw new TypeError('options.now must be a function');

  const root = resolve(dir);
  prepareDirectory(root);
  const dbPath = join(root, DB_FILE_NAME);
  prepareDatabaseFile(dbPath);
  const db = openDatabase(dbPath);
  let unsealed: UnsealedIdentity | null = null;
  try {
    assertSchemaNotNewer(db);
    // Unseal before migrating: a wrong passphrase must not even upgrade the schema.
    if (schemaVersion(db) >= 1) unsealed = loadIdentity(db, sealer);
    migrate(db);
    unsealed ??= loadOrCreateIdentity(db, sealer, now);
    const { identity, storageKey } = unsealed;
    return makeStore(root, db, sealer.kind, identity, {
      settings: createSettingsRepo(db),
      contacts: createContactsRepo(db, storageKey, now),
      messages: createMessagesRepo(db, storageKey, now),
      trust: createTrustRepo(db, now),
      reach: createReachRepo(db, storageKey, now),
      transfers: createTransfersRepo(db, storageKey, now),
      people: createPeopleRepo(db, now),
      invites: createInvitesRepo(db, storageKey, now),
    });
  } catch (error) {
    unsealed?.identity.privateKey.fill(0);
    db.close();
    throw toStorageError(error, dbPath);
  }
}

function makeStore(
  dir: string,
  db: DatabaseSync,
  sealerKind: SealerKind,
  identity: LocalIdentity,
  repos: { settings: SettingsRepo; contacts: ContactsRepo; messages: MessagesRepo; trust: TrustRepo; reach: ReachRepo; transfers: TransfersRepo; people: PeopleRepo; invites: InvitesRepo },
): Store {
  let kind = sealerKind;
  return {
    dir,
    identity,
    get sealerKind() {
      return kind;
    },
    ...repos,
    reseal(current: Sealer, next: Sealer) {
      if (!db.isOpen) throw new StorageError('data-dir', 'the store is closed');
      try {
        resealIdentity(db, current, next);
      } catch (error) {
        throw toStorageError(error, join(dir, DB_FILE_NAME));
      }
      kind = next.kind;
    },
    integrityCheck() {
      return db.prepare('PRAGMA integrity_check').all().map((row) => String(Object.values(row)[0]));
    },
    close() {
      if (!db.isOpen) return;
      // SQLite's advice for long-lived connections: refresh planner statistics where they are stale.
      db.exec('PRAGMA optimize');
      db.close();
      identity.privateKey.fill(0);
    },
  };
}

/** Creates the directory 0700, or checks an existing one: ours, a directory, owner-only, usable. */
function prepareDirectory(dir: string): void {
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw dirError(dir, 'cannot be examined', error);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (POSIX) chmodSync(dir, 0o700); // the umask may have taken bits away; make it exact
      syncDirectory(dirname(dir));
    } catch (mkdirError) {
      throw dirError(dir, 'cannot be created', mkdirError);
    }
    return;
  }
  if (!stat.isDirectory()) throw new StorageError('data-dir', `${dir} exists and is not a directory`);
  if (POSIX && (stat.mode & 0o077) !== 0 && isEmpty(dir) && stat.uid === process.getuid?.()) {
    // An empty directory made for us (mkdir, a file manager): tighten it before anything goes in.
    chmodSync(dir, 0o700);
    stat = statSync(dir);
  }
  assertOwnerOnly(stat, dir, 'the data directory', 'chmod 700');
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw dirError(dir, 'is not readable and writable', error);
  }
}

/** Creates parley.db empty and 0600 (SQLite would use 0644; its -wal/-shm copy the db's mode). */
function prepareDatabaseFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
    if (POSIX) chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw dirError(path, 'cannot be created', error);
  }
  const stat = lstatSync(path);
  if (!stat.isFile()) throw new StorageError('data-dir', `${path} is not a regular file`);
  assertOwnerOnly(stat, path, 'the database', 'chmod 600');
}

function isEmpty(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

function dirError(path: string, what: string, cause: unknown): StorageError {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  return new StorageError('data-dir', `${path} ${what}${code ? ` (${code})` : ''}`, { cause });
}
