/**
 * CipherState (spec section 5.1): nonce handling, exhaustion at 2^64 - 1, failures that leave the
 * nonce alone, rekey, destroy. Expected ciphertexts come from node:crypto called directly here,
 * not through aes-gcm.ts, so that the check is independent of the code under test.
 */
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noiseNonce } from '../../../src/core/crypto/aes-gcm.ts';
import { concatBytes, toHex } from '../../../src/core/crypto/bytes.ts';
import { CipherState, MAX_NONCE } from '../../../src/core/noise/cipher-state.ts';
import { NoiseDecryptError, NoiseError, NoiseStateError, NonceExhaustedError } from '../../../src/core/noise/errors.ts';
import { CIPHER_AESGCM } from '../../../src/core/noise/suites.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const EMPTY = new Uint8Array(0);
const PT = new TextEncoder().encode('attack at dawn');

/** AES-256-GCM with the Noise nonce (4 zero bytes || big-endian counter), straight from OpenSSL. */
function reference(key: Uint8Array, n: bigint, ad: Uint8Array, pt: Uint8Array): Uint8Array {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(n, 4);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(ad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}

function keyed(nonce = 0n): CipherState {
  const cs = new CipherState(CIPHER_AESGCM);
  cs.initializeKey(KEY);
  if (nonce !== 0n) cs.setNonce(nonce);
  return cs;
}

describe('CipherState', () => {
  it('without a key, EncryptWithAd and DecryptWithAd return the input unchanged', () => {
    const cs = new CipherState(CIPHER_AESGCM);
    expect(cs.hasKey()).toBe(false);
    expect(toHex(cs.encryptWithAd(EMPTY, PT))).toBe(toHex(PT));
    expect(toHex(cs.decryptWithAd(EMPTY, PT))).toBe(toHex(PT));
    expect(cs.nonce).toBe(0n);
  });

  it('encrypts with n = 0, 1, 2, ... and the Noise nonce layout', () => {
    const ad = Uint8Array.of(1, 2, 3);
    const cs = keyed();
    for (let n = 0n; n < 3n; n++) {
      expect(toHex(cs.encryptWithAd(ad, PT))).toBe(toHex(reference(KEY, n, ad, PT)));
    }
    expect(cs.nonce).toBe(3n);
    // The big-endian counter at the top of the range, where a little-endian layout would differ.
    const high = 0x0102030405060708n;
    expect(toHex(keyed(high).encryptWithAd(ad, PT))).toBe(toHex(reference(KEY, high, ad, PT)));
  });

  it('decrypts in order and increments the nonce', () => {
    const sender = keyed();
    const receiver = keyed();
    for (let i = 0; i < 3; i++) expect(toHex(receiver.decryptWithAd(EMPTY, sender.encryptWithAd(EMPTY, PT)))).toBe(toHex(PT));
    expect(receiver.nonce).toBe(3n);
  });

  it('a failed decryption throws NoiseDecryptError and does not advance the nonce', () => {
    const ct = keyed().encryptWithAd(EMPTY, PT);
    const receiver = keyed();
    const bad = ct.slice();
    bad[0]! ^= 1;
    expect(() => receiver.decryptWithAd(EMPTY, bad)).toThrow(NoiseDecryptError);
    expect(() => receiver.decryptWithAd(Uint8Array.of(0), ct)).toThrow(NoiseDecryptError);
    expect(() => receiver.decryptWithAd(EMPTY, ct.subarray(0, 15))).toThrow(NoiseDecryptError);
    expect(receiver.nonce).toBe(0n);
    expect(toHex(receiver.decryptWithAd(EMPTY, ct))).toBe(toHex(PT));
    expect(receiver.nonce).toBe(1n);
  });

  it('at nonce 2^64 - 2 encrypts once, then throws NonceExhaustedError (2^64 - 1 is never used)', () => {
    const cs = keyed(MAX_NONCE - 1n);
    const last = cs.encryptWithAd(EMPTY, PT);
    expect(toHex(last)).toBe(toHex(reference(KEY, MAX_NONCE - 1n, EMPTY, PT)));
    expect(cs.nonce).toBe(MAX_NONCE);
    expect(() => cs.encryptWithAd(EMPTY, PT)).toThrow(NonceExhaustedError);
    expect(() => cs.encryptWithAd(EMPTY, PT)).toThrow(NoiseError);
    expect(cs.nonce).toBe(MAX_NONCE);

    const receiver = keyed(MAX_NONCE - 1n);
    expect(toHex(receiver.decryptWithAd(EMPTY, last))).toBe(toHex(PT));
    // Even a ciphertext really made with nonce 2^64 - 1 is refused.
    const atMax = reference(KEY, MAX_NONCE, EMPTY, PT);
    expect(() => receiver.decryptWithAd(EMPTY, atMax)).toThrow(NonceExhaustedError);
    const fresh = keyed(MAX_NONCE);
    expect(() => fresh.decryptWithAd(EMPTY, atMax)).toThrow(NonceExhaustedError);
  });

  it('SetNonce accepts [0, 2^64 - 1] and nothing else', () => {
    const cs = keyed();
    expect(() => cs.setNonce(-1n)).toThrow(RangeError);
    expect(() => cs.setNonce(MAX_NONCE + 1n)).toThrow(RangeError);
    expect(() => cs.setNonce(5 as unknown as bigint)).toThrow(RangeError);
    cs.setNonce(MAX_NONCE);
    expect(cs.nonce).toBe(MAX_NONCE);
  });

  it('InitializeKey resets the nonce and refuses keys of the wrong size', () => {
    const cs = keyed(7n);
    cs.initializeKey(KEY);
    expect(cs.nonce).toBe(0n);
    expect(() => cs.initializeKey(new Uint8Array(31))).toThrow(RangeError);
    cs.initializeKey(null);
    expect(cs.hasKey()).toBe(false);
  });

  it('Rekey uses the default REKEY of spec section 4.2 and keeps the nonce', () => {
    const cs = keyed(5n);
    cs.rekey();
    expect(cs.nonce).toBe(5n);
    const newKey = reference(KEY, MAX_NONCE, EMPTY, new Uint8Array(32)).subarray(0, 32);
    expect(toHex(cs.encryptWithAd(EMPTY, PT))).toBe(toHex(reference(newKey, 5n, EMPTY, PT)));
    expect(() => new CipherState(CIPHER_AESGCM).rekey()).toThrow(NoiseStateError);
  });

  it('destroy() drops the key and never falls back to the keyless pass-through', () => {
    const cs = keyed();
    cs.destroy();
    expect(cs.hasKey()).toBe(false);
    expect(() => cs.encryptWithAd(EMPTY, PT)).toThrow(NoiseStateError);
    expect(() => cs.decryptWithAd(EMPTY, PT)).toThrow(NoiseStateError);
    expect(() => cs.initializeKey(KEY)).toThrow(NoiseStateError);
  });

  it('argument types are checked and named', () => {
    const cs = keyed();
    expect(() => cs.encryptWithAd('x' as unknown as Uint8Array, PT)).toThrow(/ad/);
    expect(() => cs.encryptWithAd(EMPTY, [1, 2] as unknown as Uint8Array)).toThrow(/plaintext/);
    expect(() => cs.decryptWithAd(EMPTY, null as unknown as Uint8Array)).toThrow(/ciphertext/);
    expect(cs.nonce).toBe(0n);
  });
});

describe('noiseNonce', () => {
  it('is 4 zero bytes and the 64-bit big-endian counter, across the whole range', () => {
    const reference = (n: bigint): string => {
      const iv = new Uint8Array(12);
      new DataView(iv.buffer).setBigUint64(4, n, false);
      return toHex(iv);
    };
    const edges = [0n, 1n, 0xffn, 0x100n, 0xffff_ffffn, 0x1_0000_0000n, 0x0123_4567_89ab_cdefn, 0x8000_0000_0000_0000n, 2n ** 64n - 2n, 2n ** 64n - 1n];
    for (const n of edges) expect(toHex(noiseNonce(n)), `n = ${n}`).toBe(reference(n));
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => toHex(noiseNonce(n)) === reference(n)), { seed: 7, numRuns: 2000 });
    expect(() => noiseNonce(-1n)).toThrow(RangeError);
    expect(() => noiseNonce(2n ** 64n)).toThrow(RangeError);
  });
});

describe('encryptWithAdParts', () => {
  it('gives ciphertext || tag as pieces (ciphertext, then the tag), and counts the nonce alike', () => {
    const key = new Uint8Array(32).map((_, i) => i);
    const whole = new CipherState(CIPHER_AESGCM);
    const pieces = new CipherState(CIPHER_AESGCM);
    const opener = new CipherState(CIPHER_AESGCM);
    for (const cs of [whole, pieces, opener]) cs.initializeKey(key);
    for (const length of [0, 1, 100, 3000, 65_519]) {
      const message = new Uint8Array(length).map((_, i) => i * 13);
      const ad = Uint8Array.of(length & 0xff);
      const expected = whole.encryptWithAd(ad, message);
      const got = pieces.encryptWithAdParts(ad, message);
      expect(got.map((p) => p.length)).toEqual([length, 16]);
      expect(toHex(concatBytes(...got))).toBe(toHex(expected));
      expect(toHex(opener.decryptWithAd(ad, concatBytes(...got)))).toBe(toHex(message));
    }
    expect(pieces.nonce).toBe(whole.nonce);
  });

  it('without a key, one piece: a copy of the plaintext; a destroyed state or an exhausted nonce throws', () => {
    const cs = new CipherState(CIPHER_AESGCM);
    const plain = Uint8Array.of(1, 2, 3);
    const [copy, ...rest] = cs.encryptWithAdParts(new Uint8Array(0), plain);
    expect(rest).toEqual([]);
    expect(toHex(copy!)).toBe('010203');
    expect(copy).not.toBe(plain);
    cs.initializeKey(new Uint8Array(32));
    cs.setNonce(MAX_NONCE);
    expect(() => cs.encryptWithAdParts(new Uint8Array(0), plain)).toThrow(NonceExhaustedError);
    cs.destroy();
    expect(() => cs.encryptWithAdParts(new Uint8Array(0), plain)).toThrow(NoiseStateError);
  });
});
