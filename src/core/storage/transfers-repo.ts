/**
 * File transfers (PROTOCOL.md section 9), one row per offer and direction, next to the offer's
 * message row (kind 'file'), which holds the offered name sealed like a text. The local paths
 * are sealed too (they contain the name), bound to their row:
 *   AD = "parley/transfer/1" || peer (32 bytes) || 'i' | 'o' || id (36 ASCII bytes)
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AesKey } from '../crypto/aes-gcm.ts';
import { concatBytes, fromHex, utf8 } from '../crypto/bytes.ts';
import { isFileSize, isSha256Hex, isWireFileName } from '../protocol/file-messages.ts';
import type { DeliveryState, Direction } from '../../shared/dto.ts';
import { openBox, sealBox } from './aead-box.ts';
import { inTransaction, relaxedWriter } from './database.ts';
import { rowToMessage, sealText } from './message-codec.ts';
import { StorageError } from './storage-error.ts';
import { assertFingerprint, assertMessageId, assertTimestamp } from './validate.ts';

export type TransferState = 'offered' | 'accepted' | 'transferring' | 'done' | 'declined' | 'cancelled' | 'failed';
/** A final message owed to the peer, sent on the next connection. */
export type OwedFinal = 'file-cancel' | 'file-done';
/** Local paths: the source (outgoing); the folder, part and final file (incoming). */
export type TransferPaths = { readonly source?: string; readonly dir?: string; readonly part?: string; readonly final?: string };

export type Transfer = {
  readonly peer: string;
  readonly direction: Direction;
  readonly id: string;
  /** The offer's message seq (history order). */
  readonly seq: number;
  /** The offer message's delivery state (an outgoing offer is acked like a text). */
  readonly delivery: DeliveryState;
  readonly ts: number;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly state: TransferState;
  /** For declined, cancelled and failed: the wire reason or a local one (e.g. `file-error`). */
  readonly reason: string | null;
  readonly endedBy: 'local' | 'peer' | null;
  /** Held (incoming) or sent from the accepted offset (outgoing). */
  readonly bytes: number;
  readonly paths: TransferPaths;
  readonly sourceSize: number | null;
  readonly sourceMtimeUs: number | null;
  readonly finalOwed: OwedFinal | null;
  readonly createdAt: number;
  readonly updatedAt: number;
};

export type NewOutgoing = {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly sourcePath: string;
  readonly sourceMtimeUs: number;
};
export type IncomingOffer = { readonly id: string; readonly ts: number; readonly name: string; readonly size: number; readonly sha256: string };
export type TransferPatch = {
  readonly state?: TransferState;
  readonly reason?: string | null;
  readonly endedBy?: 'local' | 'peer' | null;
  readonly bytes?: number;
  readonly paths?: TransferPaths;
  readonly finalOwed?: OwedFinal | null;
};

export type TransfersRepo = {
  /** Stores a new outgoing offer (message 'queued' + transfer 'offered') with a random id, durably. */
  createOutgoing(peer: string, offer: NewOutgoing): Transfer;
  /** Stores a received offer durably; a repeated id is not stored again (ack it again). */
  insertIncoming(peer: string, offer: IncomingOffer): { inserted: boolean; transfer: Transfer };
  get(peer: string, direction: Direction, id: string): Transfer | null;
  /** Every transfer with this id (both directions, any peer): what a user command names. */
  listById(id: string): Transfer[];
  /** Offered, accepted or transferring, with the peer, oldest first. */
  listUnfinished(peer: string): Transfer[];
  /** Outgoing offers not finished yet, with every peer: their sources must stay readable. */
  listSending(): Transfer[];
  /** Transfers whose final message the peer has not been handed yet. */
  listOwed(peer: string): Transfer[];
  /** Changes state, reason, paths…; durable (a state change must survive a power loss). */
  update(peer: string, direction: Direction, id: string, patch: TransferPatch): Transfer;
  /** Records progress without an fsync of its own (a rollback only makes a resume start earlier). */
  setBytes(peer: string, direction: Direction, id: string, bytes: number): void;
};

const COLUMNS = `t.peer, t.direction, t.id, t.size, t.sha256, t.state, t.reason, t.ended_by, t.bytes, t.paths_box,
  t.source_size, t.source_mtime_us, t.final_owed, t.created_at, t.updated_at,
  m.seq, m.sent_ts, m.stored_at, m.delivered_at, m.state AS m_state, m.kind, m.text_box`;
const FROM = 'FROM transfers t JOIN messages m ON m.peer = t.peer AND m.direction = t.direction AND m.id = t.id';

/** The repository's SQL, exported for query-plan tests. */
export const TRANSFER_SQL = {
  insertMessage: `INSERT INTO messages (peer, id, direction, sent_ts, stored_at, delivered_at, state, kind, text_box)
    VALUES (:peer, :id, :direction, :ts, :at, :deliveredAt, :state, 'file', :box)
    ON CONFLICT (peer, direction, id) DO NOTHING RETURNING seq`,
  insert: `INSERT INTO transfers (peer, direction, id, size, sha256, state, paths_box, source_size, source_mtime_us, created_at, updated_at)
    VALUES (:peer, :direction, :id, :size, :sha256, 'offered', :paths, :sourceSize, :sourceMtime, :at, :at)`,
  get: `SELECT ${COLUMNS} ${FROM} WHERE t.peer = ? AND t.direction = ? AND t.id = ?`,
  byId: `SELECT ${COLUMNS} ${FROM} WHERE t.id = ? ORDER BY m.seq`,
  unfinished: `SELECT ${COLUMNS} ${FROM} WHERE t.peer = ? AND t.state IN ('offered', 'accepted', 'transferring') ORDER BY m.seq`,
  sending: `SELECT ${COLUMNS} ${FROM} WHERE t.direction = 'out' AND t.state IN ('offered', 'accepted', 'transferring')`,
  owed: `SELECT ${COLUMNS} ${FROM} WHERE t.peer = ? AND t.final_owed IS NOT NULL ORDER BY m.seq`,
  update: `UPDATE transfers SET state = :state, reason = :reason, ended_by = :endedBy, bytes = :bytes, paths_box = :paths,
    final_owed = :finalOwed, updated_at = :at WHERE peer = :peer AND direction = :direction AND id = :id`,
  setBytes: 'UPDATE transfers SET bytes = ?, updated_at = ? WHERE peer = ? AND direction = ? AND id = ?',
} as const;

const DOMAIN = utf8('parley/transfer/1');

function pathsAd(peer: string, direction: Direction, id: string): Uint8Array {
  return concatBytes(DOMAIN, fromHex(peer), utf8(direction === 'in' ? 'i' : 'o'), utf8(id));
}

/** Builds the repository over an open, migrated database and the unsealed storage key. */
export function createTransfersRepo(db: DatabaseSync, key: AesKey, now: () => number): TransfersRepo {
  const insertMessage = db.prepare(TRANSFER_SQL.insertMessage);
  const insert = db.prepare(TRANSFER_SQL.insert);
  const getOne = db.prepare(TRANSFER_SQL.get);
  const byId = db.prepare(TRANSFER_SQL.byId);
  const unfinished = db.prepare(TRANSFER_SQL.unfinished);
  const sending = db.prepare(TRANSFER_SQL.sending);
  const owed = db.prepare(TRANSFER_SQL.owed);
  const updateRow = db.prepare(TRANSFER_SQL.update);
  const setBytesRow = db.prepare(TRANSFER_SQL.setBytes);
  const relaxed = relaxedWriter(db);

  const seal = (peer: string, direction: Direction, id: string, paths: TransferPaths) =>
    sealBox(key, pathsAd(peer, direction, id), utf8(JSON.stringify(paths)));

  const decode = (row: Record<string, unknown>): Transfer => {
    const peer = String(row['peer']);
    const direction: Direction = row['direction'] === 'in' ? 'in' : 'out';
    const id = String(row['id']);
    const message = rowToMessage(key, { ...row, state: row['m_state'] });
    let paths: TransferPaths = {};
    const box = row['paths_box'];
    if (box instanceof Uint8Array) {
      const plain = openBox(key, pathsAd(peer, direction, id), box);
      if (plain === null) throw new StorageError('corrupt', `transfer ${id} does not decrypt: it was altered or moved`);
      paths = JSON.parse(new TextDecoder().decode(plain)) as TransferPaths;
    }
    const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));
    return {
      peer,
      direction,
      id,
      seq: message.seq,
      delivery: message.state,
      ts: message.ts,
      name: message.text,
      size: Number(row['size']),
      sha256: String(row['sha256']),
      state: row['state'] as TransferState,
      reason: row['reason'] === null ? null : String(row['reason']),
      endedBy: row['ended_by'] === null ? null : (row['ended_by'] as 'local' | 'peer'),
      bytes: Number(row['bytes']),
      paths,
      sourceSize: num(row['source_size']),
      sourceMtimeUs: num(row['source_mtime_us']),
      finalOwed: row['final_owed'] === null ? null : (row['final_owed'] as OwedFinal),
      createdAt: Number(row['created_at']),
      updatedAt: Number(row['updated_at']),
    };
  };
  const getRow = (peer: string, direction: Direction, id: string): Transfer | null => {
    const row = getOne.get(peer, direction, id);
    return row === undefined ? null : decode(row);
  };

  return {
    createOutgoing(peer, offer) {
      assertFingerprint('peer', peer);
      assertOffer(offer);
      if (typeof offer.sourcePath !== 'string' || offer.sourcePath === '') throw new TypeError('offer.sourcePath must be a path');
      if (!Number.isSafeInteger(offer.sourceMtimeUs)) throw new RangeError('offer.sourceMtimeUs must be an integer');
      const id = randomUUID();
      const ts = now();
      inTransaction(db, () => {
        const box = sealText(key, peer, 'out', id, ts, offer.name);
        const row = run(insertMessage, peer, { peer, id, direction: 'out', ts, at: ts, deliveredAt: null, state: 'queued', box });
        if (row === undefined) throw new Error('createOutgoing: a random id collided');
        insert.run({
          peer,
          direction: 'out',
          id,
          size: offer.size,
          sha256: offer.sha256,
          paths: seal(peer, 'out', id, { source: offer.sourcePath }),
          sourceSize: offer.size,
          sourceMtime: offer.sourceMtimeUs,
          at: ts,
        });
      });
      return getRow(peer, 'out', id) as Transfer;
    },

    insertIncoming(peer, offer) {
      assertFingerprint('peer', peer);
      assertMessageId('offer.id', offer.id);
      assertTimestamp('offer.ts', offer.ts);
      assertOffer(offer);
      const at = now();
      const inserted = inTransaction(db, () => {
        const box = sealText(key, peer, 'in', offer.id, offer.ts, offer.name);
        const row = run(insertMessage, peer, { peer, id: offer.id, direction: 'in', ts: offer.ts, at, deliveredAt: at, state: 'delivered', box });
        if (row === undefined) return false;
        insert.run({ peer, direction: 'in', id: offer.id, size: offer.size, sha256: offer.sha256, paths: null, sourceSize: null, sourceMtime: null, at });
        return true;
      });
      const transfer = getRow(peer, 'in', offer.id);
      // The id was stored earlier as a text message: a peer reusing an id gets the first meaning only.
      if (transfer === null) throw new RangeError(`offer ${offer.id} reuses the id of a text message`);
      return { inserted, transfer };
    },

    get(peer, direction, id) {
      assertFingerprint('peer', peer);
      assertMessageId('id', id);
      return getRow(peer, direction === 'in' ? 'in' : 'out', id);
    },

    listById(id) {
      assertMessageId('id', id);
      return byId.all(id).map(decode);
    },

    listUnfinished(peer) {
      assertFingerprint('peer', peer);
      return unfinished.all(peer).map(decode);
    },

    listSending() {
      return sending.all().map(decode);
    },

    listOwed(peer) {
      assertFingerprint('peer', peer);
      return owed.all(peer).map(decode);
    },

    update(peer, direction, id, patch) {
      const current = getRow(peer, direction, id);
      if (current === null) throw new RangeError(`no transfer ${id} (${direction}) with ${peer}`);
      const next = { ...current, ...patch };
      const final = next.state === 'declined' || next.state === 'cancelled' || next.state === 'failed';
      updateRow.run({
        peer,
        direction,
        id,
        state: next.state,
        reason: final ? (next.reason ?? 'cancelled') : null,
        endedBy: next.endedBy,
        bytes: next.bytes,
        paths: Object.keys(next.paths).length === 0 ? null : seal(peer, direction, id, next.paths),
        finalOwed: next.finalOwed,
        at: now(),
      });
      return getRow(peer, direction, id) as Transfer;
    },

    setBytes(peer, direction, id, bytes) {
      if (!isFileSize(bytes)) throw new RangeError('bytes must be an integer from 0 to 2^53 - 1');
      relaxed(() => setBytesRow.run(bytes, now(), peer, direction, id));
    },
  };
}

function assertOffer(offer: { name: unknown; size: unknown; sha256: unknown }): void {
  if (typeof offer !== 'object' || offer === null) throw new TypeError('offer must be an object');
  if (!isWireFileName(offer.name)) throw new RangeError('offer.name must be 1 to 255 code points without control characters, / or \\');
  if (!isFileSize(offer.size)) throw new RangeError('offer.size must be an integer from 0 to 2^53 - 1');
  if (!isSha256Hex(offer.sha256)) throw new RangeError('offer.sha256 must be 64 lowercase hex digits');
}

function run(statement: StatementSync, peer: string, params: Record<string, string | number | null | Uint8Array>) {
  try {
    return statement.get(params);
  } catch (error) {
    if ((error as { errcode?: unknown }).errcode === 787) throw new RangeError(`peer ${peer} is not a known contact`, { cause: error });
    throw error;
  }
}
