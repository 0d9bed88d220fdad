/**
 * Invite tokens (docs/PROTOCOL.md section 10.1): the secret an invite's `tok=` carries and the
 * joiner's hello returns, so the host knows "this is someone I invited". A token is a bearer
 * secret: it is looked up by its SHA-256, so a copy of the database cannot mint a joiner that passes
 * as invited from the invites the user made. The one exception is the hosting token (the invite on
 * the host screen, which must read the same after a restart): it is also kept sealed with the
 * storage key, the protection message text has.
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { AesKey } from '../crypto/aes-gcm.ts';
import { fromHex, toHex, utf8 } from '../crypto/bytes.ts';
import { sha256 } from '../crypto/hash.ts';
import { openBox, sealBox } from './aead-box.ts';
import { inTransaction } from './database.ts';
import { StorageError } from './storage-error.ts';

/** A token in its text form: 32 lowercase hex digits (128 random bits). */
export const TOKEN_RE = /^[0-9a-f]{32}$/;
// Binds a sealed hosting token to its purpose: it cannot be swapped with another kind of box.
const HOSTING_AD = utf8('parley/hosting-token/1');

/** The invite-tokens repository of an open store. */
export type InvitesRepo = {
  /** Makes and stores a new random invite token (only its hash); returns its text form, the only time it exists in clear. */
  create(options: { readonly reusable: boolean }): string;
  /** The reusable token of the invite shown while hosting: the stored one, or a new one on first use. */
  hostingToken(): string;
  /**
   * Uses a token: a one-time token is deleted (consumed), a reusable one counts the use. Returns
   * whether it was reusable, or null for a token that is unknown, already used or malformed.
   */
  redeem(token: string): { readonly reusable: boolean } | null;
  /** Forgets every token (the invites the user made and the hosting one); the next hostingToken() is new. Returns how many. */
  revokeAll(): number;
  /** How many tokens are stored. */
  count(): number;
};

/** Builds the repository over an open, migrated database and the unsealed storage key. */
export function createInvitesRepo(db: DatabaseSync, key: AesKey, now: () => number): InvitesRepo {
  const insert = db.prepare('INSERT INTO invite_tokens (token_hash, token_box, reusable, purpose, created_at) VALUES (?, ?, ?, ?, ?)');
  const select = db.prepare('SELECT reusable FROM invite_tokens WHERE token_hash = ?');
  const hosting = db.prepare("SELECT token_box FROM invite_tokens WHERE purpose = 'hosting' ORDER BY created_at DESC LIMIT 1");
  const consume = db.prepare('DELETE FROM invite_tokens WHERE token_hash = ? AND reusable = 0');
  const use = db.prepare('UPDATE invite_tokens SET uses = uses + 1, last_used_at = ? WHERE token_hash = ?');
  const revoke = db.prepare('DELETE FROM invite_tokens');
  const count = db.prepare('SELECT count(*) AS n FROM invite_tokens');
  const fresh = (): string => toHex(new Uint8Array(randomBytes(16)));
  return {
    create({ reusable }) {
      if (typeof reusable !== 'boolean') throw new TypeError('reusable must be a boolean');
      const token = fresh();
      insert.run(hashToken(token), null, reusable ? 1 : 0, 'invite', now());
      return token;
    },
    hostingToken() {
      return inTransaction(db, () => {
        const row = hosting.get();
        if (row !== undefined) {
          const plain = openBox(key, HOSTING_AD, row['token_box'] as Uint8Array);
          if (plain === null) throw new StorageError('corrupt', 'the hosting invite token does not decrypt: it was altered');
          return toHex(plain);
        }
        const token = fresh();
        insert.run(hashToken(token), sealBox(key, HOSTING_AD, fromHex(token)), 1, 'hosting', now());
        return token;
      });
    },
    redeem(token) {
      if (typeof token !== 'string' || !TOKEN_RE.test(token)) return null;
      const hash = hashToken(token);
      // One transaction: two joiners racing with the same one-time token cannot both consume it.
      return inTransaction(db, () => {
        const row = select.get(hash);
        if (row === undefined) return null;
        if (row['reusable'] === 1) {
          use.run(now(), hash);
          return { reusable: true };
        }
        return consume.run(hash).changes === 1 ? { reusable: false } : null;
      });
    },
    revokeAll() {
      return Number(revoke.run().changes);
    },
    count() {
      return Number(count.get()?.['n'] ?? 0);
    },
  };
}

/** SHA-256 of the token's 16 bytes. */
function hashToken(token: string): Uint8Array {
  return sha256(fromHex(token));
}
