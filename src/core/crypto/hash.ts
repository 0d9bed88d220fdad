/**
 * SHA-256, HMAC-SHA-256 and the Noise HKDF, on node:crypto's one-shot `hash()` (OpenSSL).
 *
 * Why not @noble/hashes (used before): a handshake makes ~10 MixHash and 4 HKDF (12 HMAC) calls
 * per side on short inputs, where noble's per-call set-up and garbage dominated: measured here
 * ~3.5 µs per SHA-256 and ~7 µs per HMAC against ~2 µs and ~4 µs through `hash()`. HMAC is written
 * out (RFC 2104) over `hash()` because `createHmac` builds a KeyObject-backed context per call and
 * measured slower than noble. The tests check all of it against FIPS 180 / Wycheproof vectors and
 * against noble as an independent implementation.
 */
import { hash } from 'node:crypto';

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
 * Written out rather than calling a generic RFC 5869 HKDF so that it reads like the spec.
 */
export function noiseHkdf(chainingKey: Uint8Array, ikm: Uint8Array, numOutputs: 2 | 3): Uint8Array[] {
  const tempKey = hmacSha256(chainingKey, ikm);
  const out1 = hmacSha256(tempKey, Uint8Array.of(0x01));
  const out2 = hmacWithByte(tempKey, out1, 0x02);
  if (numOutputs === 2) {
    tempKey.fill(0);
    return [out1, out2];
  }
  const out3 = hmacWithByte(tempKey, out2, 0x03);
  tempKey.fill(0);
  return [out1, out2, out3];
}

// HMAC(key, secret || byte). The concatenation is a copy of a secret output (the next chaining
// key or a cipher key), so it is zeroed once hashed, like the other key buffers here.
function hmacWithByte(key: Uint8Array, secret: Uint8Array, byte: number): Uint8Array {
  const message = new Uint8Array(secret.length + 1);
  message.set(secret);
  message[secret.length] = byte;
  try {
    return hmacSha256(key, message);
  } finally {
    message.fill(0);
  }
}

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
