/**
 * Wycheproof hkdf_sha256_test.json through @noble/hashes hkdf (the HKDF the project depends on), and
 * the Noise HKDF of hash.ts checked against RFC 5869: Noise's HKDF(ck, ikm, n) is RFC 5869 HKDF with
 * salt = ck, empty info and L = 32 n, cut into 32-byte outputs (Noise spec section 4.3).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, equalBytes, toHex } from '../../../src/core/crypto/bytes.ts';
import { HASHLEN, noiseHkdf } from '../../../src/core/crypto/hash.ts';
import { hexField, loadWycheproof, Tally } from './vectors.ts';

const EMPTY = new Uint8Array(0);

function rfc5869(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdf(nobleSha256, ikm, salt, info, length);
}

describe('Wycheproof HKDF-SHA-256', () => {
  const file = loadWycheproof('hkdf_sha256_test');

  it('derives every valid okm and refuses every invalid size; noiseHkdf matches where info is empty', () => {
    const tally = new Tally();
    let noiseChecked = 0;
    for (const group of file.testGroups) {
      for (const tc of group.tests) {
        const problems: string[] = [];
        const ikm = hexField(tc, 'ikm');
        const salt = hexField(tc, 'salt');
        const info = hexField(tc, 'info');
        const size = Number(tc.size);
        if (tc.result === 'valid') {
          const okm = rfc5869(salt, ikm, info, size);
          const expected = hexField(tc, 'okm');
          if (!equalBytes(okm, expected)) problems.push(`okm ${toHex(okm)}`);
          // Where a case is a Noise HKDF (empty info, at least two outputs), the Noise code must give
          // its first 64 bytes: HKDF's output for a longer L starts with the output for a shorter one.
          if (info.length === 0 && size >= 2 * HASHLEN) {
            noiseChecked++;
            const [o1, o2] = noiseHkdf(salt, ikm, 2);
            if (!equalBytes(concatBytes(o1!, o2!), expected.subarray(0, 2 * HASHLEN))) problems.push('noiseHkdf differs');
          }
        } else if (tc.result === 'invalid') {
          // All three invalid cases ask for 8161 > 255 * 32 bytes (SizeTooLarge).
          let threw = false;
          try {
            rfc5869(salt, ikm, info, size);
          } catch {
            threw = true;
          }
          if (!threw) problems.push(`size ${size} was not refused`);
        } else {
          problems.push('acceptable case: none expected');
        }
        tally.record(tc.tcId, problems);
      }
    }
    tally.summary('wycheproof hkdf_sha256_test');
    expect(tally.failures).toEqual([]);
    expect(tally.ran).toBe(86);
    expect(tally.passed).toBe(86);
    expect(noiseChecked).toBe(9);
  });

  it('RFC 5869 A.1 (tcId 1) is in the file as published', () => {
    const tc = file.testGroups.flatMap((g) => g.tests).find((t) => t.tcId === 1)!;
    expect(tc.comment).toBe('RFC 5869');
    expect(toHex(rfc5869(hexField(tc, 'salt'), hexField(tc, 'ikm'), hexField(tc, 'info'), 42))).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });
});

describe('noiseHkdf is RFC 5869 HKDF(salt = ck, ikm, info = empty) split into 32-byte outputs', () => {
  const ck = fc.uint8Array({ minLength: HASHLEN, maxLength: HASHLEN });
  const ikm = fc.oneof(
    fc.constant(EMPTY),
    fc.uint8Array({ minLength: 32, maxLength: 33 }), // DH outputs and keys
    fc.uint8Array({ minLength: 0, maxLength: 200 }), // including more than one HMAC block
  );

  for (const n of [2, 3] as const) {
    it(`with ${n} outputs`, () => {
      fc.assert(
        fc.property(ck, ikm, (chainingKey, input) => {
          const outputs = noiseHkdf(chainingKey, input, n);
          expect(outputs).toHaveLength(n);
          const okm = rfc5869(chainingKey, input, EMPTY, n * HASHLEN);
          for (let i = 0; i < n; i++) {
            expect(toHex(outputs[i]!)).toBe(toHex(okm.subarray(i * HASHLEN, (i + 1) * HASHLEN)));
          }
        }),
        { seed: 42, numRuns: 300 },
      );
    });
  }
});
