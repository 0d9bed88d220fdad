/**
 * The keychain Sealer: the OS keychain (Keychain on macOS, DPAPI on Windows, libsecret/KWallet on
 * Linux, through Electron's safeStorage) protects one random 32-byte key, kept encrypted in
 * `keychain.key` beside the data; that key seals the identity with AES-256-GCM. safeStorage's API is
 * asynchronous (the synchronous one is deprecated in Electron 45) while the core's Sealer is
 * synchronous, so main unwraps the key once at start (loadKeychainKey) and the Sealer works in memory.
 * safeStorage is passed in, so this file loads nothing from electron and tests drive it.
 * Sealed layout: 0x02 || iv (12) || ciphertext || tag (16), with "parley/keychain-sealer/2" as AD.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, lstatSync, readFileSync, renameSync } from 'node:fs';
import type { SafeStorage } from 'electron';
import { importAesKey, KEYLEN } from '../core/crypto/aes-gcm.ts';
import { concatBytes, utf8, zeroize } from '../core/crypto/bytes.ts';
import type { Sealer } from '../core/storage/sealer.ts';
import { openBox, sealBox } from '../core/storage/aead-box.ts';
import { assertOwnerOnly, writeFileAtomically } from '../core/storage/owner-only.ts';

/** The parts of safeStorage the app uses (the asynchronous API only). */
export type SafeStorageLike = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

/** Whether the keychain protects anything here, and if not, why (a plain sentence for the UI's log). */
export type KeychainStatus = { readonly available: boolean; readonly reason: string | null };

const VERSION = 0x02;
const AD = utf8('parley/keychain-sealer/2');
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_KEY_FILE_BYTES = 4096;

/**
 * The keychain is usable only where safeStorage can encrypt and, on Linux, a real secret store
 * backs it: the `basic_text` backend encrypts with a password written in Chromium's source, which
 * protects nothing, and `unknown` means no backend was selected. Call after the app is ready.
 */
export async function keychainStatus(safe: SafeStorageLike, platform: NodeJS.Platform): Promise<KeychainStatus> {
  let available: boolean;
  try {
    available = await safe.isAsyncEncryptionAvailable();
  } catch {
    available = false;
  }
  if (!available) return { available: false, reason: 'the system keychain is not available to Parley on this computer' };
  if (platform === 'linux') {
    const backend = safe.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') {
      return { available: false, reason: 'no system keychain (such as GNOME Keyring or KWallet) is running, so a key stored "in the keychain" would only be obfuscated' };
    }
  }
  return { available: true, reason: null };
}

/**
 * The keychain-protected key: unwrapped from `path`, or made and wrapped there on first use (written
 * owner-only and atomically, linked so a concurrent start cannot replace it). When safeStorage says
 * the key should be re-encrypted (its own key rotated, or a stronger one is available), the file is
 * rewritten under the new wrapping by an atomic rename: a crash leaves the old or the new file, and
 * both unwrap to the same key. The caller zeroes the result when done.
 */
export async function loadKeychainKey(safe: SafeStorageLike, path: string): Promise<Uint8Array> {
  const wrapped = readWrapped(path);
  if (wrapped === null) {
    const key = new Uint8Array(randomBytes(KEYLEN));
    const cipher = await safe.encryptStringAsync(Buffer.from(key).toString('base64'));
    try {
      writeFileAtomically(path, new Uint8Array(cipher), linkSync);
    } catch (error) {
      zeroize(key);
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadKeychainKey(safe, path); // another start won
      throw error;
    }
    return key;
  }
  const { result, shouldReEncrypt } = await safe.decryptStringAsync(Buffer.from(wrapped));
  if (typeof result !== 'string' || result.length !== 44 || !BASE64_RE.test(result)) throw new RangeError(`${path} does not hold a key in Parley's format`);
  const key = new Uint8Array(Buffer.from(result, 'base64'));
  if (shouldReEncrypt) {
    const cipher = await safe.encryptStringAsync(result);
    writeFileAtomically(path, new Uint8Array(cipher), renameSync);
  }
  return key;
}

/** A Sealer of kind 'keychain' over the unwrapped key; unseal throws on data it did not seal or that was altered. */
export function createKeychainSealer(rawKey: Uint8Array): Sealer {
  if (!(rawKey instanceof Uint8Array) || rawKey.length !== KEYLEN) throw new TypeError(`the keychain key must be ${KEYLEN} bytes`);
  const key = importAesKey(rawKey);
  return {
    kind: 'keychain',
    seal(plain: Uint8Array): Uint8Array {
      if (!(plain instanceof Uint8Array)) throw new TypeError('plain must be a Uint8Array');
      return concatBytes(Uint8Array.of(VERSION), sealBox(key, AD, plain));
    },
    unseal(sealed: Uint8Array): Uint8Array {
      if (!(sealed instanceof Uint8Array)) throw new TypeError('sealed must be a Uint8Array');
      if (sealed.length < 2 || sealed[0] !== VERSION) throw new RangeError('sealed data is not in the keychain format');
      const plain = openBox(key, AD, sealed.subarray(1));
      if (plain === null) throw new RangeError('the keychain key does not open this data (another keychain, or altered data)');
      return plain;
    },
  };
}

/** The wrapped key file's bytes, or null if there is none; refuses a file that is not exactly ours. */
function readWrapped(path: string): Uint8Array | null {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!stat.isFile()) throw new RangeError(`${path} is not a regular file`);
  assertOwnerOnly(stat, path, 'the keychain key file', 'chmod 600');
  if (stat.size === 0 || stat.size > MAX_KEY_FILE_BYTES) throw new RangeError(`${path} is not a keychain key file`);
  return new Uint8Array(readFileSync(path));
}
