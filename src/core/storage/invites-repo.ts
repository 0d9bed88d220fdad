/**
 * Invite tokens (PROTOCOL.md, extension "invite tokens"): the secret an invite's `tok=` carries and
 * the joiner's hello returns, so the host knows "this is someone I invited". A token is a bearer
 * secret, so only its SHA-256 is stored: a copy of the database cannot mint a joiner that passes
 * as invited. Lookups are by hash (an attacker cannot aim at a stored hash without its preimage).
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { fromHex, toHex } from '../crypto/bytes.ts';
import { sha256 } from '../crypto/hash.ts';
import { inTransaction } from './database.ts';

/** A token in its text form: 32 lowercase hex digits (128 random bits). */
export const TOKEN_RE = /^[0-9a-f]{32}$/;

/** What a token was made for: an invite the user created, or the invite shown while hosting. */
export type TokenPurpose = 'invite' | 'hosting';

/** The invite-tokens repository of an open store. */
export type InvitesRepo = {
  /** Makes and stores a new random token; returns its text form (the only time it exists in clear). */
  create(options: { readonly reusable: boolean; readonly purpose: TokenPurpose }): string;
  /**
   * Uses a token: a one-time token is deleted (consumed), a reusable one counts the use. Returns
   * whether it was reusable, or null for a token that is unknown, already used or malformed.
   */
  redeem(token: string): { readonly reusable: boolean } | null;
  /** Forgets every token made for `purpose`; returns how many. */
  revoke(purpose: TokenPurpose): number;
  /** How many tokens are stored (for tests and Settings). */
  count(): number;
};

/** Builds the repository over an open, migrated database. */
export function createInvitesRepo(db: DatabaseSync, now: () => number): InvitesRepo {
  const insert = db.prepare('INSERT INTO invite_tokens (token_hash, reusable, purpose, created_at) VALUES (?, ?, ?, ?)');
  const select = db.prepare('SELECT reusable FROM invite_tokens WHERE token_hash = ?');
  const consume = db.prepare('DELETE FROM invite_tokens WHERE token_hash = ? AND reusable = 0');
  const use = db.prepare('UPDATE invite_tokens SET uses = uses + 1, last_used_at = ? WHERE token_hash = ?');
  const revoke = db.prepare('DELETE FROM invite_tokens WHERE purpose = ?');
  const count = db.prepare('SELECT count(*) AS n FROM invite_tokens');
  return {
    create({ reusable, purpose }) {
      if (typeof reusable !== 'boolean') throw new TypeError('reusable must be a boolean');
      if (purpose !== 'invite' && purpose !== 'hosting') throw new RangeError('purpose must be invite or hosting');
      const token = toHex(new Uint8Array(randomBytes(16)));
      insert.run(hashToken(token), reusable ? 1 : 0, purpose, now());
      return token;
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
    revoke(purpose) {
      return Number(revoke.run(purpose).changes);
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
