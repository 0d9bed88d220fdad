/**
 * Bulk history for P6 and P7: rows exactly as the store writes them (the product's sealText under
 * the store's own storage key, the same columns, ids and order as received messages), written by a
 * second connection in big transactions. No product path writes history in bulk, and a million
 * fsynced commits would take many minutes; what is measured afterwards goes through the product.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { DB_FILE_NAME } from '../../src/core/storage/database.ts';
import { loadIdentity } from '../../src/core/storage/identity-store.ts';
import { sealText } from '../../src/core/storage/message-codec.ts';

const WORDS = 'the a to and of I you it is that in we for this on my be are have not with so but at can do was me what just like will'.split(' ');

/** A chat line of 10–150 characters from common words (deterministic per seed). */
export function chatLine(seed: number): string {
  let x = (seed * 2654435761) >>> 0;
  const next = (): number => (x = (x * 1103515245 + 12345) >>> 0);
  const target = 10 + (next() % 141);
  let s = '';
  while (s.length < target) s += (s ? ' ' : '') + (WORDS[next() % WORDS.length] as string);
  return s.slice(0, target);
}

/** Bytes of parley.db and its -wal/-shm in `dir`. */
export function storeBytes(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.startsWith(DB_FILE_NAME))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Checkpoints the WAL into the database file (the store must be closed). */
export function checkpoint(dir: string): void {
  const db = new DatabaseSync(join(dir, DB_FILE_NAME));
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * Appends messages `from`…`to - 1` with `peer` (a known contact) to the closed key-file store in
 * `dir`: alternately received and sent, one second apart, all delivered, ending now.
 */
export function fillConversation(dir: string, peer: string, from: number, to: number): void {
  const db = new DatabaseSync(join(dir, DB_FILE_NAME), { enableForeignKeyConstraints: true });
  try {
    // A page cache that holds the indexes: their keys are random (ids), so with the default 2 MB
    // every insert would miss. synchronous=OFF: a benchmark fixture need not survive a power loss.
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -524288');
    const unsealed = loadIdentity(db, createKeyFileSealer(dir));
    if (!unsealed) throw new Error(`no identity in ${dir}`);
    const key = unsealed.storageKey;
    const insert = db.prepare(
      `INSERT INTO messages (peer, id, direction, sent_ts, stored_at, delivered_at, state, text_box)
       VALUES (?, ?, ?, ?, ?, ?, 'delivered', ?)`,
    );
    const base = Date.now() - (to - from) * 1000;
    for (let i = from; i < to; ) {
      db.exec('BEGIN');
      for (const end = Math.min(to, i + 20_000); i < end; i++) {
        const direction = i % 2 === 0 ? 'in' : 'out';
        const id = randomUUID();
        const ts = base + (i - from) * 1000;
        insert.run(peer, id, direction, ts, ts + 50, ts + 100, sealText(key, peer, direction, id, ts, chatLine(i)));
      }
      db.exec('COMMIT');
    }
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
