/**
 * The concrete Noise function sets wired to the crypto primitives of src/core/crypto, and the
 * two suites built from them: Parley's `P256_AESGCM_SHA256` and `25519_AESGCM_SHA256`, which
 * exists only to run the engine against the published Noise vectors.
 */
import { aesGcmDecrypt, aesGcmEncrypt, aesGcmSeal, importAesKey, noiseNonce, KEYLEN, TAGLEN, type AesKey } from '../crypto/aes-gcm.ts';
import { utf8 } from '../crypto/bytes.ts';
import { BLOCKLEN, HASHLEN, noiseHkdf, sha256 } from '../crypto/hash.ts';
import { EphemeralPool } from '../crypto/ephemeral-pool.ts';
import * as p256 from '../crypto/p256.ts';
import * as x25519 from '../crypto/x25519.ts';
import { NoiseInvalidPointError } from './errors.ts';
import { protocolName, type CipherFunctions, type DhFunctions, type HashFunctions, type NoiseSuite } from './types.ts';

// The crypto layer throws InvalidPointError; the engine's contract is a NoiseError, so the
// handshake driver has one class to catch. Other errors (a bad local private key) stay loud.
function asNoisePointError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof p256.InvalidPointError) throw new NoiseInvalidPointError(cause.message, { cause });
    throw cause;
  }
}

/**
 * The handshakes' ephemeral P-256 keys, generated while the loop is idle (ephemeral-pool.ts): each
 * is handed to one handshake only, which zeroes it when it ends.
 */
export const P256_EPHEMERAL_POOL = new EphemeralPool(p256.generateKeyPair, p256.forgetKey);

/**
 * The P256 DH functions of PROTOCOL.md section 2, which the Noise spec does not define (its
 * section 12 has only 25519 and 448). Deviation from spec section 4.1: public keys are 33 bytes
 * (compressed SEC 1) while DHLEN, the DH output, is 32 (the x-coordinate).
 */
export const DH_P256: DhFunctions = Object.freeze({
  name: 'P256',
  dhLen: p256.SHARED_SECRET_LENGTH,
  publicKeyLength: p256.PUBLIC_KEY_LENGTH,
  generateKeyPair: () => P256_EPHEMERAL_POOL.take(),
  publicKeyFromPrivate: p256.publicKeyFromPrivate,
  dh: (privateKey: Uint8Array, publicKey: Uint8Array) => asNoisePointError(() => p256.dh(privateKey, publicKey)),
  // Strict decoding on receipt (OpenSSL): 33 bytes, prefix 0x02/0x03, x < p, a square on the curve.
  // The import that checks it is the one the DH then uses.
  validatePublicKey: (publicKey: Uint8Array) => void asNoisePointError(() => p256.checkPublicKey(publicKey)),
  forgetPrivateKey: p256.forgetKey,
});

/**
 * The 25519 DH functions of spec section 12.1. Every 32-byte string is a public key (RFC 7748),
 * so receipt checks only the length; DH itself rejects the low-order points (see x25519.ts).
 */
export const DH_25519: DhFunctions = Object.freeze({
  name: '25519',
  dhLen: x25519.SHARED_SECRET_LENGTH,
  publicKeyLength: x25519.PUBLIC_KEY_LENGTH,
  generateKeyPair: x25519.generateKeyPair,
  publicKeyFromPrivate: x25519.publicKeyFromPrivate,
  dh: (privateKey: Uint8Array, publicKey: Uint8Array) => asNoisePointError(() => x25519.dh(privateKey, publicKey)),
  validatePublicKey: (publicKey: Uint8Array) => {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== x25519.PUBLIC_KEY_LENGTH) {
      throw new NoiseInvalidPointError('public key must be 32 bytes');
    }
  },
});

/** The AESGCM cipher functions (spec section 12.4), on node:crypto with KeyObject keys. */
export const CIPHER_AESGCM: CipherFunctions<AesKey> = Object.freeze({
  name: 'AESGCM',
  keyLength: KEYLEN,
  tagLength: TAGLEN,
  importKey: importAesKey,
  encrypt: (key: AesKey, n: bigint, ad: Uint8Array, plaintext: Uint8Array) => aesGcmEncrypt(key, noiseNonce(n), ad, plaintext),
  encryptParts: (key: AesKey, n: bigint, ad: Uint8Array, plaintext: Uint8Array) => aesGcmSeal(key, noiseNonce(n), ad, plaintext),
  decrypt: (key: AesKey, n: bigint, ad: Uint8Array, ciphertext: Uint8Array) => aesGcmDecrypt(key, noiseNonce(n), ad, ciphertext),
});

/** The SHA256 hash function (spec section 12.5) with the HKDF of spec section 4.3. */
export const HASH_SHA256: HashFunctions = Object.freeze({
  name: 'SHA256',
  hashLen: HASHLEN,
  blockLen: BLOCKLEN,
  hash: sha256,
  hkdf: noiseHkdf,
});

/** Parley's suite: P256 DH, AESGCM, SHA256 (PROTOCOL.md section 2). */
export const P256_AESGCM_SHA256: NoiseSuite = Object.freeze({ dh: DH_P256, cipher: CIPHER_AESGCM, hash: HASH_SHA256 });

/** The standard `25519_AESGCM_SHA256` suite, for the published Noise vectors. */
export const X25519_AESGCM_SHA256: NoiseSuite = Object.freeze({ dh: DH_25519, cipher: CIPHER_AESGCM, hash: HASH_SHA256 });

/** Parley's handshake pattern (PROTOCOL.md section 2). */
export const PARLEY_PATTERN = 'XX';

/** `Noise_XX_P256_AESGCM_SHA256` (27 bytes, so h starts as the zero-padded name). */
export const PARLEY_PROTOCOL_NAME = protocolName(PARLEY_PATTERN, P256_AESGCM_SHA256);

/**
 * The prologue, the 8 bytes `parley/1` (PROTOCOL.md section 2); a new wire version changes it.
 * Shared, so never mutate it (a typed array with elements cannot be frozen).
 */
export const PARLEY_PROLOGUE: Uint8Array = utf8('parley/1');
