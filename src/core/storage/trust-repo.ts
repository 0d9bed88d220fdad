/**
 * Trust warnings awaiting the user's decision (PROTOCOL.md section 6): a new identity that raised
 * key-changed or name-collision, the older contact it may replace, and whether sending is held.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { WarningCode } from '../../shared/errors.ts';
import { assertFingerprint } from './validate.ts';

/** An open warning on a contact. */
export type TrustMark = { readonly code: WarningCode; readonly replaces: string; readonly blocking: boolean };

/** The trust-warnings repository of an open store. */
export type TrustRepo = {
  /** The open warning on this contact, or null. */
  get(fingerprint: string): TrustMark | null;
  /**
   * Records a warning on a contact. An open one is replaced only by a stronger one (blocking over
   * non-blocking): marks only get stronger until the user decides (clear).
   */
  set(fingerprint: string, mark: TrustMark): void;
  /** The user decided (verified or accepted the key): the warning is closed. */
  clear(fingerprint: string): void;
};

/** Builds the repository over an open, migrated database. */
export function createTrustRepo(db: DatabaseSync, now: () => number): TrustRepo {
  const select = db.prepare('SELECT code, replaces, blocking FROM trust_warnings WHERE fingerprint = ?');
  // Why the WHERE (issue 11): overwriting unconditionally let a later non-blocking key-changed
  // replace an open, blocking name-collision, and the impostor became sendable with no user action.
  // An equally strong mark does not replace the open one either: the first stays until decided.
  const upsert = db.prepare(
    `INSERT INTO trust_warnings (fingerprint, code, replaces, blocking, raised_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (fingerprint) DO UPDATE SET code = excluded.code, replaces = excluded.replaces,
       blocking = excluded.blocking, raised_at = excluded.raised_at
     WHERE excluded.blocking > trust_warnings.blocking`,
  );
  const remove = db.prepare('DELETE FROM trust_warnings WHERE fingerprint = ?');
  return {
    get(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      const row = select.get(fingerprint);
      if (!row) return null;
      return { code: row['code'] as WarningCode, replaces: String(row['replaces']), blocking: row['blocking'] === 1 };
    },
    set(fingerprint, mark) {
      assertFingerprint('fingerprint', fingerprint);
      assertFingerprint('mark.replaces', mark.replaces);
      if (mark.code !== 'key-changed' && mark.code !== 'name-collision') throw new RangeError('mark.code must be key-changed or name-collision');
      if (typeof mark.blocking !== 'boolean') throw new TypeError('mark.blocking must be a boolean');
      upsert.run(fingerprint, mark.code, mark.replaces, mark.blocking ? 1 : 0, now());
    },
    clear(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      remove.run(fingerprint);
    },
  };
}
