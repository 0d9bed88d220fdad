/** SHA-256, HMAC-SHA-256 and the Noise HKDF, on @noble/hashes (audited, spec-exact). */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';

export const HASHLEN = 32;
export const BLOCKLEN = 64;

/** SHA-256 of the concatenation of the parts. */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** SHA-512 of the concatenation of the parts (used by the safety number). */
export function sha512(...parts: readonly Uint8Array[]): Uint8Array {
  const h = nobleSha512.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** HMAC-SHA-256(key, data). */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha256, key, data);
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
  const message = concat2(secret, byte);
  try {
    return hmacSha256(key, message);
  } finally {
    message.fill(0);
  }
}

function concat2(a: Uint8Array, byte: number): Uint8Array {
  const out = new Uint8Array(a.length + 1);
  out.set(a);
  out[a.length] = byte;
  return out;
}
