/**
 * What the user decides about people (issue 12): a contact's status (accepted, request, blocked),
 * its local nickname, deleting it with its history, and one thread per person — a key replaced
 * after key-changed is archived on the current key (contacts.thread) with its own verification
 * kept, and a key_changes row places the inline "key changed" event in the timeline.
 *
 * Why archive by pointer and not by moving rows: a message's sealed text is bound to its peer's
 * fingerprint (message-codec.ts), so moving messages to the new key would mean re-sealing the
 * whole history. The thread is read as the union of its keys' pages instead (threadKeys).
 */
import type { DatabaseSync } from 'node:sqlite';
import { displayNameKey } from '../../shared/text.ts';
import type { ContactStatus } from './contacts-repo.ts';
import { inTransaction } from './database.ts';
import { assertFingerprint, assertName } from './validate.ts';

/** One archived key of a thread, with its own verification as it was. */
export type KeyChange = {
  readonly oldKey: string;
  readonly newKey: string;
  /** The name the old key presented last. */
  readonly oldName: string;
  readonly oldVerifiedMethod: string | null;
  readonly oldVerifiedAt: number | null;
  /** When the new key was first seen, and when the user accepted or verified it. */
  readonly detectedAt: number;
  readonly mergedAt: number;
  /** The thread's newest message seq when the change was accepted: the event goes after it. */
  readonly afterSeq: number;
};

/** The people repository of an open store. */
export type PeopleRepo = {
  /** Sets the status; false if there is no such contact. */
  setStatus(fingerprint: string, status: ContactStatus): boolean;
  /** Sets (or with null clears) the local nickname; false if there is no such contact. */
  setNickname(fingerprint: string, nickname: string | null): boolean;
  /** Deletes the contact, its archived keys, their messages, transfers, warnings and key history. */
  remove(fingerprint: string): boolean;
  /** The current key and every key archived on it, current first. */
  threadKeys(fingerprint: string): string[];
  /**
   * Archives `oldKey` (and the keys archived on it) on `newKey`: one thread from now on. The
   * nickname moves to the new key when it has none. False (nothing done) if either is unknown,
   * they are the same, or `oldKey` is archived already.
   */
  merge(oldKey: string, newKey: string): boolean;
  /** Takes an archived key out of its thread (it came back on its own); false if it was not archived. */
  unarchive(fingerprint: string): boolean;
  /** The thread's key changes, oldest first. */
  keyChanges(fingerprint: string): KeyChange[];
};

/** Builds the repository over an open, migrated database. */
export function createPeopleRepo(db: DatabaseSync, now: () => number): PeopleRepo {
  const setStatus = db.prepare('UPDATE contacts SET status = ? WHERE fingerprint = ?');
  const setNickname = db.prepare('UPDATE contacts SET nickname = ?, nickname_key = ? WHERE fingerprint = ?');
  const archived = db.prepare('SELECT fingerprint FROM contacts WHERE thread = ? ORDER BY first_seen');
  const row = db.prepare('SELECT fingerprint, thread, nickname, first_seen FROM contacts WHERE fingerprint = ?');
  const rethread = db.prepare('UPDATE contacts SET thread = ?1 WHERE fingerprint = ?2 OR thread = ?2');
  const moveNickname = db.prepare('UPDATE contacts SET nickname = ?, nickname_key = ? WHERE fingerprint = ? AND nickname IS NULL');
  const dropNickname = db.prepare('UPDATE contacts SET nickname = NULL, nickname_key = NULL WHERE fingerprint = ?');
  const lastSeq = db.prepare('SELECT coalesce(max(seq), 0) AS s FROM messages WHERE peer = ?');
  const readAll = db.prepare('UPDATE contacts SET last_read_seq = max(last_read_seq, ?) WHERE fingerprint = ?');
  const insertChange = db.prepare('INSERT INTO key_changes (old_key, new_key, detected_at, merged_at, after_seq) VALUES (?, ?, ?, ?, ?)');
  const unthread = db.prepare('UPDATE contacts SET thread = NULL WHERE fingerprint = ? AND thread IS NOT NULL');
  const changes = db.prepare(
    `SELECT k.id, k.old_key, k.new_key, k.detected_at, k.merged_at, k.after_seq, o.name, o.verified_method, o.verified_at
     FROM key_changes k JOIN contacts o ON o.fingerprint = k.old_key WHERE k.new_key = ? ORDER BY k.id`,
  );
  const deletes = [
    'DELETE FROM transfers WHERE peer = ?1',
    'DELETE FROM messages WHERE peer = ?1',
    'DELETE FROM trust_warnings WHERE fingerprint = ?1',
    'DELETE FROM key_changes WHERE old_key = ?1 OR new_key = ?1',
    'DELETE FROM contacts WHERE fingerprint = ?1',
  ].map((sql) => db.prepare(sql));

  const keysOf = (fingerprint: string): string[] => [fingerprint, ...archived.all(fingerprint).map((r) => String(r['fingerprint']))];
  const threadSeq = (keys: readonly string[]): number => Math.max(0, ...keys.map((k) => Number(lastSeq.get(k)?.['s'] ?? 0)));

  return {
    setStatus(fingerprint, status) {
      assertFingerprint('fingerprint', fingerprint);
      if (status !== 'accepted' && status !== 'request' && status !== 'blocked') throw new RangeError('status must be accepted, request or blocked');
      return setStatus.run(status, fingerprint).changes === 1;
    },

    setNickname(fingerprint, nickname) {
      assertFingerprint('fingerprint', fingerprint);
      if (nickname !== null) assertName('nickname', nickname);
      const name = nickname === null || nickname.trim() === '' ? null : nickname;
      return setNickname.run(name, name === null ? null : displayNameKey(name), fingerprint).changes === 1;
    },

    remove(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      if (row.get(fingerprint) === undefined) return false;
      inTransaction(db, () => {
        // Archived keys first: their rows point at the current one.
        const keys = keysOf(fingerprint).reverse();
        for (const key of keys) for (const del of deletes) del.run(key);
      });
      return true;
    },

    threadKeys(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      return keysOf(fingerprint);
    },

    merge(oldKey, newKey) {
      assertFingerprint('oldKey', oldKey);
      assertFingerprint('newKey', newKey);
      const older = row.get(oldKey);
      const newer = row.get(newKey);
      if (oldKey === newKey || older === undefined || newer === undefined || older['thread'] !== null || newer['thread'] !== null) return false;
      inTransaction(db, () => {
        const oldKeys = keysOf(oldKey);
        const afterSeq = threadSeq(oldKeys);
        rethread.run(newKey, oldKey);
        // What was unread on the old key was seen by now or is shown in the one thread: no stale badge.
        for (const key of oldKeys) readAll.run(threadSeq([key]), key);
        insertChange.run(oldKey, newKey, Number(newer['first_seen']), now(), afterSeq);
        const nickname = older['nickname'];
        if (typeof nickname === 'string') {
          moveNickname.run(nickname, displayNameKey(nickname), newKey);
          dropNickname.run(oldKey); // an archived row must not keep a name others collide with
        }
      });
      return true;
    },

    unarchive(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      return unthread.run(fingerprint).changes === 1;
    },

    keyChanges(fingerprint) {
      assertFingerprint('fingerprint', fingerprint);
      const out: (KeyChange & { id: number })[] = [];
      // The changes onto the current key, and onto each key archived on it (a chain A → B → C).
      for (const key of keysOf(fingerprint)) {
        for (const r of changes.all(key)) {
          out.push({
            id: Number(r['id']),
            oldKey: String(r['old_key']),
            newKey: String(r['new_key']),
            oldName: String(r['name']),
            oldVerifiedMethod: r['verified_method'] === null ? null : String(r['verified_method']),
            oldVerifiedAt: r['verified_at'] === null ? null : Number(r['verified_at']),
            detectedAt: Number(r['detected_at']),
            mergedAt: Number(r['merged_at']),
            afterSeq: Number(r['after_seq']),
          });
        }
      }
      // In the order they happened: merges in one millisecond keep their insertion order (the row id).
      return out.sort((a, b) => a.mergedAt - b.mergedAt || a.id - b.id).map(({ id: _id, ...change }) => change);
    },
  };
}
