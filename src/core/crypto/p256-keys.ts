/**
 * P-256 keys as node:crypto KeyObjects, imported once and reused, for the DH of p256.ts.
 *
 * Why: `crypto.diffieHellman` on two KeyObjects (OpenSSL's EVP derive) measured ~50–55 µs here,
 * against ~120–140 µs for an `ECDH` object (`createECDH`, `setPrivateKey`, `computeSecret`), which
 * also re-derives the public key of the private scalar on every call. Importing a key costs about
 * as much as one derive, so it pays only when the import is reused: the peer's ephemeral key takes
 * part in two DH per side and is checked on receipt, the local static key in every handshake. So a
 * key is imported once and remembered for the life of its byte array (a WeakMap on the array), and
 * a remembered entry is used only while the array still holds the bytes it was imported from.
 *
 * Private keys: the entry keeps a copy of the scalar for that check; `forgetPrivateKey` zeroes the
 * copy and drops the entry (the handshake calls it where it zeroes its ephemeral key). The KeyObject
 * itself cannot be wiped from JS (as for the AES keys); dropping it is what we can do.
 */
import { createECDH, ECDH } from 'node:crypto';

const PRIVATE_LENGTH = 32;

type PublicEntry = { readonly bytes: Uint8Array; readonly key: Buffer };
type PrivateEntry = { readonly bytes: Uint8Array; readonly key: ECDH };

const publicKeys = new WeakMap<Uint8Array, PublicEntry>();
const privateKeys = new WeakMap<Uint8Array, PrivateEntry>();

/** The uncompressed form of a SEC 1 point, or null when OpenSSL refuses it. */
export function publicKeyObject(point: Uint8Array): Buffer | null {
  const cached = publicKeys.get(point);
  if (cached !== undefined && sameBytes(cached.bytes, point)) return cached.key;
  let key: Buffer;
  try {
    key = ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
  } catch {
    return null;
  }
  publicKeys.set(point, { bytes: point.slice(), key });
  return key;
}

/** The ECDH object of a 32-byte scalar the caller has checked to be in [1, n-1]. */
export function privateKeyObject(scalar: Uint8Array): ECDH {
  const cached = privateKeys.get(scalar);
  if (cached !== undefined) {
    if (sameBytes(cached.bytes, scalar)) return cached.key;
    forgetPrivateKey(scalar);
  }
  const key = createECDH('prime256v1');
  key.setPrivateKey(scalar);
  remember(scalar, key);
  return key;
}

/** Zeroes the remembered copy of `scalar` and drops its KeyObject (call it where the scalar is zeroed). */
export function forgetPrivateKey(scalar: Uint8Array): void {
  const cached = privateKeys.get(scalar);
  if (cached === undefined) return;
  cached.bytes.fill(0);
  privateKeys.delete(scalar);
}

/** A fresh key pair from OpenSSL: the scalar (the caller owns and zeroes it), the uncompressed point, the key remembered. */
export function generateKeyObjects(): { readonly scalar: Uint8Array; readonly point: Uint8Array } {
  const key = createECDH('prime256v1');
  key.generateKeys();
  const raw = key.getPrivateKey();
  const scalar = new Uint8Array(PRIVATE_LENGTH);
  scalar.set(raw, PRIVATE_LENGTH - raw.length);
  raw.fill(0);
  remember(scalar, key);
  return { scalar, point: new Uint8Array(key.getPublicKey()) };
}

function remember(scalar: Uint8Array, key: ECDH): void {
  privateKeys.set(scalar, { bytes: scalar.slice(), key });
}

// Not constant-time on purpose: both sides are our own copies of the same array's bytes.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
