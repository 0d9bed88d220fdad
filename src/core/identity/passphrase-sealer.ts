/**
 * A sealer keyed by a passphrase through scrypt (@noble/hashes). The salt and the cost
 * parameters travel in the sealed bytes, so they can be raised later without a format change:
 *
 *   0x01 | logN (1) | r (1) | p (1) | salt (16) | iv (12) | ciphertext | tag (16)
 *
 * and the 20-byte header is authenticated as associated data.
 */
import { randomBytes } from 'node:crypto';
import { scrypt } from '@noble/hashes/scrypt.js';
import { importAesKey, KEYLEN } from '../crypto/aes-gcm.ts';
import { concatBytes, utf8, zeroize } from '../crypto/bytes.ts';
import { BOX_OVERHEAD, openBox, sealBox } from '../storage/aead-box.ts';
import { StorageError } from '../storage/storage-error.ts';
import type { Sealer } from '../storage/sealer.ts';

/**
 * Default cost N = 2^17, r = 8, p = 1 (128 MiB), as OWASP advises for scrypt. Measured with
 * @noble/hashes on the 2-core build machine: 2^15 ≈ 0.2 s, 2^16 ≈ 0.35–0.42 s, 2^17 ≈ 0.87–0.98 s.
 * The store runs it once per start (identity and storage key are sealed together), so about a
 * second of start-up buys the most guessing cost the brief's range allows.
 */
export const DEFAULT_SCRYPT_LOG_N = 17;
/** Range a caller may choose for new seals (the brief's 2^15..2^17). */
export const MIN_SCRYPT_LOG_N = 15;
export const MAX_SCRYPT_LOG_N = 17;

const VERSION = 0x01;
const SALT_LENGTH = 16;
const HEADER_LENGTH = 4 + SALT_LENGTH;
const R = 8;
const P = 1;
const DOMAIN = utf8('parley/passphrase-sealer/1');
// Bounds for parameters read back from disk: room for future raises (up to 2^19 at r = 8),
// small enough that a doctored header cannot make us allocate gigabytes or spin for minutes.
const READ_MAX_LOG_N = 20;
const READ_MAX_R = 32;
const READ_MAX_P = 16;
const READ_MAX_MEMORY = 2 ** 29;

/** Options for new seals; unseal always uses the parameters stored with the data. */
export type PassphraseSealerOptions = { readonly logN?: number };

/**
 * A passphrase sealer. The passphrase is NFC-normalised (the same words typed on another keyboard
 * give the same key) and must be non-empty and well-formed. A wrong passphrase makes `unseal`
 * throw `StorageError('unseal-failed')`.
 */
export function createPassphraseSealer(passphrase: string, options: PassphraseSealerOptions = {}): Sealer {
  if (typeof passphrase !== 'string') throw new TypeError('passphrase must be a string');
  if (passphrase.length === 0) throw new RangeError('passphrase must not be empty');
  if (!passphrase.isWellFormed()) throw new RangeError('passphrase must not contain unpaired surrogates');
  const logN = options.logN ?? DEFAULT_SCRYPT_LOG_N;
  if (!Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N) {
    throw new RangeError(`options.logN must be an integer from ${MIN_SCRYPT_LOG_N} to ${MAX_SCRYPT_LOG_N}`);
  }
  const secret = utf8(passphrase.normalize('NFC'));

  return {
    kind: 'passphrase',
    seal(plain: Uint8Array): Uint8Array {
      if (!(plain instanceof Uint8Array)) throw new TypeError('plain must be a Uint8Array');
      const header = concatBytes(Uint8Array.of(VERSION, logN, R, P), randomBytes(SALT_LENGTH));
      const key = derive(secret, header);
      try {
        return concatBytes(header, sealBox(importAesKey(key), concatBytes(DOMAIN, header), plain));
      } finally {
        zeroize(key);
      }
    },
    unseal(sealed: Uint8Array): Uint8Array {
      if (!(sealed instanceof Uint8Array)) throw new TypeError('sealed must be a Uint8Array');
      if (sealed.length < HEADER_LENGTH + BOX_OVERHEAD || sealed[0] !== VERSION) {
        throw new StorageError('corrupt', 'sealed data is not in the passphrase format');
      }
      const header = sealed.subarray(0, HEADER_LENGTH);
      const key = derive(secret, header);
      try {
        const plain = openBox(importAesKey(key), concatBytes(DOMAIN, header), sealed.subarray(HEADER_LENGTH));
        if (plain === null) throw new StorageError('unseal-failed', 'wrong passphrase (or the sealed data was altered)');
        return plain;
      } finally {
        zeroize(key);
      }
    },
  };
}

/** scrypt over the header's parameters and salt; refuses parameters outside sane bounds. */
function derive(secret: Uint8Array, header: Uint8Array): Uint8Array {
  const logN = header[1] ?? 0;
  const r = header[2] ?? 0;
  const p = header[3] ?? 0;
  const outOfBounds = logN < MIN_SCRYPT_LOG_N || logN > READ_MAX_LOG_N || r < 1 || r > READ_MAX_R || p < 1 || p > READ_MAX_P;
  if (outOfBounds || 128 * 2 ** logN * r * p > READ_MAX_MEMORY) {
    throw new StorageError('corrupt', 'sealed data carries scrypt parameters out of bounds');
  }
  return scrypt(secret, header.subarray(4), { N: 2 ** logN, r, p, dkLen: KEYLEN, maxmem: READ_MAX_MEMORY + 1024 });
}
