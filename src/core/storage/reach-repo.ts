/**
 * Reach (PROTOCOL.md section 8): contacts' HyperDHT keys, learnt from hellos and `reach`
 * messages, and our own DHT key pair's seed, sealed with the storage key. A DHT key is a locator:
 * nothing here is ever used to decide who a peer is.
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { AesKey } from '../crypto/aes-gcm.ts';
import { utf8 } from '../crypto/bytes.ts';
import { openBox, sealBox } from './aead-box.ts';
import { StorageError } from './storage-error.ts';
import { assertFingerprint } from './validate.ts';

/** Length of the seed a DHT key pair is derived from. */
export const DHT_SEED_LENGTH = 32;
const DHT_KEY_RE = /^[0-9a-f]{64}$/;
// Binds the box to its purpose: a seed box cannot be swapped for a message box or vice versa.
const SEED_AD = utf8('parley/dht-seed/1');

/** The reach repository of an open store. */
export type ReachRepo = {
  /** The contact's DHT key, or null (unknown contact, or none announced). */
  getDhtKey(peer: string): string | null;
  /** Records the contact's current DHT key (null: it no longer listens on the DHT); false for an unknown contact. */
  setDhtKey(peer: string, key: string | null): boolean;
  /** Our DHT seed; created (random) on first use. The caller zeroes its copy when done. */
  loadOrCreateSeed(): Uint8Array;
  /** Replaces our DHT seed with a new random one ("get a new reachable address") and returns it. */
  replaceSeed(): Uint8Array;
};

/** Builds the repository over an open, migrated database and the unsealed storage key. */
export function createReachRepo(db: DatabaseSync, key: AesKey, now: () => number): ReachRepo {
  const selectKey = db.prepare('SELECT dht_key FROM contacts WHERE fingerprint = ?');
  const updateKey = db.prepare('UPDATE contacts SET dht_key = ? WHERE fingerprint = ? AND dht_key IS NOT ?');
  const exists = db.prepare('SELECT 1 FROM contacts WHERE fingerprint = ?');
  const selectSeed = db.prepare('SELECT seed_box FROM dht_identity WHERE singleton = 1');
  const upsertSeed = db.prepare(
    'INSERT INTO dht_identity (singleton, seed_box, created_at) VALUES (1, ?, ?) ON CONFLICT (singleton) DO UPDATE SET seed_box = excluded.seed_box, created_at = excluded.created_at',
  );

  const storeNewSeed = (): Uint8Array => {
    const seed = new Uint8Array(randomBytes(DHT_SEED_LENGTH));
    upsertSeed.run(sealBox(key, SEED_AD, seed), now());
    return seed;
  };

  return {
    getDhtKey(peer) {
      assertFingerprint('peer', peer);
      const v = selectKey.get(peer)?.['dht_key'];
      return typeof v === 'string' ? v : null;
    },

    setDhtKey(peer, dht) {
      assertFingerprint('peer', peer);
      if (dht !== null && (typeof dht !== 'string' || !DHT_KEY_RE.test(dht))) throw new RangeError('dht must be 64 lowercase hex digits or null');
      if (exists.get(peer) === undefined) return false;
      updateKey.run(dht, peer, dht);
      return true;
    },

    loadOrCreateSeed() {
      const row = selectSeed.get();
      if (row === undefined) return storeNewSeed();
      const seed = openBox(key, SEED_AD, new Uint8Array(row['seed_box'] as Uint8Array));
      if (seed === null || seed.length !== DHT_SEED_LENGTH) throw new StorageError('corrupt', 'the stored DHT key does not unseal');
      return seed;
    },

    replaceSeed() {
      return storeNewSeed();
    },
  };
}
