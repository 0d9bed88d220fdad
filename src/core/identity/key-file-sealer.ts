/**
 * The headless peer's default sealer: a 32-byte random key in an owner-only (0600) file beside
 * the database. It protects against copying the database alone (a backup, a synced folder), not
 * against someone who can read the whole data directory; say so to the user.
 */
import { linkSync, lstatSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { importAesKey, KEYLEN } from '../crypto/aes-gcm.ts';
import { concatBytes, utf8, zeroize } from '../crypto/bytes.ts';
import { openBox, sealBox } from '../storage/aead-box.ts';
import { assertOwnerOnly, writeFileAtomically } from '../storage/owner-only.ts';
import { StorageError } from '../storage/storage-error.ts';
import type { Sealer } from '../storage/sealer.ts';

/** The key file's name inside the data directory. */
export const KEY_FILE_NAME = 'sealer.key';

const VERSION = 0x01;
const AD = utf8('parley/key-file-sealer/1');

/**
 * A sealer keyed by `<dir>/sealer.key`. The file is created (0600, exclusively) only by the first
 * `seal`; `unseal` never creates it, so a missing key file is reported instead of being replaced.
 */
export function createKeyFileSealer(dir: string): Sealer {
  if (typeof dir !== 'string' || dir.length === 0) throw new TypeError('dir must be a non-empty string');
  const path = join(dir, KEY_FILE_NAME);
  return {
    kind: 'key-file',
    seal(plain: Uint8Array): Uint8Array {
      if (!(plain instanceof Uint8Array)) throw new TypeError('plain must be a Uint8Array');
      const raw = readKey(path) ?? createKey(path);
      try {
        return concatBytes(Uint8Array.of(VERSION), sealBox(importAesKey(raw), AD, plain));
      } finally {
        zeroize(raw);
      }
    },
    unseal(sealed: Uint8Array): Uint8Array {
      if (!(sealed instanceof Uint8Array)) throw new TypeError('sealed must be a Uint8Array');
      if (sealed[0] !== VERSION) throw new StorageError('corrupt', 'sealed data has an unknown key-file format');
      const raw = readKey(path);
      if (raw === null) {
        throw new StorageError('unseal-failed', `the key file ${path} is missing: restore it (the data is kept as it is)`);
      }
      try {
        const plain = openBox(importAesKey(raw), AD, sealed.subarray(1));
        if (plain === null) {
          throw new StorageError('unseal-failed', `the key file ${path} does not open this data (another or altered key file)`);
        }
        return plain;
      } finally {
        zeroize(raw);
      }
    },
  };
}

/** Reads the key, or null if there is no file; refuses a file that is not exactly ours. */
function readKey(path: string): Uint8Array | null {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError('data-dir', `cannot read the key file ${path}`, { cause: error });
  }
  if (!stat.isFile()) throw new StorageError('data-dir', `the key file ${path} is not a regular file`);
  assertOwnerOnly(stat, path, 'the key file', 'chmod 600');
  const raw = new Uint8Array(readFileSync(path));
  if (raw.length !== KEYLEN) {
    zeroize(raw);
    throw new StorageError('unseal-failed', `the key file ${path} is damaged (not ${KEYLEN} bytes)`);
  }
  return raw;
}

/**
 * Creates the key file atomically: written and synced under a temporary name, then hard-linked
 * into place (link fails if the name exists), so no reader or crash ever sees a partial key.
 * If another process won the race, its key is used.
 */
function createKey(path: string): Uint8Array {
  const raw = new Uint8Array(randomBytes(KEYLEN));
  try {
    writeFileAtomically(path, raw, linkSync);
  } catch (error) {
    zeroize(raw);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = readKey(path);
      if (theirs !== null) return theirs;
    }
    throw new StorageError('data-dir', `cannot create the key file ${path}`, { cause: error });
  }
  return raw;
}
