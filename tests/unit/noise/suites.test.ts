/** The function sets in suites.ts: names, lengths, and how their failures surface to the engine. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../src/core/crypto/bytes.ts';
import { nobleEcdhSec1 } from '../../../src/core/crypto/p256.ts';
import { NoiseInvalidPointError } from '../../../src/core/noise/errors.ts';
import { CIPHER_AESGCM, DH_25519, DH_P256, HASH_SHA256, P256_AESGCM_SHA256, X25519_AESGCM_SHA256 } from '../../../src/core/noise/suites.ts';
import { protocolName } from '../../../src/core/noise/types.ts';

describe('suites', () => {
  it('name the protocol as spec section 8 does', () => {
    expect(protocolName('XX', P256_AESGCM_SHA256)).toBe('Noise_XX_P256_AESGCM_SHA256');
    expect(protocolName('IK', X25519_AESGCM_SHA256)).toBe('Noise_IK_25519_AESGCM_SHA256');
    expect([DH_P256.dhLen, DH_P256.publicKeyLength, DH_25519.dhLen, DH_25519.publicKeyLength]).toEqual([32, 33, 32, 32]);
    expect([CIPHER_AESGCM.keyLength, CIPHER_AESGCM.tagLength, HASH_SHA256.hashLen, HASH_SHA256.blockLen]).toEqual([32, 16, 32, 64]);
  });

  it('P256: DH agrees with the independent noble implementation and gives the 32-byte x', () => {
    for (let i = 0; i < 5; i++) {
      const a = DH_P256.generateKeyPair();
      const b = DH_P256.generateKeyPair();
      expect(a.publicKey).toHaveLength(33);
      expect(toHex(DH_P256.publicKeyFromPrivate(a.privateKey))).toBe(toHex(a.publicKey));
      const ab = DH_P256.dh(a.privateKey, b.publicKey);
      expect(ab).toHaveLength(32);
      expect(toHex(ab)).toBe(toHex(DH_P256.dh(b.privateKey, a.publicKey)));
      expect(toHex(ab)).toBe(toHex(nobleEcdhSec1(a.privateKey, b.publicKey)));
    }
  });

  it('P256: an invalid remote key is a NoiseInvalidPointError, a bad local key stays a RangeError', () => {
    const a = DH_P256.generateKeyPair();
    const uncompressed = new Uint8Array(65);
    uncompressed[0] = 0x04;
    for (const bad of [new Uint8Array(33), Uint8Array.of(0x02), uncompressed, fromHex('02' + 'ff'.repeat(32))]) {
      expect(() => DH_P256.dh(a.privateKey, bad)).toThrow(NoiseInvalidPointError);
      expect(() => DH_P256.validatePublicKey(bad)).toThrow(NoiseInvalidPointError);
    }
    expect(() => DH_P256.validatePublicKey(a.publicKey)).not.toThrow();
    expect(() => DH_P256.dh(new Uint8Array(32), a.publicKey)).toThrow(RangeError);
  });

  it('25519: RFC 7748 section 6.1, and low-order points are refused', () => {
    const alice = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPublic = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(toHex(DH_25519.publicKeyFromPrivate(alice))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(toHex(DH_25519.dh(alice, bobPublic))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    expect(() => DH_25519.dh(alice, new Uint8Array(32))).toThrow(NoiseInvalidPointError);
    expect(() => DH_25519.validatePublicKey(new Uint8Array(31))).toThrow(NoiseInvalidPointError);
    expect(() => DH_25519.validatePublicKey(bobPublic)).not.toThrow();
  });
});
