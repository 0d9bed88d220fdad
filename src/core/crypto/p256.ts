/**
 * The P256 DH functions of PROTOCOL.md section 2.
 *
 * Production path: node:crypto (OpenSSL) on KeyObjects imported once per key (p256-keys.ts),
 * ~0.05 ms per DH, against ~2.6 ms for pure-JS noble, which would block Electron's main process.
 * @noble/curves is the second, independent implementation: the tests run every Wycheproof case
 * through both and require agreement.
 */
import { createECDH, diffieHellman } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { forgetPrivateKey, generateKeyObjects, privateKeyObject, publicKeyObject, rememberedPrivateKeyObject, uncompressedPoint } from './p256-keys.ts';

export const PUBLIC_KEY_LENGTH = 33;
export const PRIVATE_KEY_LENGTH = 32;
export const SHARED_SECRET_LENGTH = 32;

export type KeyPair = { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array };

/** Thrown for any public key that is not a valid point: here, not compressed, on-curve and finite; in x25519.ts, low-order. */
export class InvalidPointError extends Error {
  override name = 'InvalidPointError';
}

/** GENERATE_KEYPAIR(): a uniformly random scalar in [1, n-1] and its 33-byte compressed point. */
export function generateKeyPair(): KeyPair {
  // The scalar is what the caller owns and zeroes (split(), destroy(), with forgetPrivateKey); its
  // KeyObject is remembered, so the key's first DH does not import it again.
  const { scalar, point } = generateKeyObjects();
  const publicKey = new Uint8Array(PUBLIC_KEY_LENGTH);
  publicKey[0] = (point[64] as number) & 1 ? 0x03 : 0x02;
  publicKey.set(point.subarray(1, 33), 1);
  return { privateKey: scalar, publicKey };
}

/** Drops what this module remembers of a private key (its KeyObject); call it where the key is zeroed. */
export function forgetKey(privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array)) throw new TypeError('privateKey must be a Uint8Array');
  forgetPrivateKey(privateKey);
}

/**
 * Throws InvalidPointError unless `publicKey` is a 33-byte compressed point on P-256 (x < p, a
 * square). The import that checks it is remembered, so the DH that follows does not redo it.
 */
export function checkPublicKey(publicKey: Uint8Array): void {
  checkCompressedShape(publicKey);
  if (publicKeyObject(publicKey) === null) throw new InvalidPointError('public key is not a point on P-256');
}

/** Derives the compressed public key of a 32-byte private scalar (throws RangeError if out of range). */
export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  checkPrivate(privateKey);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  return new Uint8Array(ecdh.getPublicKey(null, 'compressed'));
}

/**
 * DH(keypair, pubkey) as the protocol defines it: `publicKey` must be exactly 33 bytes,
 * prefix 0x02/0x03, x < p and on the curve; the output is the 32-byte x-coordinate.
 */
export function dh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  checkCompressedShape(publicKey);
  return ecdhSec1(privateKey, publicKey);
}

function checkCompressedShape(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new InvalidPointError('public key must be a 33-byte compressed point');
  }
  if (publicKey[0] !== 0x02 && publicKey[0] !== 0x03) throw new InvalidPointError('public key must be compressed');
}

/**
 * Plain ECDH over any SEC 1 encoding (compressed or uncompressed) through OpenSSL.
 * Exported for the Wycheproof tests, which also carry uncompressed points; the wire uses `dh`.
 */
export function ecdhSec1(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  // A remembered key was range-checked when it was remembered: noble's check (a bigint parse, on
  // every DH before) runs only for a scalar seen for the first time.
  let ownKey = privateKey instanceof Uint8Array ? rememberedPrivateKeyObject(privateKey) : null;
  if (ownKey === null) {
    checkPrivate(privateKey);
    ownKey = privateKeyObject(privateKey);
  }
  if (!(publicKey instanceof Uint8Array)) throw new InvalidPointError('public key must be a Uint8Array');
  // The point at infinity (0x00) and hybrid encodings (0x06/0x07) are refused before OpenSSL sees them.
  const prefix = publicKey[0];
  const okShape =
    ((prefix === 0x02 || prefix === 0x03) && publicKey.length === 33) || (prefix === 0x04 && publicKey.length === 65);
  if (!okShape) throw new InvalidPointError('not a SEC 1 compressed or uncompressed P-256 point');
  // OpenSSL decodes the point on import and checks x, y < p and the curve equation.
  const peer = publicKeyObject(publicKey);
  if (peer === null) throw new InvalidPointError('public key is not a point on P-256');
  // The secret's own bytes are returned (a view, not a copy), so that the caller's zeroing
  // (handshake-state.ts) reaches them.
  const secret = diffieHellman({ privateKey: ownKey, publicKey: peer });
  return new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength);
}

/** The same DH on @noble/curves: the independent implementation the tests compare against. */
export function nobleEcdhSec1(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  checkPrivate(privateKey);
  let shared: Uint8Array;
  try {
    shared = p256.getSharedSecret(privateKey, publicKey, true);
  } catch {
    throw new InvalidPointError('public key is not a point on P-256');
  }
  return shared.slice(1);
}

/**
 * Decompresses a 33-byte point to the 65-byte uncompressed SEC 1 form, strictly: prefix 0x02/0x03,
 * x < p and x³ − 3x + b a square mod p (OpenSSL's point decoding refuses the rest).
 *
 * On node:crypto rather than noble because it is on the handshake's path: the peer's static key is
 * decompressed for its fingerprint. Measured on the build machine: ~25–40 µs through OpenSSL
 * against ~230 µs through noble's square root; and a key the handshake has just received and
 * checked was decompressed by that import already (p256-keys.ts), so it costs nothing here. Tests
 * compare it with noble's answer.
 */
export function uncompressPublicKey(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) throw new InvalidPointError('public key must be 33 bytes');
  if (publicKey[0] !== 0x02 && publicKey[0] !== 0x03) throw new InvalidPointError('public key must be compressed');
  const point = uncompressedPoint(publicKey);
  if (point === null) throw new InvalidPointError('public key is not a point on P-256');
  return point;
}

/** Compresses a 65-byte uncompressed point to 33 bytes (strict, via noble). */
export function compressPublicKey(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 65) throw new InvalidPointError('public key must be 65 bytes');
  try {
    return p256.Point.fromBytes(publicKey).toBytes(true);
  } catch {
    throw new InvalidPointError('public key is not a point on P-256');
  }
}

function checkPrivate(privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array)) throw new TypeError('privateKey must be a Uint8Array');
  if (privateKey.length !== PRIVATE_KEY_LENGTH || !p256.utils.isValidSecretKey(privateKey)) {
    throw new RangeError('privateKey must be a 32-byte scalar in [1, n-1]');
  }
}
