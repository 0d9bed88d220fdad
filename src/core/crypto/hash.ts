/**
 * SHA-256, HMAC-SHA-256 and the Noise HKDF, on node:crypto's one-shot `hash()` and `hkdfSync()`
 * (OpenSSL).
 *
 * Why not @noble/hashes (used before): a handshake makes ~10 MixHash and 4 HKDF calls per side on
 * short inputs, where noble's per-call set-up and garbage dominated: measured here ~3.5 µs per
 * SHA-256 and ~7 µs per HMAC against ~2 µs and ~4 µs through `hash()`. HMAC is written out
 * (RFC 2104) over `hash()` because `createHmac` builds a KeyObject-backed context per call and
 * measured slower than noble. The tests check all of it against FIPS 180 / Wycheproof vectors and
 * against noble as an independent implementation.
 */
import { hash, hkdfSync } from 'node:crypto';
import { withoutStackTraces } from './no-stack-traces.ts';

export const HASHLEN = 32;
export const BLOCKLEN = 64;

const IPAD = 0x36;
const OPAD = 0x5c;

/** SHA-256 of the concatenation of the parts. */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  return digest('sha256', parts);
}

/** SHA-512 of the concatenation of the parts (used by the safety number). */
export function sha512(...parts: readonly Uint8Array[]): Uint8Array {
  return digest('sha512', parts);
}

/** HMAC-SHA-256(key, data) (RFC 2104; a key longer than BLOCKLEN is hashed first). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || !(data instanceof Uint8Array)) throw new TypeError('hmacSha256: key and data must be Uint8Arrays');
  const shortKey = key.length > BLOCKLEN ? sha256(key) : key;
  // Every buffer below holds key material (and `inner` a copy of data, often a DH output): zeroed once hashed.
  const inner = new Uint8Array(BLOCKLEN + data.length);
  const outer = new Uint8Array(BLOCKLEN + HASHLEN);
  let innerHash: Uint8Array | null = null;
  try {
    inner.set(shortKey);
    outer.set(shortKey);
    for (let i = 0; i < BLOCKLEN; i++) {
      inner[i] = (inner[i] as number) ^ IPAD;
      outer[i] = (outer[i] as number) ^ OPAD;
    }
    inner.set(data, BLOCKLEN);
    innerHash = oneShot('sha256', inner);
    outer.set(innerHash, BLOCKLEN);
    return oneShot('sha256', outer);
  } finally {
    inner.fill(0);
    outer.fill(0);
    innerHash?.fill(0);
    if (shortKey !== key) shortKey.fill(0);
  }
}

/**
 * The Noise HKDF (spec section 4.3): returns 2 or 3 outputs of HASHLEN bytes.
 *
 * It is exactly RFC 5869 HKDF with salt = chaining key, IKM = input key material and an empty
 * info (temp_key is HKDF-Extract, output i is T(i) of HKDF-Expand), so it runs as one `hkdfSync`
 * call into OpenSSL: measured ~13 µs here against ~30 µs for the six HMAC calls written out in JS,
 * and a handshake makes four of them per side. wycheproof-hkdf.test.ts checks the equivalence.
 */
export function noiseHkdf(chainingKey: Uint8Array, ikm: Uint8Array, numOutputs: 2 | 3): Uint8Array[] {
  if (!(chainingKey instanceof Uint8Array) || !(ikm instanceof Uint8Array)) throw new TypeError('noiseHkdf: chainingKey and ikm must be Uint8Arrays');
  const okm = new Uint8Array(withoutStackTraces(() => hkdfSync('sha256', ikm, chainingKey, EMPTY, numOutputs * HASHLEN)));
  // Separate arrays, as before: each output is zeroed (or kept) on its own by the caller. The joint
  // output is zeroed once copied; OpenSSL cleanses its own copies.
  const outputs: Uint8Array[] = [];
  for (let i = 0; i < numOutputs; i++) outputs.push(okm.slice(i * HASHLEN, (i + 1) * HASHLEN));
  okm.fill(0);
  return outputs;
}

const EMPTY = new Uint8Array(0);

function digest(algorithm: 'sha256' | 'sha512', parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return oneShot(algorithm, parts[0] as Uint8Array);
  let length = 0;
  for (const p of parts) length += p.length;
  const input = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    input.set(p, offset);
    offset += p.length;
  }
  // The concatenation may hold secrets (a handshake hash input is not secret, but callers vary).
  try {
    return oneShot(algorithm, input);
  } finally {
    input.fill(0);
  }
}

// `hash()` returns a Buffer; a plain Uint8Array view of the same bytes keeps the module's
// return type (and the caller's zeroing reaches the digest's only copy).
function oneShot(algorithm: 'sha256' | 'sha512', input: Uint8Array): Uint8Array {
  if (!(input instanceof Uint8Array)) throw new TypeError('hash input must be a Uint8Array');
  const out = hash(algorithm, input, 'buffer');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
