/**
 * SHA-256 and SHA-512 (hash.ts) against the examples published with FIPS 180-2 (appendices B and C:
 * "abc", the two-block messages, one million "a") plus the empty string; and the multi-part form and
 * HMAC against @noble/hashes, an independent implementation (hash.ts runs on node:crypto).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256, sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../../../src/core/crypto/bytes.ts';
import { hmacSha256, sha256, sha512 } from '../../../src/core/crypto/hash.ts';
import { Tally } from './vectors.ts';

const TWO_BLOCK_256 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const TWO_BLOCK_512 =
  'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
const MILLION_A = 'a'.repeat(1_000_000);

const CASES: readonly { name: string; fn: typeof sha256; message: string; digest: string }[] = [
  { name: 'SHA-256 "abc"', fn: sha256, message: 'abc', digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { name: 'SHA-256 ""', fn: sha256, message: '', digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { name: 'SHA-256 448-bit', fn: sha256, message: TWO_BLOCK_256, digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1' },
  { name: 'SHA-256 10^6 "a"', fn: sha256, message: MILLION_A, digest: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0' },
  {
    name: 'SHA-512 "abc"',
    fn: sha512,
    message: 'abc',
    digest:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  },
  {
    name: 'SHA-512 ""',
    fn: sha512,
    message: '',
    digest:
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
  },
  {
    name: 'SHA-512 896-bit',
    fn: sha512,
    message: TWO_BLOCK_512,
    digest:
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
  },
  {
    name: 'SHA-512 10^6 "a"',
    fn: sha512,
    message: MILLION_A,
    digest:
      'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
  },
];

describe('SHA-256 / SHA-512 known answers', () => {
  it('gives the FIPS 180-2 digests', () => {
    const tally = new Tally();
    for (const c of CASES) {
      const got = toHex(c.fn(utf8(c.message)));
      tally.record(c.name, got === c.digest ? [] : [`got ${got}`]);
    }
    tally.summary('FIPS 180-2 SHA-256/SHA-512 examples');
    expect(tally.failures).toEqual([]);
    expect(tally.passed).toBe(8);
  });

  it('hashes the concatenation of its parts, as @noble/hashes does', () => {
    const parts = fc.array(fc.uint8Array({ maxLength: 150 }), { maxLength: 5 });
    fc.assert(
      fc.property(parts, (ps) => {
        const whole = concatBytes(...ps);
        expect(toHex(sha256(...ps))).toBe(toHex(nobleSha256(whole)));
        expect(toHex(sha512(...ps))).toBe(toHex(nobleSha512(whole)));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('computes HMAC-SHA-256 as @noble/hashes does, keys shorter and longer than a block included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (key, data) => {
        const keyCopy = key.slice();
        const dataCopy = data.slice();
        expect(toHex(hmacSha256(key, data))).toBe(toHex(hmac(nobleSha256, key, data)));
        // The inputs are read, never zeroed or changed (only hash.ts's own copies are).
        expect(key).toEqual(keyCopy);
        expect(data).toEqual(dataCopy);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
