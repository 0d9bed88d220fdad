/**
 * AES-256-GCM with a fresh random 96-bit IV per record: box = iv(12) || ciphertext || tag(16).
 *
 * Random IVs (not counters) because records are written over years, across crashes and restored
 * backups: a counter would need durable state that must never roll back, and one rollback would
 * reuse a nonce. NIST SP 800-38D allows 2^32 random-IV encryptions per key; even a million
 * messages leave the chance of any IV collision near 2^-57.
 */
import { randomBytes } from 'node:crypto';
import { aesGcmDecrypt, aesGcmEncrypt, IVLEN, TAGLEN, type AesKey } from '../crypto/aes-gcm.ts';
import { concatBytes } from '../crypto/bytes.ts';

/** Smallest possible box: IV and tag around an empty plaintext. */
export const BOX_OVERHEAD = IVLEN + TAGLEN;

/** Encrypts `plain` under `key`, authenticating `ad` (which is not stored), with a random IV. */
export function sealBox(key: AesKey, ad: Uint8Array, plain: Uint8Array): Uint8Array {
  const iv = new Uint8Array(randomBytes(IVLEN));
  return concatBytes(iv, aesGcmEncrypt(key, iv, ad, plain));
}

/** Opens a box; null when it is too short, altered, or sealed with another key or `ad`. */
export function openBox(key: AesKey, ad: Uint8Array, box: Uint8Array): Uint8Array | null {
  if (!(box instanceof Uint8Array) || box.length < BOX_OVERHEAD) return null;
  return aesGcmDecrypt(key, box.subarray(0, IVLEN), ad, box.subarray(IVLEN));
}
