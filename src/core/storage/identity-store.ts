/**
 * Our identity at rest: the public key and fingerprint in clear, the private key and the storage
 * key sealed together by the injected Sealer (one unseal per start, so one scrypt for a
 * passphrase). Sealed layout: 0x01 || private key (32) || storage key (32).
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { importAesKey, KEYLEN, type AesKey } from '../crypto/aes-gcm.ts';
import { concatBytes, equalBytes, zeroize } from '../crypto/bytes.ts';
import { fingerprintHex } from '../crypto/fingerprint.ts';
import { generateKeyPair, PRIVATE_KEY_LENGTH, publicKeyFromPrivate } from '../crypto/p256.ts';
import { SEALER_KINDS, type Sealer } from './sealer.ts';
import { inTransaction } from './database.ts';
import { StorageError } from './storage-error.ts';

/** Our long-term static key pair. `privateKey` is not enumerable, so JSON and console output skip it. */
export type LocalIdentity = {
  readonly publicKey: Uint8Array;
  readonly fingerprint: string;
  readonly privateKey: Uint8Array;
  readonly createdAt: number;
};

/** The identity with the key that seals the history. */
export type UnsealedIdentity = { readonly identity: LocalIdentity; readonly storageKey: AesKey };

const VERSION = 0x01;
const SECRETS_LENGTH = 1 + PRIVATE_KEY_LENGTH + KEYLEN;

/** The stored identity with its secrets unsealed and checked (layout, key match); the caller zeroes `secrets`. */
type OpenedSecrets = { readonly publicKey: Uint8Array; readonly fingerprint: string; readonly createdAt: number; readonly secrets: Uint8Array };

/** Loads and unseals the identity; null if none was created yet. Never modifies the database. */
export function loadIdentity(db: DatabaseSync, sealer: Sealer): UnsealedIdentity | null {
  const opened = openSecrets(db, sealer);
  if (opened === null) return null;
  try {
    const { secrets } = opened;
    return {
      identity: makeIdentity(opened.publicKey, opened.fingerprint, secrets.slice(1, 1 + PRIVATE_KEY_LENGTH), opened.createdAt),
      storageKey: importAesKey(secrets.subarray(1 + PRIVATE_KEY_LENGTH)),
    };
  } finally {
    zeroize(opened.secrets);
  }
}

/**
 * Re-seals the identity's secrets, unsealed by `current`, under `next` (another protection, or a new
 * passphrase): the new seal is proven to open before it replaces the old one in one transaction, so
 * the database holds the old or the new seal, never neither. The old sealed bytes are then wiped
 * from the file (secure_delete) and the WAL (a truncating checkpoint): no copy the old protection
 * opens stays behind.
 */
export function resealIdentity(db: DatabaseSync, current: Sealer, next: Sealer): void {
  const opened = openSecrets(db, current);
  if (opened === null) throw new StorageError('corrupt', 'there is no identity to re-seal');
  const { secrets } = opened;
  try {
    const sealed = next.seal(secrets);
    const back = next.unseal(sealed);
    try {
      if (!equalBytes(back, secrets)) throw new StorageError('corrupt', `the ${next.kind} sealer does not give back what it sealed`);
    } finally {
      zeroize(back);
    }
    const before = db.prepare('PRAGMA secure_delete').get()?.['secure_delete'];
    db.exec('PRAGMA secure_delete = ON');
    try {
      inTransaction(db, () => {
        const changed = db.prepare('UPDATE identity SET sealer_kind = ?, sealed_secrets = ? WHERE public_key = ?').run(next.kind, sealed, opened.publicKey);
        if (Number(changed.changes) !== 1) throw new StorageError('corrupt', 'the identity changed while it was re-sealed');
      });
      db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    } finally {
      db.exec(`PRAGMA secure_delete = ${Number(before) === 1 ? 'ON' : 'OFF'}`);
    }
  } finally {
    zeroize(secrets);
  }
}

function openSecrets(db: DatabaseSync, sealer: Sealer): OpenedSecrets | null {
  const row = db.prepare('SELECT public_key, fingerprint, sealer_kind, sealed_secrets, created_at FROM identity').get();
  if (row === undefined) return null;
  const publicKey = new Uint8Array(row['public_key'] as Uint8Array);
  const fingerprint = String(row['fingerprint']);
  const kind = String(row['sealer_kind']);
  if (!(SEALER_KINDS as readonly string[]).includes(kind)) throw new StorageError('corrupt', `the identity names an unknown sealer '${kind}'`);
  if (kind !== sealer.kind) {
    throw new StorageError('unseal-failed', `the identity is sealed with the ${kind} sealer, not the ${sealer.kind} sealer`);
  }
  if (fingerprintOf(publicKey) !== fingerprint) throw new StorageError('corrupt', 'the identity fingerprint does not match its public key');

  let secrets: Uint8Array;
  try {
    secrets = sealer.unseal(new Uint8Array(row['sealed_secrets'] as Uint8Array));
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError('unseal-failed', `the ${sealer.kind} sealer could not unseal the identity`, { cause: error });
  }
  let ok = false;
  try {
    if (secrets.length !== SECRETS_LENGTH || secrets[0] !== VERSION) throw new StorageError('corrupt', 'the unsealed identity has an unknown layout');
    // Sealed secrets copied in from another identity unseal fine but belong to another key.
    const privateKey = secrets.subarray(1, 1 + PRIVATE_KEY_LENGTH);
    if (!matches(privateKey, publicKey)) throw new StorageError('corrupt', 'the sealed private key does not belong to the stored public key');
    ok = true;
    return { publicKey, fingerprint, createdAt: Number(row['created_at']), secrets };
  } finally {
    if (!ok) zeroize(secrets);
  }
}

/**
 * Loads the identity, or creates one if the database has none. Creation happens under the write
 * lock and refuses a database that already holds contacts or messages: those belonged to a lost
 * identity, and a new one must not be put in their place silently.
 */
export function loadOrCreateIdentity(db: DatabaseSync, sealer: Sealer, now: () => number): UnsealedIdentity {
  const existing = loadIdentity(db, sealer);
  if (existing !== null) return existing;
  const created = inTransaction(db, () => {
    if (db.prepare('SELECT 1 FROM identity').get() !== undefined) return false;
    const orphans = db.prepare('SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM messages) AS n').get();
    if (Number(orphans?.['n']) > 0) throw new StorageError('corrupt', 'the database holds contacts or history but no identity');
    const { privateKey, publicKey } = generateKeyPair();
    const storageKey = new Uint8Array(randomBytes(KEYLEN));
    const secrets = concatBytes(Uint8Array.of(VERSION), privateKey, storageKey);
    try {
      const sealed = sealer.seal(secrets);
      db.prepare(
        'INSERT INTO identity (singleton, public_key, fingerprint, sealer_kind, sealed_secrets, created_at) VALUES (1, ?, ?, ?, ?, ?)',
      ).run(publicKey, fingerprintOf(publicKey), sealer.kind, sealed, now());
    } finally {
      zeroize(privateKey, storageKey, secrets);
    }
    return true;
  });
  // Read back through the sealer: proves the new seal opens before anything is sealed with it.
  const loaded = loadIdentity(db, sealer);
  if (loaded === null) throw new StorageError('corrupt', created ? 'the new identity was not stored' : 'the identity vanished');
  return loaded;
}

function fingerprintOf(publicKey: Uint8Array): string {
  try {
    return fingerprintHex(publicKey);
  } catch (error) {
    throw new StorageError('corrupt', 'the stored public key is not a P-256 point', { cause: error });
  }
}

function matches(privateKey: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return equalBytes(publicKeyFromPrivate(privateKey), publicKey);
  } catch {
    return false;
  }
}

function makeIdentity(publicKey: Uint8Array, fingerprint: string, privateKey: Uint8Array, createdAt: number): LocalIdentity {
  const identity = { publicKey, fingerprint, createdAt } as { publicKey: Uint8Array; fingerprint: string; createdAt: number; privateKey: Uint8Array };
  Object.defineProperty(identity, 'privateKey', { value: privateKey, enumerable: false, writable: false });
  return Object.freeze(identity);
}
