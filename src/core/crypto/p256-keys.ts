/**
 * P-256 keys as node:crypto KeyObjects, imported once and reused, for the DH of p256.ts.
 *
 * Why: `crypto.diffieHellman` on two KeyObjects (OpenSSL's EVP derive) measured ~50–55 µs here,
 * against ~120–140 µs for an `ECDH` object (`createECDH`, `setPrivateKey`, `computeSecret`), which
 * also re-derives the public key of the private scalar on every call. Importing a key costs about
 * as much as one derive, so it pays only when the import is reused: the peer's ephemeral key takes
 * part in two DH per side and is checked on receipt, the local static key in every handshake. So a
 * key is imported once and remembered: a public key by its bytes (the last few), a private key for
 * the life of its byte array (a WeakMap on the array), used only while the array still holds the
 * bytes it was imported from.
 *
 * Private keys: the entry keeps a copy of the scalar for that check; `forgetPrivateKey` zeroes the
 * copy and drops the entry (the handshake calls it where it zeroes its ephemeral key). The KeyObject
 * itself cannot be wiped from JS (as for the AES keys); dropping it is what we can do.
 *
 * Imports run without stack traces (no-stack-traces.ts): a handshake imports two keys per side on
 * its critical path.
 */
import { createPrivateKey, createPublicKey, ECDH, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { withoutStackTraces } from './no-stack-traces.ts';

const PRIVATE_LENGTH = 32;

// The DER SubjectPublicKeyInfo prefix for id-ecPublicKey / prime256v1 with an uncompressed (65-byte)
// point: every length in it is fixed, so prefix || point is exact DER.
const SPKI_UNCOMPRESSED = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
// SEC 1 ECPrivateKey { version 1, privateKey, parameters prime256v1 } without the optional public
// key, which OpenSSL derives on import.
const SEC1_HEAD = Buffer.from('30310201010420', 'hex');
const SEC1_TAIL = Buffer.from('a00a06082a8648ce3d030107', 'hex');
// What OpenSSL exports for a generated key: the same head with the public key appended, so the
// scalar sits at [7, 39) and the uncompressed point at [56, 121).
const SEC1_EXPORT_HEAD = Buffer.from('30770201010420', 'hex');
const SEC1_EXPORT_MIDDLE = Buffer.from('a00a06082a8648ce3d030107a144034200', 'hex');

type PublicEntry = { readonly key: KeyObject; readonly uncompressed: Uint8Array };
type PrivateEntry = { readonly bytes: Uint8Array; readonly key: KeyObject };

/**
 * Recently imported public keys by their bytes (public data, so a content key is safe), most
 * recent last: a handshake imports the peer's key on receipt and uses it for its DH in the same
 * step, and the peer's static key is decompressed again for its fingerprint right after the
 * handshake (by the handshake, and by the contacts store) — while up to 64 other handshakes in
 * progress import their keys in between. Bounded, so a flood of keys costs re-imports, never memory.
 */
const RECENT_PUBLIC_KEYS = 256;
const publicKeys = new Map<string, PublicEntry>();
const privateKeys = new WeakMap<Uint8Array, PrivateEntry>();

/**
 * The KeyObject of a SEC 1 point (33 bytes compressed or 65 uncompressed; the caller checks the
 * shape), or null when OpenSSL refuses it: x or y ≥ p, not on the curve, no square root.
 */
export function publicKeyObject(point: Uint8Array): KeyObject | null {
  return publicEntry(point)?.key ?? null;
}

/**
 * The 65-byte uncompressed form (a fresh copy) of a SEC 1 point, with the same checks and the
 * same null as publicKeyObject; both come from one import.
 */
export function uncompressedPoint(point: Uint8Array): Uint8Array | null {
  return publicEntry(point)?.uncompressed.slice() ?? null;
}

// Why a compressed point is decompressed first (ECDH.convertKey: 0x02/0x03, x < p, a square) and
// imported in its uncompressed DER form (OpenSSL checks x, y < p and the curve equation again):
// measured ~45 µs for both together against ~65 µs for importing the compressed DER, and the
// decompressed point is the fingerprint's input, which would otherwise cost another ~20 µs.
function publicEntry(point: Uint8Array): PublicEntry | null {
  const id = Buffer.from(point.buffer, point.byteOffset, point.byteLength).toString('latin1');
  const cached = publicKeys.get(id);
  if (cached !== undefined) {
    publicKeys.delete(id);
    publicKeys.set(id, cached);
    return cached;
  }
  let entry: PublicEntry;
  try {
    // Without stack traces here too: a refused point (anyone can send one) throws from convertKey.
    entry = withoutStackTraces(() => {
      const uncompressed = point.length === 33 ? toUint8(ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed') as Buffer) : point.slice();
      const der = Buffer.concat([SPKI_UNCOMPRESSED, uncompressed]);
      return { key: createPublicKey({ key: der, format: 'der', type: 'spki' }), uncompressed };
    });
  } catch {
    return null;
  }
  if (publicKeys.size >= RECENT_PUBLIC_KEYS) publicKeys.delete(publicKeys.keys().next().value as string);
  publicKeys.set(id, entry);
  return entry;
}

function toUint8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The KeyObject of a 32-byte scalar the caller has checked to be in [1, n-1]. */
export function privateKeyObject(scalar: Uint8Array): KeyObject {
  const cached = privateKeys.get(scalar);
  if (cached !== undefined) {
    if (sameBytes(cached.bytes, scalar)) return cached.key;
    forgetPrivateKey(scalar);
  }
  const der = Buffer.concat([SEC1_HEAD, scalar, SEC1_TAIL]);
  try {
    const key = withoutStackTraces(() => createPrivateKey({ key: der, format: 'der', type: 'sec1' }));
    remember(scalar, key);
    return key;
  } finally {
    der.fill(0);
  }
}

/**
 * The remembered KeyObject of a scalar, or null when there is none or the array no longer holds the
 * bytes it was made from. A hit needs no range check: the scalar was checked (or came from OpenSSL)
 * when it was remembered.
 */
export function rememberedPrivateKeyObject(scalar: Uint8Array): KeyObject | null {
  const cached = privateKeys.get(scalar);
  return cached !== undefined && sameBytes(cached.bytes, scalar) ? cached.key : null;
}

/** Zeroes the remembered copy of `scalar` and drops its KeyObject (call it where the scalar is zeroed). */
export function forgetPrivateKey(scalar: Uint8Array): void {
  const cached = privateKeys.get(scalar);
  if (cached === undefined) return;
  cached.bytes.fill(0);
  privateKeys.delete(scalar);
}

/** A fresh key pair from OpenSSL: the scalar (the caller owns and zeroes it), the uncompressed point, the KeyObject remembered. */
export function generateKeyObjects(): { readonly scalar: Uint8Array; readonly point: Uint8Array } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ format: 'der', type: 'sec1' });
  try {
    const layoutOk =
      der.length === 121 &&
      der.subarray(0, 7).equals(SEC1_EXPORT_HEAD) &&
      der.subarray(39, 56).equals(SEC1_EXPORT_MIDDLE) &&
      der[56] === 0x04;
    // Not expected from OpenSSL 3; loud rather than a key read from the wrong bytes.
    if (!layoutOk) throw new Error('generateKeyObjects: unexpected SEC 1 export layout');
    const scalar = new Uint8Array(der.subarray(7, 7 + PRIVATE_LENGTH));
    remember(scalar, privateKey);
    return { scalar, point: new Uint8Array(der.subarray(56, 121)) };
  } finally {
    der.fill(0);
  }
}

function remember(scalar: Uint8Array, key: KeyObject): void {
  privateKeys.set(scalar, { bytes: scalar.slice(), key });
}

// Not constant-time on purpose: both sides are our own copies of the same array's bytes.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
