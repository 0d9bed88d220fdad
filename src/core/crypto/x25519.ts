/**
 * The Noise 25519 DH functions (RFC 7748 X25519) on @noble/curves. Parley's wire uses P-256;
 * this exists so that the Noise engine can be checked against the published
 * `Noise_*_25519_AESGCM_SHA256` vectors. The API mirrors p256.ts.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { InvalidPointError, type KeyPair } from './p256.ts';

/** X25519 public keys, private keys and DH outputs are all 32 bytes (DHLEN = 32). */
export const PUBLIC_KEY_LENGTH = 32;
export const PRIVATE_KEY_LENGTH = 32;
export const SHARED_SECRET_LENGTH = 32;

/** GENERATE_KEYPAIR(): 32 random bytes (clamped when used, per RFC 7748) and their public u-coordinate. */
export function generateKeyPair(): KeyPair {
  const privateKey = x25519.utils.randomSecretKey();
  return { privateKey, publicKey: x25519.getPublicKey(privateKey) };
}

/** The 32-byte public key X25519(privateKey, 9). */
export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  checkPrivate(privateKey);
  return x25519.getPublicKey(privateKey);
}

/**
 * DH(keypair, pubkey) = X25519(privateKey, publicKey). Any 32 bytes are a public key (RFC 7748
 * masks the top bit and reduces non-canonical u). The low-order u values, for which X25519 gives
 * all zeros, throw InvalidPointError instead: Noise spec section 12.1 allows this (it prefers the
 * zeros), OpenSSL does the same, and it gives the engine one failure path for both curves.
 */
export function dh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  checkPrivate(privateKey);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new InvalidPointError('public key must be 32 bytes');
  }
  try {
    return x25519.getSharedSecret(privateKey, publicKey);
  } catch {
    throw new InvalidPointError('public key is a low-order X25519 point');
  }
}

function checkPrivate(privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array)) throw new TypeError('privateKey must be a Uint8Array');
  if (privateKey.length !== PRIVATE_KEY_LENGTH) throw new RangeError('privateKey must be 32 bytes');
}
