/**
 * The Sealer over Electron's safeStorage (the OS keychain: Keychain on macOS, DPAPI on Windows,
 * libsecret/KWallet on Linux). safeStorage is passed in, so this file loads nothing from electron
 * and tests can drive it. Sealed layout: 0x01 || safeStorage ciphertext of base64(plain).
 */
import type { SafeStorage } from 'electron';
import { concatBytes } from '../core/crypto/bytes.ts';
import type { Sealer } from '../core/identity/sealer.ts';

/** The parts of safeStorage the app uses. */
export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

/** Whether the keychain protects anything here, and if not, why (a plain sentence for the UI's log). */
export type KeychainStatus = { readonly available: boolean; readonly reason: string | null };

const VERSION = 0x01;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The keychain is usable only where safeStorage can encrypt and, on Linux, a real secret store
 * backs it: the `basic_text` backend encrypts with a password written in Chromium's source, which
 * protects nothing, and `unknown` means no backend was selected. Call after the app is ready.
 */
export function keychainStatus(safe: SafeStorageLike, platform: NodeJS.Platform): KeychainStatus {
  let available: boolean;
  try {
    available = safe.isEncryptionAvailable();
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

/** A Sealer of kind 'keychain' over safeStorage; unseal throws on data it did not seal or that was altered. */
export function createSafeStorageSealer(safe: SafeStorageLike): Sealer {
  return {
    kind: 'keychain',
    seal(plain: Uint8Array): Uint8Array {
      if (!(plain instanceof Uint8Array)) throw new TypeError('plain must be a Uint8Array');
      // safeStorage takes strings; base64 keeps every byte value intact through it.
      const cipher = safe.encryptString(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).toString('base64'));
      return concatBytes(Uint8Array.of(VERSION), new Uint8Array(cipher.buffer, cipher.byteOffset, cipher.byteLength));
    },
    unseal(sealed: Uint8Array): Uint8Array {
      if (!(sealed instanceof Uint8Array)) throw new TypeError('sealed must be a Uint8Array');
      if (sealed.length < 2 || sealed[0] !== VERSION) throw new RangeError('sealed data is not in the keychain format');
      const text = safe.decryptString(Buffer.from(sealed.subarray(1)));
      if (typeof text !== 'string' || text.length % 4 !== 0 || !BASE64_RE.test(text)) throw new RangeError('the keychain returned data in an unknown format');
      return new Uint8Array(Buffer.from(text, 'base64'));
    },
  };
}
