/**
 * uncompressPublicKey decodes points through OpenSSL (it is on the handshake's hot path); noble's
 * decoder is the independent second opinion: on any 33 bytes, both accept with the same point or
 * both refuse. Random x, and the edges where a lax decoder would go wrong (x ≥ p, x reduced mod p).
 */
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/crypto/bytes.ts';
import { generateKeyPair, InvalidPointError, uncompressPublicKey } from '../../../src/core/crypto/p256.ts';

const P = BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff');

function encode(prefix: number, x: bigint): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = prefix;
  out.set(Buffer.from(x.toString(16).padStart(64, '0'), 'hex'), 1);
  return out;
}

function viaOpenssl(b: Uint8Array): string {
  try {
    return toHex(uncompressPublicKey(b));
  } catch (e) {
    if (e instanceof InvalidPointError) return 'invalid';
    throw e;
  }
}

function viaNoble(b: Uint8Array): string {
  try {
    return toHex(p256.Point.fromBytes(b).toBytes(false));
  } catch {
    return 'invalid';
  }
}

describe('uncompressPublicKey (OpenSSL) against noble', () => {
  it('agrees on random 33-byte inputs with a compressed prefix', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.constantFrom(0x02, 0x03), fc.uint8Array({ minLength: 32, maxLength: 32 }), (prefix, x) => {
        const b = Uint8Array.from([prefix, ...x]);
        const ours = viaOpenssl(b);
        if (ours !== 'invalid') valid++;
        expect(ours).toBe(viaNoble(b));
      }),
      { seed: 42, numRuns: 2000 },
    );
    // About half of all x are on the curve: both branches were exercised.
    expect(valid).toBeGreaterThan(800);
    expect(valid).toBeLessThan(1200);
  });

  it('agrees on real keys and refuses every x outside [0, p) even when x mod p is a valid x', () => {
    for (let i = 0; i < 50; i++) {
      const { publicKey } = generateKeyPair();
      expect(viaOpenssl(publicKey)).toBe(viaNoble(publicKey));
      expect(viaOpenssl(publicKey)).not.toBe('invalid');
    }
    let small = 0n;
    while (viaNoble(encode(0x02, small)) === 'invalid') small++;
    const cases = [encode(0x02, small), encode(0x02, small + P), encode(0x03, small + P), encode(0x02, P), encode(0x02, P - 1n), encode(0x03, 2n ** 256n - 1n), encode(0x02, 0n)];
    for (const b of cases) expect([toHex(b), viaOpenssl(b)]).toEqual([toHex(b), viaNoble(b)]);
    expect(viaOpenssl(encode(0x02, small + P))).toBe('invalid');
  });

  it('refuses other prefixes and lengths that OpenSSL alone would read (the point at infinity, uncompressed)', () => {
    const valid = generateKeyPair().publicKey;
    for (const b of [new Uint8Array(1), new Uint8Array(33), Uint8Array.from([0x04, ...valid.subarray(1)]), uncompressPublicKey(valid)]) {
      expect(() => uncompressPublicKey(b)).toThrow(InvalidPointError);
    }
  });
});
