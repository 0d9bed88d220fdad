/**
 * Numbered schema migrations. The version lives in SQLite's `user_version`; each migration runs
 * in its own IMMEDIATE transaction with the version re-read inside it, so two processes opening
 * the same directory at once cannot run one twice. Migrations only ever add: a database written
 * by a newer Parley (a version above ours) is refused, never rewritten.
 */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './database.ts';
import { StorageError } from './storage-error.ts';

/** One step of the schema. */
export type Migration = { readonly version: number; readonly description: string; readonly sql: string };

/** Every migration in order; append, never edit a published one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'identity and settings',
    sql: `
      -- One row: our static key pair; the private key and the storage key sealed together.
      CREATE TABLE identity (
        singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
        public_key     BLOB    NOT NULL CHECK (length(public_key) = 33),
        fingerprint    TEXT    NOT NULL CHECK (length(fingerprint) = 64),
        sealer_kind    TEXT    NOT NULL,
        sealed_secrets BLOB    NOT NULL,
        created_at     INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'contacts and trust',
    sql: `
      -- A changed key is another fingerprint, hence another row: trust never carries over.
      CREATE TABLE contacts (
        fingerprint     TEXT    PRIMARY KEY CHECK (length(fingerprint) = 64),
        public_key      BLOB    NOT NULL CHECK (length(public_key) = 33),
        name            TEXT    NOT NULL,
        verified_method TEXT    CHECK (verified_method IN ('safety-number', 'fingerprint', 'invite')),
        verified_at     INTEGER,
        last_address    TEXT,
        first_seen      INTEGER NOT NULL,
        last_seen       INTEGER NOT NULL,
        CHECK ((verified_method IS NULL) = (verified_at IS NULL))
      ) STRICT;
      CREATE INDEX contacts_by_address ON contacts (last_address) WHERE last_address IS NOT NULL;
      CREATE INDEX contacts_by_name ON contacts (name);
    `,
  },
  {
    version: 3,
    description: 'messages, and a read marker per contact',
    sql: `
      -- seq is the local, never-reused order (AUTOINCREMENT) and the paging cursor.
      -- text_box = iv || AES-256-GCM(text) || tag, bound to (peer, direction, id, sent_ts).
      -- Incoming messages are 'delivered' from the start (stored is what the ack promises).
      CREATE TABLE messages (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        peer         TEXT    NOT NULL REFERENCES contacts (fingerprint),
        id           TEXT    NOT NULL CHECK (length(id) = 36),
        direction    TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
        sent_ts      INTEGER NOT NULL,
        stored_at    INTEGER NOT NULL,
        delivered_at INTEGER,
        state        TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'delivered')),
        text_box     BLOB    NOT NULL,
        CHECK (direction = 'out' OR state = 'delivered')
      ) STRICT;
      CREATE UNIQUE INDEX messages_by_id ON messages (peer, direction, id);
      CREATE INDEX messages_by_peer ON messages (peer, seq);
      CREATE INDEX messages_unread ON messages (peer, seq) WHERE direction = 'in';
      CREATE INDEX messages_unacked ON messages (peer, seq) WHERE direction = 'out' AND state <> 'delivered';
      -- Unread = incoming messages with seq above this marker.
      ALTER TABLE contacts ADD COLUMN last_read_seq INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 4,
    description: 'trust warnings awaiting a decision',
    sql: `
      -- One row per new identity that raised key-changed or name-collision (PROTOCOL.md section 6),
      -- until the user verifies or accepts it. blocking = sending is held meanwhile.
      CREATE TABLE trust_warnings (
        fingerprint TEXT    PRIMARY KEY REFERENCES contacts (fingerprint),
        code        TEXT    NOT NULL CHECK (code IN ('key-changed', 'name-collision')),
        replaces    TEXT    NOT NULL CHECK (length(replaces) = 64),
        blocking    INTEGER NOT NULL CHECK (blocking IN (0, 1)),
        raised_at   INTEGER NOT NULL
      ) STRICT;
      -- Early builds kept these as one JSON value in settings: carry well-formed entries over.
      INSERT INTO trust_warnings (fingerprint, code, replaces, blocking, raised_at)
        SELECT j.key, json_extract(j.value, '$.code'), json_extract(j.value, '$.replaces'),
               CASE WHEN json_extract(j.value, '$.blocking') THEN 1 ELSE 0 END, 0
        FROM settings s, json_each(s.value) j
        WHERE s.key = 'trust.warnings' AND json_valid(s.value)
          AND j.key IN (SELECT fingerprint FROM contacts)
          AND json_extract(j.value, '$.code') IN ('key-changed', 'name-collision')
          AND length(json_extract(j.value, '$.replaces')) = 64;
      DELETE FROM settings WHERE key = 'trust.warnings';
    `,
  },
  {
    version: 5,
    description: 'display-name keys for name-collision',
    sql: `
      -- displayNameKey(name) (src/shared/text.ts): the name as a person sees it, so that "Alice",
      -- "ALICE " and "Al<zero-width space>ice" collide. SQL cannot compute it: the contacts
      -- repository fills it on every write, and fills rows from before this version when it opens.
      ALTER TABLE contacts ADD COLUMN name_key TEXT;
      CREATE INDEX contacts_by_name_key ON contacts (name_key);
    `,
  },
  {
    version: 6,
    description: 'reach: contacts\' HyperDHT keys and our own DHT key pair',
    sql: `
      -- A contact's HyperDHT public key from its last hello or reach message (PROTOCOL.md section 8):
      -- a locator for reconnecting, never a trust anchor. NULL: the contact is not reachable that way.
      ALTER TABLE contacts ADD COLUMN dht_key TEXT CHECK (dht_key IS NULL OR (length(dht_key) = 64 AND dht_key NOT GLOB '*[^0-9a-f]*'));
      -- Our own DHT key pair, as its 32-byte seed sealed with the storage key (itself sealed like the
      -- identity), so it has the identity's protection without a second unseal at start.
      CREATE TABLE dht_identity (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        seed_box BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    description: 'file offers as messages, and transfers',
    sql: `
      -- A file offer (PROTOCOL.md section 9) is a message of the conversation: stored, acked,
      -- resent and paged like a text. Its row has kind 'file' and the offered name sealed in
      -- text_box exactly like a text (same key, same associated data); the rest is in transfers.
      ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'file'));
      -- One row per offer, either way. bytes = held (in) or sent and accepted (out). paths_box seals
      -- the local paths (they hold the name): iv || AES-256-GCM(JSON) || tag, bound to the row.
      -- source_size/source_mtime_us: the outgoing file as offered, checked before every resume.
      -- final_owed: a final message (file-cancel or file-done) not yet handed to a connection.
      CREATE TABLE transfers (
        peer            TEXT    NOT NULL,
        direction       TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
        id              TEXT    NOT NULL CHECK (length(id) = 36),
        size            INTEGER NOT NULL CHECK (size BETWEEN 0 AND 9007199254740991),
        sha256          TEXT    NOT NULL CHECK (length(sha256) = 64),
        state           TEXT    NOT NULL CHECK (state IN ('offered', 'accepted', 'transferring', 'done', 'declined', 'cancelled', 'failed')),
        reason          TEXT,
        ended_by        TEXT    CHECK (ended_by IN ('local', 'peer')),
        bytes           INTEGER NOT NULL DEFAULT 0 CHECK (bytes BETWEEN 0 AND size),
        paths_box       BLOB,
        source_size     INTEGER,
        source_mtime_us INTEGER,
        final_owed      TEXT    CHECK (final_owed IN ('file-cancel', 'file-done')),
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (peer, direction, id),
        FOREIGN KEY (peer, direction, id) REFERENCES messages (peer, direction, id),
        CHECK ((state IN ('declined', 'cancelled', 'failed')) = (reason IS NOT NULL)),
        CHECK (direction = 'in' OR (source_size IS NOT NULL AND source_mtime_us IS NOT NULL))
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX transfers_unfinished ON transfers (peer) WHERE state IN ('offered', 'accepted', 'transferring');
      CREATE INDEX transfers_owed ON transfers (peer) WHERE final_owed IS NOT NULL;
      CREATE INDEX transfers_by_id ON transfers (id);
    `,
  },
  {
    version: 8,
    description: 'everyday use: requests and blocking, nicknames, one thread per person, invite tokens, replies and reactions',
    sql: `
      -- status: 'accepted' (a contact), 'request' (a new identity that did not come through one of
      -- our invites: its messages are held), 'blocked' (refused at the handshake). Existing rows
      -- were contacts before requests existed: they stay contacts.
      ALTER TABLE contacts ADD COLUMN status TEXT NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'request', 'blocked'));
      -- A local nickname (never sent), and its displayNameKey for name-collision (what a person sees).
      ALTER TABLE contacts ADD COLUMN nickname TEXT;
      ALTER TABLE contacts ADD COLUMN nickname_key TEXT;
      CREATE INDEX contacts_by_nickname_key ON contacts (nickname_key) WHERE nickname_key IS NOT NULL;
      -- One thread per person: a key the user replaced (accepted or verified its successor after
      -- key-changed) is archived on the current key's row. Its row stays (its messages reference it
      -- and their sealed text is bound to its fingerprint), with its own verification, but it is no
      -- longer listed. NULL: this row is a thread of its own.
      ALTER TABLE contacts ADD COLUMN thread TEXT REFERENCES contacts (fingerprint);
      CREATE INDEX contacts_by_thread ON contacts (thread) WHERE thread IS NOT NULL;
      -- The key history: one row per archived key; after_seq places the inline event in the timeline.
      CREATE TABLE key_changes (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        old_key     TEXT    NOT NULL REFERENCES contacts (fingerprint),
        new_key     TEXT    NOT NULL REFERENCES contacts (fingerprint),
        detected_at INTEGER NOT NULL,
        merged_at   INTEGER NOT NULL,
        after_seq   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX key_changes_by_new ON key_changes (new_key);
      CREATE INDEX key_changes_by_old ON key_changes (old_key);
      -- Invite tokens (docs/PROTOCOL.md section 10.1): bearer secrets, so they are looked up by their
      -- SHA-256. One-time tokens are deleted when used; reusable ones count their uses. The hosting
      -- token (the invite on the host screen, shown again after a restart) is also kept sealed with
      -- the storage key in token_box, like message text; the others are never stored in clear or sealed.
      CREATE TABLE invite_tokens (
        token_hash   BLOB    PRIMARY KEY CHECK (length(token_hash) = 32),
        token_box    BLOB,
        reusable     INTEGER NOT NULL CHECK (reusable IN (0, 1)),
        purpose      TEXT    NOT NULL CHECK (purpose IN ('invite', 'hosting')),
        created_at   INTEGER NOT NULL,
        uses         INTEGER NOT NULL DEFAULT 0,
        last_used_at INTEGER,
        CHECK ((purpose = 'hosting') = (token_box IS NOT NULL))
      ) STRICT, WITHOUT ROWID;
      -- Reply and react (PROTOCOL.md, extension "replies and reactions"): the id of the message
      -- this one answers or reacts to. Metadata, like the ids themselves: not sealed.
      ALTER TABLE messages ADD COLUMN reply_to TEXT CHECK (reply_to IS NULL OR length(reply_to) = 36);
      ALTER TABLE messages ADD COLUMN react_to TEXT CHECK (react_to IS NULL OR length(react_to) = 36);
    `,
  },
  {
    version: 9,
    description: 'a reaction is not unread: the unread index leaves reactions out',
    sql: `
      -- The contact list counts unread messages over this partial index (covering: no row is read).
      -- A received reaction is drawn under its message, never as one: it must not count (issue 12).
      -- react_to is always NULL in it, but SQLite counts the index as covering only when it holds
      -- every column the query names, and the query must name react_to to match the index's WHERE.
      DROP INDEX messages_unread;
      CREATE INDEX messages_unread ON messages (peer, seq, react_to) WHERE direction = 'in' AND react_to IS NULL;
    `,
  },
];

/** The version this code writes and expects. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The database's schema version (0 for a new file). */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get();
  return Number(row?.['user_version'] ?? 0);
}

/** Throws `schema-too-new` if the file was written by a newer Parley. */
export function assertSchemaNotNewer(db: DatabaseSync): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    const where = db.location() ?? 'the database';
    throw new StorageError('schema-too-new', `${where} has schema version ${version}; this Parley knows up to ${SCHEMA_VERSION}: update Parley`);
  }
}

/** Brings the schema up to `target` (default: the latest), one transaction per migration. */
export function migrate(db: DatabaseSync, target: number = SCHEMA_VERSION): void {
  if (!Number.isInteger(target) || target < 0 || target > SCHEMA_VERSION) {
    throw new RangeError(`target must be an integer from 0 to ${SCHEMA_VERSION}`);
  }
  assertSchemaNotNewer(db);
  for (const migration of MIGRATIONS) {
    if (migration.version > target) break;
    inTransaction(db, () => {
      const current = schemaVersion(db);
      if (current >= migration.version) return;
      if (current !== migration.version - 1) throw new StorageError('corrupt', `schema version ${current} has no migration path`);
      db.exec(migration.sql);
      // user_version is in the database header, so it commits (or rolls back) with the migration.
      db.exec(`PRAGMA user_version = ${migration.version}`);
    });
  }
}
