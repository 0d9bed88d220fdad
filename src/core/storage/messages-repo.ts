/**
 * The message history. Pages are in chronological order (oldest first, ascending `seq`);
 * walk back with `before(peer, page[0].seq, n)` until it returns fewer than n. `seq` is local and
 * never reused, so a cursor stays valid while new messages arrive.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AesKey } from '../crypto/aes-gcm.ts';
import { relaxedWriter } from './database.ts';
import { MESSAGE_COLUMNS, rowToMessage, sealText, type StoredMessage } from './message-codec.ts';
import { assertFingerprint, assertMessageId, assertPositiveInteger, assertText, assertTimestamp } from './validate.ts';

/** Largest page `latest`/`before` return. */
export const MAX_PAGE = 1000;
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** A message received from a peer, already parsed from the wire (reply/react: the ids it refers to, if any). */
export type IncomingMessage = { readonly id: string; readonly ts: number; readonly text: string; readonly replyTo?: string | null; readonly reactTo?: string | null };

/** What an outgoing message refers to, if anything. */
export type MessageRefs = { readonly replyTo?: string | null; readonly reactTo?: string | null };

/** What insertIncoming did: a duplicate (same peer and id) is not stored again, but must be acked again. */
export type InsertIncomingResult = { readonly inserted: true; readonly message: StoredMessage } | { readonly inserted: false };

/** The messages repository of an open store. */
export type MessagesRepo = {
  /** Stores a received message durably (the commit is fsynced) before it returns; ack only after. */
  insertIncoming(peer: string, message: IncomingMessage): InsertIncomingResult;
  /**
   * Stores a new outgoing message as 'queued' with a random v4 id and our clock, before any send,
   * durably. With `{ durable: false }` the row only reaches the WAL (it survives a crash or kill),
   * for a caller that sends it at once and then makes it durable with markSent(…, { durable: true })
   * or durableBarrier(), before it tells anyone the message was stored (the fsync then overlaps
   * the message's trip to the peer).
   */
  insertOutgoing(peer: string, text: string, refs?: MessageRefs, options?: { readonly durable: boolean }): StoredMessage;
  /**
   * queued → sent; false if there is no such queued message. Not fsynced on its own (a power loss may
   * undo it: the message is then sent again), unless `durable`: then its commit is fsynced, which
   * makes every earlier write durable too (the WAL is append-only).
   */
  markSent(peer: string, id: string, options?: { readonly durable: boolean }): boolean;
  /** Makes every earlier write durable (a WAL checkpoint syncs the WAL first): for the rare send that did not go out after a non-durable insertOutgoing. */
  durableBarrier(): void;
  /** queued/sent → delivered; true only the first time (a repeated or unknown ack gives false). Not fsynced on its own, like markSent. */
  markDelivered(peer: string, id: string): boolean;
  /**
   * Outgoing messages without an ack (queued or sent), oldest first: what to resend. One page of at
   * most `limit` (default MAX_PAGE) with seq above `after` (default 0), so that a long outbox is
   * read and decrypted a page at a time from where the sender got to, never whole on every drain.
   */
  listUnacked(peer: string, page?: { readonly after: number; readonly limit: number }): StoredMessage[];
  /** The newest `n` messages with the peer, oldest first. */
  latest(peer: string, n: number): StoredMessage[];
  /** The `n` messages just older than `cursor` (a seq), oldest first. */
  before(peer: string, cursor: number, n: number): StoredMessage[];
  /** The `n` messages just newer than `cursor` (a seq), oldest first. */
  after(peer: string, cursor: number, n: number): StoredMessage[];
  /** The message with this id (either direction), or null. */
  byId(peer: string, id: string): StoredMessage | null;
  /** The newest message seq of the peer, or 0. */
  lastSeq(peer: string): number;
  /**
   * Search support: up to `n` messages of every peer with seq below `cursor`, newest first, each
   * decrypted. The caller bounds `n`: every row costs one AES-GCM open.
   */
  scanBefore(cursor: number, n: number): StoredMessage[];
  /** How many messages are stored with the peer. */
  count(peer: string): number;
};

/** The repository's SQL, exported so the tests can check each query plan (EXPLAIN QUERY PLAN). */
export const MESSAGE_SQL = {
  insert: `INSERT INTO messages (peer, id, direction, sent_ts, stored_at, delivered_at, state, text_box, reply_to, react_to)
    VALUES (:peer, :id, :direction, :ts, :storedAt, :deliveredAt, :state, :box, :replyTo, :reactTo)
    ON CONFLICT (peer, direction, id) DO NOTHING
    RETURNING ${MESSAGE_COLUMNS}`,
  markSent: `UPDATE messages SET state = 'sent' WHERE peer = ? AND direction = 'out' AND id = ? AND state = 'queued'`,
  markDelivered: `UPDATE messages SET state = 'delivered', delivered_at = ?
    WHERE peer = ? AND direction = 'out' AND id = ? AND state <> 'delivered'`,
  // Only unacked rows are visited: the WHERE repeats the partial index's condition term for term.
  listUnacked: `SELECT ${MESSAGE_COLUMNS} FROM messages INDEXED BY messages_unacked
    WHERE peer = ? AND direction = 'out' AND state <> 'delivered' AND seq > ? ORDER BY seq LIMIT ?`,
  // Newest first from the index, reversed in JS: one index range scan, no sort.
  latest: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE peer = ? ORDER BY seq DESC LIMIT ?`,
  before: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE peer = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
  after: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE peer = ? AND seq > ? ORDER BY seq LIMIT ?`,
  byId: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE peer = ? AND id = ? ORDER BY seq LIMIT 1`,
  lastSeq: 'SELECT max(seq) AS s FROM messages WHERE peer = ?',
  // The primary key walked backwards: no sort, one row per step.
  scanBefore: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
  count: 'SELECT count(*) AS n FROM messages WHERE peer = ?',
} as const;

/** Builds the repository over an open, migrated database and the unsealed storage key. */
export function createMessagesRepo(db: DatabaseSync, key: AesKey, now: () => number): MessagesRepo {
  const insert = db.prepare(MESSAGE_SQL.insert);
  const setSent = db.prepare(MESSAGE_SQL.markSent);
  const setDelivered = db.prepare(MESSAGE_SQL.markDelivered);
  const unacked = db.prepare(MESSAGE_SQL.listUnacked);
  const newest = db.prepare(MESSAGE_SQL.latest);
  const older = db.prepare(MESSAGE_SQL.before);
  const countAll = db.prepare(MESSAGE_SQL.count);
  const newer = db.prepare(MESSAGE_SQL.after);
  const oneById = db.prepare(MESSAGE_SQL.byId);
  const maxSeq = db.prepare(MESSAGE_SQL.lastSeq);
  const scan = db.prepare(MESSAGE_SQL.scanBefore);
  // Delivery states are not worth an fsync each (see relaxedWriter); the messages themselves are.
  const relaxed = relaxedWriter(db);
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

  const decode = (rows: Record<string, unknown>[]): StoredMessage[] => rows.map((row) => rowToMessage(key, row));

  return {
    insertIncoming(peer, message) {
      assertFingerprint('peer', peer);
      if (typeof message !== 'object' || message === null) throw new TypeError('message must be an object');
      const { id, ts, text } = message;
      assertMessageId('message.id', id);
      assertTimestamp('message.ts', ts);
      assertText('message.text', text);
      const refs = checkRefs(message);
      const storedAt = now();
      const row = run(insert, peer, {
        peer,
        id,
        direction: 'in',
        ts,
        storedAt,
        deliveredAt: storedAt,
        state: 'delivered',
        box: sealText(key, peer, 'in', id, ts, text),
        ...refs,
      });
      return row === undefined ? { inserted: false } : { inserted: true, message: rowToMessage(key, row, text) };
    },

    insertOutgoing(peer, text, refs = {}, options = { durable: true }) {
      assertFingerprint('peer', peer);
      assertText('text', text);
      const checked = checkRefs(refs);
      const id = randomUUID();
      const ts = now();
      const write = options.durable ? <T>(fn: () => T): T => fn() : relaxed;
      const row = write(() => run(insert, peer, {
        peer,
        id,
        direction: 'out',
        ts,
        storedAt: ts,
        deliveredAt: null,
        state: 'queued',
        box: sealText(key, peer, 'out', id, ts, text),
        ...checked,
      }));
      // A fresh random id cannot collide unless the random source is broken: refuse loudly.
      if (row === undefined) throw new Error('insertOutgoing: a random message id collided');
      return rowToMessage(key, row, text);
    },

    markSent(peer, id, options = { durable: false }) {
      assertFingerprint('peer', peer);
      assertMessageId('id', id);
      if (options.durable) return setSent.run(peer, id).changes === 1;
      return relaxed(() => setSent.run(peer, id).changes === 1);
    },

    durableBarrier() {
      checkpoint.get();
    },

    markDelivered(peer, id) {
      assertFingerprint('peer', peer);
      assertMessageId('id', id);
      return relaxed(() => setDelivered.run(now(), peer, id).changes === 1);
    },

    listUnacked(peer, page = { after: 0, limit: MAX_PAGE }) {
      assertFingerprint('peer', peer);
      if (page.after !== 0) assertPositiveInteger('page.after', page.after, MAX_SEQ);
      assertPositiveInteger('page.limit', page.limit, MAX_PAGE);
      return decode(unacked.all(peer, page.after, page.limit));
    },

    latest(peer, n) {
      assertFingerprint('peer', peer);
      assertPositiveInteger('n', n, MAX_PAGE);
      return decode(newest.all(peer, n)).reverse();
    },

    before(peer, cursor, n) {
      assertFingerprint('peer', peer);
      assertPositiveInteger('cursor', cursor, MAX_SEQ);
      assertPositiveInteger('n', n, MAX_PAGE);
      return decode(older.all(peer, cursor, n)).reverse();
    },

    after(peer, cursor, n) {
      assertFingerprint('peer', peer);
      if (cursor !== 0) assertPositiveInteger('cursor', cursor, MAX_SEQ);
      assertPositiveInteger('n', n, MAX_PAGE);
      return decode(newer.all(peer, cursor, n));
    },

    byId(peer, id) {
      assertFingerprint('peer', peer);
      assertMessageId('id', id);
      const row = oneById.get(peer, id);
      return row === undefined ? null : rowToMessage(key, row);
    },

    lastSeq(peer) {
      assertFingerprint('peer', peer);
      return Number(maxSeq.get(peer)?.['s'] ?? 0);
    },

    scanBefore(cursor, n) {
      assertPositiveInteger('cursor', cursor, MAX_SEQ);
      assertPositiveInteger('n', n, MAX_PAGE);
      return decode(scan.all(cursor, n));
    },

    count(peer) {
      assertFingerprint('peer', peer);
      return Number(countAll.get(peer)?.['n'] ?? 0);
    },
  };
}

/** The reply/react ids of a message, checked, as insert parameters. */
function checkRefs(refs: MessageRefs): { replyTo: string | null; reactTo: string | null } {
  const replyTo = refs.replyTo ?? null;
  const reactTo = refs.reactTo ?? null;
  if (replyTo !== null) assertMessageId('replyTo', replyTo);
  if (reactTo !== null) assertMessageId('reactTo', reactTo);
  return { replyTo, reactTo };
}

/** Runs the insert; an unknown peer (foreign key) is the caller's error, named as such. */
function run(insert: StatementSync, peer: string, params: Record<string, string | number | null | Uint8Array>) {
  try {
    return insert.get(params);
  } catch (error) {
    if ((error as { errcode?: unknown }).errcode === 787) {
      throw new RangeError(`peer ${peer} is not a known contact`, { cause: error });
    }
    throw error;
  }
}
