/**
 * SymmetricState (spec section 5.2), checked against node:crypto's own SHA-256 and RFC 5869 HKDF
 * (the Noise HKDF(ck, ikm, n) is RFC 5869 with salt = ck and empty info), independent of hash.ts.
 */
import { createCipheriv, createHash, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../../../src/core/crypto/bytes.ts';
import { NoiseStateError } from '../../../src/core/noise/errors.ts';
import { P256_AESGCM_SHA256 } from '../../../src/core/noise/suites.ts';
import { SymmetricState } from '../../../src/core/noise/symmetric-state.ts';

const NAME = 'Noise_XX_P256_AESGCM_SHA256';
const EMPTY = new Uint8Array(0);

const sha256 = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(createHash('sha256').update(concatBytes(...parts)).digest());
const hkdf = (ck: Uint8Array, ikm: Uint8Array, n: number): Uint8Array[] => {
  const okm = new Uint8Array(hkdfSync('sha256', ikm, ck, EMPTY, 32 * n));
  return Array.from({ length: n }, (_, i) => okm.slice(32 * i, 32 * i + 32));
};
const aesGcm = (key: Uint8Array, n: bigint, ad: Uint8Array, pt: Uint8Array): Uint8Array => {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(n, 4);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(ad);
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
};

describe('SymmetricState', () => {
  it('InitializeSymmetric zero-pads a name of at most HASHLEN bytes', () => {
    const ss = new SymmetricState(P256_AESGCM_SHA256, NAME);
    const padded = new Uint8Array(32);
    padded.set(utf8(NAME));
    expect(toHex(ss.getHandshakeHash())).toBe(toHex(padded));
    expect(toHex(ss.chainingKeyBufferForTest())).toBe(toHex(padded));
    // Exactly 32 bytes: still used as is.
    const name32 = 'Noise_XX_P256_AESGCM_SHA256_abcd';
    expect(utf8(name32)).toHaveLength(32);
    expect(toHex(new SymmetricState(P256_AESGCM_SHA256, name32).getHandshakeHash())).toBe(toHex(utf8(name32)));
  });

  it('InitializeSymmetric hashes a longer name', () => {
    const long = 'Noise_XXpsk0+psk1+psk2+psk3_25519_AESGCM_SHA256';
    const ss = new SymmetricState(P256_AESGCM_SHA256, long);
    expect(toHex(ss.getHandshakeHash())).toBe(toHex(sha256(utf8(long))));
    expect(toHex(ss.chainingKeyBufferForTest())).toBe(toHex(sha256(utf8(long))));
  });

  it('MixHash, MixKey, EncryptAndHash, DecryptAndHash follow the spec step by step', () => {
    let h: Uint8Array = new Uint8Array(32);
    h.set(utf8(NAME));
    let ck: Uint8Array = h.slice();
    const ss = new SymmetricState(P256_AESGCM_SHA256, NAME);
    const peer = new SymmetricState(P256_AESGCM_SHA256, NAME);

    const prologue = utf8('parley/1');
    ss.mixHash(prologue);
    peer.mixHash(prologue);
    h = sha256(h, prologue);
    expect(toHex(ss.getHandshakeHash())).toBe(toHex(h));

    // Before any key, EncryptAndHash is the identity but still hashes.
    const clear = utf8('hello');
    expect(toHex(ss.encryptAndHash(clear))).toBe(toHex(clear));
    expect(toHex(peer.decryptAndHash(clear))).toBe(toHex(clear));
    h = sha256(h, clear);

    const ikm = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    ss.mixKey(ikm);
    peer.mixKey(ikm);
    const [ck1, k] = hkdf(ck, ikm, 2) as [Uint8Array, Uint8Array];
    ck = ck1;
    expect(toHex(ss.chainingKeyBufferForTest())).toBe(toHex(ck));
    expect(ss.hasKey()).toBe(true);

    const ct = ss.encryptAndHash(clear);
    expect(toHex(ct)).toBe(toHex(aesGcm(k, 0n, h, clear)));
    expect(toHex(peer.decryptAndHash(ct))).toBe(toHex(clear));
    h = sha256(h, ct);
    expect(toHex(ss.getHandshakeHash())).toBe(toHex(h));
    expect(toHex(peer.getHandshakeHash())).toBe(toHex(h));

    // Split: two keys from HKDF(ck, empty, 2); ck is zeroed.
    const ckBuffer = ss.chainingKeyBufferForTest();
    const [c1, c2] = ss.split();
    const [k1, k2] = hkdf(ck, EMPTY, 2) as [Uint8Array, Uint8Array];
    expect(toHex(c1.encryptWithAd(EMPTY, clear))).toBe(toHex(aesGcm(k1, 0n, EMPTY, clear)));
    expect(toHex(c2.encryptWithAd(EMPTY, clear))).toBe(toHex(aesGcm(k2, 0n, EMPTY, clear)));
    expect(ckBuffer.every((b) => b === 0)).toBe(true);
    expect(toHex(ss.getHandshakeHash())).toBe(toHex(h));
    expect(() => ss.mixHash(clear)).toThrow(NoiseStateError);
    expect(() => ss.split()).toThrow(NoiseStateError);
  });

  it('MixKeyAndHash uses the three HKDF outputs', () => {
    const ss = new SymmetricState(P256_AESGCM_SHA256, NAME);
    const h0 = ss.getHandshakeHash();
    const ck0 = h0.slice();
    const ikm = utf8('psk psk psk psk psk psk psk psk!');
    ss.mixKeyAndHash(ikm);
    const [ck, tempH, k] = hkdf(ck0, ikm, 3) as [Uint8Array, Uint8Array, Uint8Array];
    const h = sha256(h0, tempH);
    expect(toHex(ss.chainingKeyBufferForTest())).toBe(toHex(ck));
    expect(toHex(ss.getHandshakeHash())).toBe(toHex(h));
    expect(toHex(ss.encryptAndHash(EMPTY))).toBe(toHex(aesGcm(k, 0n, h, EMPTY)));
  });

  it('destroy() zeroes ck and h and refuses further use', () => {
    const ss = new SymmetricState(P256_AESGCM_SHA256, NAME);
    ss.mixKey(new Uint8Array(32).fill(7));
    const ck = ss.chainingKeyBufferForTest();
    ss.destroy();
    expect(ck.every((b) => b === 0)).toBe(true);
    expect(() => ss.getHandshakeHash()).toThrow(NoiseStateError);
    expect(() => ss.encryptAndHash(EMPTY)).toThrow(NoiseStateError);
  });
});
