/**
 * Contacts and trust on first use (PROTOCOL.md section 6). A contact is keyed by its fingerprint,
 * so a changed key is a separate, unverified contact: trust and queued messages never move to it.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AesKey } from '../crypto/aes-gcm.ts';
import { fingerprintHex } from '../crypto/fingerprint.ts';
import { InvalidPointError } from '../crypto/p256.ts';
import type { VerificationMethod } from '../../shared/dto.ts';
import { displayNameKey, NAME_KEY_FOLD } from '../../shared/text.ts';
import { inTransaction, relaxedWriter } from './database.ts';
import { rowToMessage, type StoredMessage } from './message-codec.ts';
import {
  assertAddress,
  assertFingerprint,
  assertName,
  assertPositiveInteger,
  assertPublicKey,
  assertVerificationMethod,
} from './validate.ts';

/** A stored contact. */
export type Contact = {
  readonly fingerprint: string;
  /** The 33-byte compressed static public key. */
  readonly publicKey: Uint8Array;
  /** The display name it presented last. */
  readonly name: string;
  readonly verified: boolean;
  readonly verifiedMethod: VerificationMethod | null;
  readonly verifiedAt: number | null;
  /** The `host:port` we last joined it at; null if it only ever joined us. */
  readonly lastAddress: string | null;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Incoming messages with a seq above this are unread. */
  readonly lastReadSeq: number;
  /** A contact, a message request (messages held), or blocked (refused at the handshake). */
  readonly status: ContactStatus;
  /** The user's local name for it (never sent), or null. */
  readonly nickname: string | null;
  /** Set when this key was replaced: the fingerprint of the current key of the same person (one thread). */
  readonly thread: string | null;
};

/** See Contact.status. */
export type ContactStatus = 'accepted' | 'request' | 'blocked';

/** A contact with what a contact list shows; `unread` counts up to UNREAD_CAP. */
export type ContactSummary = Contact & { readonly unread: number; readonly lastMessage: StoredMessage | null };

/** What a connection tells us about the peer. */
export type SeenPeer = {
  readonly publicKey: Uint8Array;
  readonly name: string;
  /** Only when we joined it: the address we dialled. Left unchanged when absent. */
  readonly address?: string;
  /** The status a new contact gets (default 'accepted'); an existing one keeps its own. */
  readonly status?: 'accepted' | 'request';
};

/** The contacts repository of an open store. */
export type ContactsRepo = {
  /** The contact with this fingerprint, or null. */
  get(fingerprint: string): Contact | null;
  /** Records a connection: creates the contact (unverified) or updates name, address and last seen (not fsynced on its own). */
  upsertSeen(peer: SeenPeer): { readonly contact: Contact; readonly created: boolean };
  /** Every contact with its unread count and last message, most recent activity first. */
  list(): ContactSummary[];
  /** One contact as list() gives it, or null: for a contact-changed event without listing them all. */
  summary(fingerprint: string): ContactSummary | null;
  /** Contacts last joined at exactly this `host:port`, most recently seen first (for key-changed). */
  findByAddress(address: string): Contact[];
  /** Contacts whose stored name equals `name` exactly, most recently seen first. */
  findByName(name: string): Contact[];
  /** Current contacts whose name or nickname looks like `name` (same displayNameKey, non-empty), most recently seen first (for name-collision). */
  findByNameKey(name: string): Contact[];
  /** Marks the contact verified by `method` now; false if there is no such contact. */
  verify(fingerprint: string, method: VerificationMethod): boolean;
  /** Clears the verification; false if there is no such contact. */
  unverify(fingerprint: string): boolean;
  /** Moves the read marker up to `upToSeq` (default: its newest message); it never moves back. */
  markRead(fingerprint: string, upToSeq?: number): boolean;
};

const CONTACT_COLUMNS =
  'c.fingerprint, c.public_key, c.name, c.verified_method, c.verified_at, c.last_address, c.first_seen, c.last_seen, c.last_read_seq, c.status, c.nickname, c.thread';
const BY_RECENCY = 'ORDER BY c.last_seen DESC, c.fingerprint';

/**
 * Unread counts stop here (the contact list shows 999+). Counting is a walk over the index
 * entries above the read marker, and a summary is built for every received message: uncapped,
 * 500,000 unread messages made each one cost ~80 ms.
 */
export const UNREAD_CAP = 1000;

// Per contact, two index range scans: (peer, seq) for the last message, and the partial
// 'in' index above the read marker for the unread count (at most UNREAD_CAP entries; reactions are
// not unread, and the index leaves them out). INDEXED BY
// because with statistics the planner preferred (peer, seq) there, which reads every row above the marker.
const SUMMARY_SELECT = `SELECT ${CONTACT_COLUMNS},
      (SELECT count(*) FROM (SELECT 1 FROM messages u INDEXED BY messages_unread
        WHERE u.peer = c.fingerprint AND u.direction = 'in' AND u.react_to IS NULL AND u.seq > c.last_read_seq LIMIT ${UNREAD_CAP})) AS unread,
      m.seq, m.peer, m.id, m.direction, m.sent_ts, m.stored_at, m.delivered_at, m.state, m.kind, m.text_box, m.reply_to, m.react_to
    FROM contacts c
    LEFT JOIN messages m ON m.seq = (SELECT max(seq) FROM messages l WHERE l.peer = c.fingerprint)`;

/** The repository's SQL, exported so the tests can check each query plan (EXPLAIN QUERY PLAN). */
export const CONTACT_SQL = {
  get: `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.fingerprint = ?`,
  insert: `INSERT INTO contacts (fingerprint, public_key, name, name_key, last_address, first_seen, last_seen, status)
    VALUES (:fingerprint, :publicKey, :name, :nameKey, :address, :at, :at, :status)
    ON CONFLICT (fingerprint) DO NOTHING`,
  update: `UPDATE contacts SET name = :name, name_key = :nameKey, last_address = coalesce(:address, last_address), last_seen = max(last_seen, :at)
    WHERE fingerprint = :fingerprint`,
  // Archived keys (thread set) are left out: their thread's current key stands for the person.
  findByAddress: `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.last_address = ? AND c.thread IS NULL ${BY_RECENCY}`,
  findByName: `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.name = ? ${BY_RECENCY}`,
  findByNameKey: `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.name_key = ? AND c.thread IS NULL ${BY_RECENCY}`,
  // A nickname is what the user sees for that contact: a newcomer presenting it collides too.
  findByNicknameKey: `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.nickname_key = ? AND c.thread IS NULL ${BY_RECENCY}`,
  // Rows written before migration 5 (or by hand): their key is filled when the repository opens.
  unkeyed: 'SELECT fingerprint, name FROM contacts WHERE name_key IS NULL',
  // Every row, when the keys on disk were computed by another fold (NAME_KEY_FOLD).
  allNames: 'SELECT fingerprint, name, nickname FROM contacts',
  setNicknameKey: 'UPDATE contacts SET nickname_key = ? WHERE fingerprint = ?',
  setKey: 'UPDATE contacts SET name_key = ? WHERE fingerprint = ?',
  foldOnDisk: "SELECT value FROM settings WHERE key = 'contacts.name-key-fold'",
  setFold: `INSERT INTO settings (key, value) VALUES ('contacts.name-key-fold', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  verify: 'UPDATE contacts SET verified_method = ?, verified_at = ? WHERE fingerprint = ?',
  unverify: 'UPDATE contacts SET verified_method = NULL, verified_at = NULL WHERE fingerprint = ?',
  markReadUpTo: 'UPDATE contacts SET last_read_seq = max(last_read_seq, ?) WHERE fingerprint = ?',
  markReadAll: `UPDATE contacts SET last_read_seq = max(last_read_seq, coalesce((SELECT max(seq) FROM messages WHERE peer = ?1), 0))
    WHERE fingerprint = ?1`,
  list: `${SUMMARY_SELECT}
    WHERE c.thread IS NULL
    ORDER BY max(c.last_seen, coalesce(m.stored_at, 0)) DESC, c.fingerprint`,
  // The same row for one contact (the service emits contact-changed per message: listing every
  // contact there made each event O(contacts), and 1,000 joins O(n²)).
  summary: `${SUMMARY_SELECT}
    WHERE c.fingerprint = ?`,
} as const;

/** Builds the repository over an open, migrated database and the storage key (for previews). */
export function createContactsRepo(db: DatabaseSync, key: AesKey, now: () => number): ContactsRepo {
  const byFingerprint = db.prepare(CONTACT_SQL.get);
  const insert = db.prepare(CONTACT_SQL.insert);
  const update = db.prepare(CONTACT_SQL.update);
  const byAddress = db.prepare(CONTACT_SQL.findByAddress);
  const byName = db.prepare(CONTACT_SQL.findByName);
  const byNameKey = db.prepare(CONTACT_SQL.findByNameKey);
  const byNicknameKey = db.prepare(CONTACT_SQL.findByNicknameKey);
  const setKey = db.prepare(CONTACT_SQL.setKey);
  refreshNameKeys(db, setKey);
  const setVerified = db.prepare(CONTACT_SQL.verify);
  const clearVerified = db.prepare(CONTACT_SQL.unverify);
  const setRead = db.prepare(CONTACT_SQL.markReadUpTo);
  const setReadAll = db.prepare(CONTACT_SQL.markReadAll);
  const summaries = db.prepare(CONTACT_SQL.list);
  const relaxed = relaxedWriter(db);
  const oneSummary = db.prepare(CONTACT_SQL.summary);
  const toSummary = (row: Record<string, unknown>): ContactSummary => ({
    ...rowToContact(row),
    unread: Number(row['unread']),
    lastMessage: row['seq'] === null ? null : rowToMessage(key, row),
  });

  const get = (fingerprint: string): Contact | null => {
    const row = byFingerprint.get(fingerprint);
    return row === undefined ? null : rowToContact(row);
  };

  return {
    get(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      return get(fingerprint);
    },

    upsertSeen(peer) {
      if (typeof peer !== 'object' || peer === null) throw new TypeError('peer must be an object');
      const { publicKey, name, address, status = 'accepted' } = peer;
      if (status !== 'accepted' && status !== 'request') throw new RangeError('peer.status must be accepted or request');
      assertPublicKey('peer.publicKey', publicKey);
      assertName('peer.name', name);
      if (address !== undefined) assertAddress('peer.address', address);
      let fingerprint: string;
      try {
        fingerprint = fingerprintHex(publicKey);
      } catch (error) {
        if (error instanceof InvalidPointError) throw new RangeError('peer.publicKey must be a P-256 point', { cause: error });
        throw error;
      }
      const at = now();
      const nameKey = displayNameKey(name);
      const params = { fingerprint, publicKey, name, nameKey, address: address ?? null, at, status };
      // Not fsynced on its own (it runs for every connection: 1,000 joins were 1,000 fsyncs on the
      // event loop). What must outlive a power loss comes after it in the WAL and is fsynced: a
      // verification, a received message; committing those makes this row durable too. A row lost
      // before any of them is an unverified contact that nothing was exchanged with yet.
      const created = relaxed(() => {
        if (insert.run(params).changes === 1) return true;
        update.run({ fingerprint, name, nameKey, address: address ?? null, at });
        return false;
      });
      const contact = get(fingerprint);
      if (contact === null) throw new Error('upsertSeen: the contact vanished');
      return { contact, created };
    },

    list() {
      return summaries.all().map(toSummary);
    },

    summary(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      const row = oneSummary.get(fingerprint);
      return row === undefined ? null : toSummary(row);
    },

    findByAddress(address) {
      assertAddress('address', address);
      return byAddress.all(address).map(rowToContact);
    },

    findByName(name) {
      assertName('name', name);
      return byName.all(name).map(rowToContact);
    },

    findByNameKey(name) {
      assertName('name', name);
      const key = displayNameKey(name);
      if (key === '') return [];
      const found = byNameKey.all(key).map(rowToContact);
      for (const c of byNicknameKey.all(key).map(rowToContact)) if (!found.some((f) => f.fingerprint === c.fingerprint)) found.push(c);
      return found;
    },

    verify(fingerprint, method) {
      assertFingerprint('fingerprint', fingerprint);
      assertVerificationMethod('method', method);
      return setVerified.run(method, now(), fingerprint).changes === 1;
    },

    unverify(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      return clearVerified.run(fingerprint).changes === 1;
    },

    markRead(fingerprint, upToSeq) {
      assertFingerprint('fingerprint', fingerprint);
      if (upToSeq === undefined) return setReadAll.run(fingerprint).changes === 1;
      assertPositiveInteger('upToSeq', upToSeq, Number.MAX_SAFE_INTEGER);
      return setRead.run(upToSeq, fingerprint).changes === 1;
    },
  };
}

/**
 * Fills the keys of rows from before migration 5, or recomputes every key when they were computed
 * by another fold than this build's (issue 11: a key from the older fold would hide a look-alike
 * of that contact). The fold is recorded in settings, not in the schema version, so that a later
 * change of the fold needs no migration. One transaction (one fsync), only when there is work.
 */
function refreshNameKeys(db: DatabaseSync, setKey: StatementSync): void {
  const stale = db.prepare(CONTACT_SQL.foldOnDisk).get()?.['value'] !== String(NAME_KEY_FOLD);
  const rows = db.prepare(stale ? CONTACT_SQL.allNames : CONTACT_SQL.unkeyed).all();
  if (!stale && rows.length === 0) return;
  const setNicknameKey = db.prepare(CONTACT_SQL.setNicknameKey);
  inTransaction(db, () => {
    for (const row of rows) {
      setKey.run(displayNameKey(String(row['name'])), String(row['fingerprint']));
      // Nicknames are always set with their key (contact-admin-repo); a new fold recomputes them too.
      if (typeof row['nickname'] === 'string') setNicknameKey.run(displayNameKey(row['nickname']), String(row['fingerprint']));
    }
    db.prepare(CONTACT_SQL.setFold).run(String(NAME_KEY_FOLD));
  });
}

function rowToContact(row: Record<string, unknown>): Contact {
  const method = row['verified_method'] as VerificationMethod | null;
  return {
    fingerprint: String(row['fingerprint']),
    publicKey: new Uint8Array(row['public_key'] as Uint8Array),
    name: String(row['name']),
    verified: method !== null,
    verifiedMethod: method,
    verifiedAt: row['verified_at'] === null ? null : Number(row['verified_at']),
    lastAddress: row['last_address'] === null ? null : String(row['last_address']),
    firstSeen: Number(row['first_seen']),
    lastSeen: Number(row['last_seen']),
    lastReadSeq: Number(row['last_read_seq']),
    status: row['status'] === 'request' || row['status'] === 'blocked' ? row['status'] : 'accepted',
    nickname: typeof row['nickname'] === 'string' ? row['nickname'] : null,
    thread: typeof row['thread'] === 'string' ? row['thread'] : null,
  };
}
