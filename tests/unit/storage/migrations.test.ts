import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyFileSealer } from '../../../src/core/identity/key-file-sealer.ts';
import { openDataDir } from '../../../src/core/storage/data-dir.ts';
import { DB_FILE_NAME, openDatabase } from '../../../src/core/storage/database.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION, schemaVersion } from '../../../src/core/storage/migrations.ts';
import { StorageError } from '../../../src/core/storage/storage-error.ts';
import { cleanupTempDirs, tempDir } from './helpers.ts';

afterEach(cleanupTempDirs);

function freshDb(): DatabaseSync {
  return openDatabase(join(tempDir(), 'm.db'));
}

function tables(db: DatabaseSync): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((r) => String(r['name']));
}

function indexes(db: DatabaseSync, table: string): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name")
    .all(table)
    .map((r) => String(r['name']));
}

function columns(db: DatabaseSync, table: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of db.prepare('SELECT name, type, "notnull" AS nn FROM pragma_table_info(?)').all(table)) {
    out[String(r['name'])] = `${String(r['type'])}${r['nn'] ? ' NOT NULL' : ''}`;
  }
  return out;
}

const FP_A = 'a'.repeat(64);
const KEY33 = new Uint8Array(33).fill(2);

describe('migrations', () => {
  it('are numbered 1..N without gaps, and SCHEMA_VERSION is the last', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(9);
  });

  it('a fresh database is version 0 with no tables', () => {
    const db = freshDb();
    expect(schemaVersion(db)).toBe(0);
    expect(tables(db)).toEqual([]);
    db.close();
  });

  it('v1 creates identity (one row at most) and settings', () => {
    const db = freshDb();
    migrate(db, 1);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['identity', 'settings']);
    expect(columns(db, 'identity')).toEqual({
      singleton: 'INTEGER',
      public_key: 'BLOB NOT NULL',
      fingerprint: 'TEXT NOT NULL',
      sealer_kind: 'TEXT NOT NULL',
      sealed_secrets: 'BLOB NOT NULL',
      created_at: 'INTEGER NOT NULL',
    });
    expect(columns(db, 'settings')).toEqual({ key: 'TEXT NOT NULL', value: 'TEXT NOT NULL' });
    const insert = db.prepare('INSERT INTO identity VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(1, KEY33, FP_A, 'key-file', new Uint8Array(8), 1);
    expect(() => insert.run(2, KEY33, FP_A, 'key-file', new Uint8Array(8), 1)).toThrow(/CHECK/);
    // STRICT: a wrong type is refused, not coerced.
    expect(() => db.prepare("INSERT INTO settings VALUES ('k', ?)").run(new Uint8Array(1))).toThrow();
    db.close();
  });

  it('v2 adds contacts with trust columns, keeping v1 data', () => {
    const db = freshDb();
    migrate(db, 1);
    db.prepare("INSERT INTO settings VALUES ('display-name', 'Ann')").run();
    migrate(db, 2);
    expect(schemaVersion(db)).toBe(2);
    expect(tables(db)).toEqual(['contacts', 'identity', 'settings']);
    expect(columns(db, 'contacts')).toEqual({
      fingerprint: 'TEXT NOT NULL', // STRICT tables refuse NULL keys
      public_key: 'BLOB NOT NULL',
      name: 'TEXT NOT NULL',
      verified_method: 'TEXT',
      verified_at: 'INTEGER',
      last_address: 'TEXT',
      first_seen: 'INTEGER NOT NULL',
      last_seen: 'INTEGER NOT NULL',
    });
    expect(indexes(db, 'contacts')).toEqual(['contacts_by_address', 'contacts_by_name']);
    expect(db.prepare('SELECT value FROM settings').get()?.['value']).toBe('Ann');
    const insert = db.prepare('INSERT INTO contacts VALUES (?, ?, ?, ?, ?, NULL, 1, 1)');
    expect(() => insert.run(FP_A, KEY33, 'x', 'telepathy', 5)).toThrow(/CHECK/);
    expect(() => insert.run(FP_A, KEY33, 'x', 'invite', null)).toThrow(/CHECK/); // a method needs a time
    insert.run(FP_A, KEY33, 'x', 'invite', 5);
    db.close();
  });

  it('v3 adds messages with their indexes and a read marker on existing contacts', () => {
    const db = freshDb();
    migrate(db, 2);
    db.prepare("INSERT INTO contacts VALUES (?, ?, 'Bob', 'fingerprint', 7, '10.0.0.1:47800', 1, 2)").run(FP_A, KEY33);
    migrate(db, 3);
    expect(schemaVersion(db)).toBe(3);
    expect(tables(db)).toEqual(['contacts', 'identity', 'messages', 'settings']);
    expect(columns(db, 'messages')).toEqual({
      seq: 'INTEGER',
      peer: 'TEXT NOT NULL',
      id: 'TEXT NOT NULL',
      direction: 'TEXT NOT NULL',
      sent_ts: 'INTEGER NOT NULL',
      stored_at: 'INTEGER NOT NULL',
      delivered_at: 'INTEGER',
      state: 'TEXT NOT NULL',
      text_box: 'BLOB NOT NULL',
    });
    expect(indexes(db, 'messages')).toEqual(['messages_by_id', 'messages_by_peer', 'messages_unacked', 'messages_unread']);
    // The existing contact kept everything and starts with nothing read.
    const contact = db.prepare('SELECT * FROM contacts').get();
    expect({ ...contact }).toMatchObject({ name: 'Bob', verified_method: 'fingerprint', verified_at: 7, last_address: '10.0.0.1:47800', last_read_seq: 0 });
    // Messages need a known contact, and an incoming message cannot be 'queued'.
    const insert = db.prepare("INSERT INTO messages (peer, id, direction, sent_ts, stored_at, state, text_box) VALUES (?, ?, ?, 1, 1, ?, x'00')");
    const id = '00000000-0000-4000-8000-000000000000';
    expect(() => insert.run('b'.repeat(64), id, 'in', 'delivered')).toThrow(/FOREIGN KEY/);
    expect(() => insert.run(FP_A, id, 'in', 'queued')).toThrow(/CHECK/);
    insert.run(FP_A, id, 'out', 'queued');
    expect(() => insert.run(FP_A, id, 'out', 'sent')).toThrow(/UNIQUE/);
    insert.run(FP_A, id, 'in', 'delivered'); // same id the other way is another message
    db.close();
  });

  it('v4 adds trust_warnings and carries the early JSON settings value over, dropping malformed entries', () => {
    const db = freshDb();
    migrate(db, 3);
    db.prepare("INSERT INTO contacts (fingerprint, public_key, name, first_seen, last_seen) VALUES (?, ?, 'Bob', 1, 2)").run(FP_A, KEY33);
    const early = {
      [FP_A]: { code: 'key-changed', replaces: 'c'.repeat(64), blocking: true },
      ['d'.repeat(64)]: { code: 'name-collision', replaces: 'c'.repeat(64), blocking: true }, // no such contact
      ['e'.repeat(64)]: { code: 'telepathy', replaces: 'c'.repeat(64), blocking: false },
    };
    db.prepare("INSERT INTO settings VALUES ('trust.warnings', ?)").run(JSON.stringify(early));
    migrate(db, 4);
    expect(schemaVersion(db)).toBe(4);
    expect(tables(db)).toEqual(['contacts', 'identity', 'messages', 'settings', 'trust_warnings']);
    expect(columns(db, 'trust_warnings')).toEqual({
      fingerprint: 'TEXT NOT NULL',
      code: 'TEXT NOT NULL',
      replaces: 'TEXT NOT NULL',
      blocking: 'INTEGER NOT NULL',
      raised_at: 'INTEGER NOT NULL',
    });
    expect(db.prepare('SELECT fingerprint, code, replaces, blocking FROM trust_warnings').all().map((r) => ({ ...r }))).toEqual([
      { fingerprint: FP_A, code: 'key-changed', replaces: 'c'.repeat(64), blocking: 1 },
    ]);
    expect(db.prepare("SELECT count(*) AS n FROM settings WHERE key = 'trust.warnings'").get()?.['n']).toBe(0);
    const insert = db.prepare('INSERT INTO trust_warnings VALUES (?, ?, ?, ?, 1)');
    expect(() => insert.run('b'.repeat(64), 'key-changed', 'c'.repeat(64), 1)).toThrow(/FOREIGN KEY/);
    db.prepare('DELETE FROM trust_warnings').run();
    expect(() => insert.run(FP_A, 'whatever', 'c'.repeat(64), 1)).toThrow(/CHECK/);
    expect(() => insert.run(FP_A, 'key-changed', 'short', 1)).toThrow(/CHECK/);
    expect(() => insert.run(FP_A, 'key-changed', 'c'.repeat(64), 2)).toThrow(/CHECK/);
    db.close();
  });

  it('v5 adds a name_key column (NULL on existing rows until the repository fills it) and its index', () => {
    const db = freshDb();
    migrate(db, 4);
    db.prepare("INSERT INTO contacts (fingerprint, public_key, name, first_seen, last_seen) VALUES (?, ?, 'Bob', 1, 2)").run(FP_A, KEY33);
    migrate(db, 5);
    expect(schemaVersion(db)).toBe(5);
    expect(columns(db, 'contacts')['name_key']).toBe('TEXT');
    expect(indexes(db, 'contacts')).toContain('contacts_by_name_key');
    expect({ ...db.prepare('SELECT name, name_key FROM contacts').get() }).toEqual({ name: 'Bob', name_key: null });
    db.close();
  });

  it('v8 keeps v7 data as it was: contacts stay contacts, one thread each, messages keep their text box, no reply/react', () => {
    const db = freshDb();
    migrate(db, 7);
    const FP_B = 'b'.repeat(64);
    const id = '00000000-0000-4000-8000-000000000001';
    db.prepare("INSERT INTO contacts (fingerprint, public_key, name, name_key, verified_method, verified_at, first_seen, last_seen) VALUES (?, ?, 'Bob', 'bob', 'invite', 5, 1, 2)").run(FP_A, KEY33);
    db.prepare("INSERT INTO contacts (fingerprint, public_key, name, name_key, first_seen, last_seen) VALUES (?, ?, 'Bob', 'bob', 3, 4)").run(FP_B, KEY33);
    db.prepare("INSERT INTO trust_warnings (fingerprint, code, replaces, blocking, raised_at) VALUES (?, 'key-changed', ?, 1, 4)").run(FP_B, FP_A);
    db.prepare("INSERT INTO messages (peer, id, direction, sent_ts, stored_at, state, text_box) VALUES (?, ?, 'out', 1, 1, 'queued', x'0102')").run(FP_A, id);
    db.prepare("INSERT INTO transfers (peer, direction, id, size, sha256, state, source_size, source_mtime_us, created_at, updated_at) VALUES (?, 'out', ?, 1, ?, 'offered', 1, 1, 1, 1)").run(FP_A, id, 'c'.repeat(64));
    migrate(db, 8);
    expect(schemaVersion(db)).toBe(8);
    expect(db.prepare('SELECT fingerprint, status, nickname, nickname_key, thread, verified_method FROM contacts ORDER BY fingerprint').all().map((r) => ({ ...r }))).toEqual([
      { fingerprint: FP_A, status: 'accepted', nickname: null, nickname_key: null, thread: null, verified_method: 'invite' },
      { fingerprint: FP_B, status: 'accepted', nickname: null, nickname_key: null, thread: null, verified_method: null },
    ]);
    expect({ ...db.prepare('SELECT id, state, text_box, reply_to, react_to FROM messages').get() }).toEqual({ id, state: 'queued', text_box: new Uint8Array([1, 2]), reply_to: null, react_to: null });
    expect(db.prepare('SELECT count(*) AS n FROM transfers').get()?.['n']).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM trust_warnings').get()?.['n']).toBe(1);
    expect(tables(db)).toEqual(expect.arrayContaining(['invite_tokens', 'key_changes']));
    expect(indexes(db, 'contacts')).toEqual(expect.arrayContaining(['contacts_by_nickname_key', 'contacts_by_thread']));
    // The new checks hold: no unknown status, no malformed reply id, a thread must be a contact.
    expect(() => db.prepare("UPDATE contacts SET status = 'friend'").run()).toThrow();
    expect(() => db.prepare("UPDATE messages SET reply_to = 'x'").run()).toThrow();
    expect(() => db.prepare('UPDATE contacts SET thread = ? WHERE fingerprint = ?').run('d'.repeat(64), FP_A)).toThrow();
    // Only the hosting token is kept sealed; every other token is a hash alone.
    const insertToken = db.prepare("INSERT INTO invite_tokens (token_hash, token_box, reusable, purpose, created_at) VALUES (randomblob(32), ?, 1, ?, 0)");
    expect(() => insertToken.run(null, 'hosting')).toThrow();
    expect(() => insertToken.run(new Uint8Array(44), 'invite')).toThrow();
    insertToken.run(null, 'invite');
    db.close();
  });

  it('v9 keeps messages and leaves reactions out of the unread index (issue 12: a reaction is not unread)', () => {
    const db = freshDb();
    migrate(db, 8);
    const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    db.prepare("INSERT INTO contacts (fingerprint, public_key, name, name_key, first_seen, last_seen) VALUES (?, ?, 'Bob', 'bob', 1, 1)").run(FP_A, KEY33);
    const insert = db.prepare("INSERT INTO messages (peer, id, direction, sent_ts, stored_at, state, text_box, react_to) VALUES (?, ?, 'in', 1, 1, 'delivered', x'0102', ?)");
    insert.run(FP_A, id(1), null);
    insert.run(FP_A, id(2), id(1));
    migrate(db, 9);
    expect(schemaVersion(db)).toBe(9);
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()?.['n']).toBe(2);
    const unread = db.prepare("SELECT count(*) AS n FROM messages INDEXED BY messages_unread WHERE peer = ? AND direction = 'in' AND react_to IS NULL AND seq > 0");
    expect(unread.get(FP_A)?.['n']).toBe(1);
    const sql = String(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'messages_unread'").get()?.['sql']);
    expect(sql).toContain('react_to IS NULL');
    db.close();
  });

  it('v7 adds a message kind (existing rows are text) and transfers bound to their offer message', () => {
    const db = freshDb();
    migrate(db, 6);
    db.prepare("INSERT INTO contacts (fingerprint, public_key, name, first_seen, last_seen) VALUES (?, ?, 'Bob', 1, 2)").run(FP_A, KEY33);
    const id = '00000000-0000-4000-8000-000000000000';
    db.prepare("INSERT INTO messages (peer, id, direction, sent_ts, stored_at, state, text_box) VALUES (?, ?, 'in', 1, 1, 'delivered', x'00')").run(FP_A, id);
    migrate(db, 7);
    expect(schemaVersion(db)).toBe(7);
    expect(columns(db, 'messages')['kind']).toBe('TEXT NOT NULL');
    expect(db.prepare('SELECT kind FROM messages').get()?.['kind']).toBe('text');
    expect(tables(db)).toContain('transfers');
    expect(columns(db, 'transfers')).toEqual({
      peer: 'TEXT NOT NULL',
      direction: 'TEXT NOT NULL',
      id: 'TEXT NOT NULL',
      size: 'INTEGER NOT NULL',
      sha256: 'TEXT NOT NULL',
      state: 'TEXT NOT NULL',
      reason: 'TEXT',
      ended_by: 'TEXT',
      bytes: 'INTEGER NOT NULL',
      paths_box: 'BLOB',
      source_size: 'INTEGER',
      source_mtime_us: 'INTEGER',
      final_owed: 'TEXT',
      created_at: 'INTEGER NOT NULL',
      updated_at: 'INTEGER NOT NULL',
    });
    expect(indexes(db, 'transfers')).toEqual(['transfers_by_id', 'transfers_owed', 'transfers_unfinished']);
    expect(() => db.prepare("UPDATE messages SET kind = 'sticker'").run()).toThrow(/CHECK/);
    const sha = 'c'.repeat(64);
    const insert = db.prepare(
      'INSERT INTO transfers (peer, direction, id, size, sha256, state, reason, bytes, source_size, source_mtime_us, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 1, 1)',
    );
    const other = '00000000-0000-4000-8000-000000000001';
    expect(() => insert.run(FP_A, 'in', other, 5, sha, 'offered', null, 0)).toThrow(/FOREIGN KEY/); // no offer message
    expect(() => insert.run(FP_A, 'in', id, 5, sha, 'offered', null, 6)).toThrow(/CHECK/); // more held than the size
    expect(() => insert.run(FP_A, 'in', id, 5, sha, 'cancelled', null, 0)).toThrow(/CHECK/); // a final state needs a reason
    expect(() => insert.run(FP_A, 'in', id, 5, sha, 'offered', 'corrupt', 0)).toThrow(/CHECK/);
    expect(() => insert.run(FP_A, 'in', id, 2 ** 53, sha, 'offered', null, 0)).toThrow(/CHECK/);
    expect(() => insert.run(FP_A, 'out', id, 5, sha, 'offered', null, 0)).toThrow(); // outgoing needs the source's size and mtime (and a message)
    insert.run(FP_A, 'in', id, 5, sha, 'failed', 'corrupt', 0);
    db.close();
  });

  it('running migrate again is a no-op, and a target beyond the code is refused', () => {
    const db = freshDb();
    migrate(db);
    const before = db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all();
    migrate(db);
    expect(db.prepare('SELECT sql FROM sqlite_schema ORDER BY name').all()).toEqual(before);
    expect(() => migrate(db, SCHEMA_VERSION + 1)).toThrow(RangeError);
    db.close();
  });

  it('a failing migration rolls back whole: version and tables stay as they were', () => {
    const db = freshDb();
    migrate(db, 2);
    // Sabotage: a table named like the one v3 creates makes v3 fail half-way.
    db.exec('CREATE TABLE messages (x)');
    expect(() => migrate(db)).toThrow(/already exists/);
    expect(schemaVersion(db)).toBe(2);
    expect(columns(db, 'contacts')).not.toHaveProperty('last_read_seq');
    db.close();
  });

  it('a database from a newer Parley is refused and left byte for byte as it was', () => {
    const dir = join(tempDir(), 'data');
    const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
    store.close();
    const raw = new DatabaseSync(join(dir, DB_FILE_NAME));
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const bytes = readFileSync(join(dir, DB_FILE_NAME));
    let error: unknown;
    try {
      openDataDir(dir, { sealer: createKeyFileSealer(dir) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('schema-too-new');
    expect(readFileSync(join(dir, DB_FILE_NAME)).equals(bytes)).toBe(true);
  });
});
