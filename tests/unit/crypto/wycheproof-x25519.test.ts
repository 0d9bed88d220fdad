/**
 * Wycheproof x25519_test.json through x25519.ts, with node:crypto (OpenSSL) as a second opinion.
 *
 * How "acceptable" cases are treated (decided from their flags):
 * - ZeroSharedSecret (31 cases: low-order public keys, including non-canonical encodings of them):
 *   X25519 would give 32 zero bytes; x25519.ts `dh` throws InvalidPointError instead, which the Noise
 *   spec (section 12.1) allows, and OpenSSL refuses them too.
 * - every other acceptable case (Twist, NonCanonicalPublic, SpecialPublicKey, EdgeCase*: 223 cases):
 *   RFC 7748 says to compute them (mask the top bit, reduce u mod p), so `dh` must return `shared`.
 */
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concatBytes, equalBytes, fromHex, toHex } from '../../../src/core/crypto/bytes.ts';
import { InvalidPointError } from '../../../src/core/crypto/p256.ts';
import { dh, generateKeyPair, publicKeyFromPrivate } from '../../../src/core/crypto/x25519.ts';
import { hexField, loadWycheproof, Tally } from './vectors.ts';

// DER wrappers for raw X25519 keys (RFC 8410): node:crypto takes no raw X25519 keys otherwise.
const PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');
const SPKI_PREFIX = fromHex('302a300506032b656e032100');

function opensslX25519(priv: Uint8Array, pub: Uint8Array): Uint8Array | null {
  const privateKey = createPrivateKey({ key: Buffer.from(concatBytes(PKCS8_PREFIX, priv)), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey({ key: Buffer.from(concatBytes(SPKI_PREFIX, pub)), format: 'der', type: 'spki' });
  try {
    return new Uint8Array(diffieHellman({ privateKey, publicKey }));
  } catch {
    return null; // OpenSSL refuses an all-zero result
  }
}

describe('Wycheproof X25519', () => {
  const file = loadWycheproof('x25519_test');

  it('computes every valid and non-degenerate acceptable case, refuses the all-zero ones, agrees with OpenSSL', () => {
    const tally = new Tally();
    const counts = { computed: 0, refused: 0 };
    for (const group of file.testGroups) {
      for (const tc of group.tests) {
        const problems: string[] = [];
        const priv = hexField(tc, 'private');
        const pub = hexField(tc, 'public');
        const shared = hexField(tc, 'shared');
        const zeroFlag = tc.flags.includes('ZeroSharedSecret');
        if (zeroFlag !== shared.every((b) => b === 0)) problems.push('ZeroSharedSecret flag and shared value disagree');
        if (tc.result === 'invalid') problems.push('invalid case: none expected in this file');
        if (zeroFlag && tc.result !== 'acceptable') problems.push('a zero shared secret marked valid');
        const mustRefuse = zeroFlag;

        let ours: Uint8Array | 'refused';
        try {
          ours = dh(priv, pub);
        } catch (e) {
          if (!(e instanceof InvalidPointError)) problems.push(`unexpected ${String(e)}`);
          ours = 'refused';
        }
        if (mustRefuse) {
          counts.refused++;
          if (ours !== 'refused') problems.push(`computed ${toHex(ours)} for a low-order key`);
        } else {
          counts.computed++;
          if (ours === 'refused' || !equalBytes(ours, shared)) problems.push(`got ${ours === 'refused' ? ours : toHex(ours)}`);
        }
        const theirs = opensslX25519(priv, pub);
        if ((theirs === null) !== (ours === 'refused') || (theirs && ours !== 'refused' && !equalBytes(theirs, ours))) {
          problems.push(`OpenSSL disagrees: ${theirs && toHex(theirs)}`);
        }
        tally.record(tc.tcId, problems);
      }
    }
    tally.summary('wycheproof x25519_test');
    expect(tally.failures).toEqual([]);
    expect(tally.passed).toBe(518);
    expect(counts).toEqual({ computed: 487, refused: 31 });
  });

  it('RFC 7748 section 6.1: the Alice/Bob exchange', () => {
    const alicePriv = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPriv = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    const alicePub = publicKeyFromPrivate(alicePriv);
    const bobPub = publicKeyFromPrivate(bobPriv);
    expect(toHex(alicePub)).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(toHex(bobPub)).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(toHex(dh(alicePriv, bobPub))).toBe(k);
    expect(toHex(dh(bobPriv, alicePub))).toBe(k);
  });

  it('generated key pairs agree with each other and with publicKeyFromPrivate', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.privateKey).toHaveLength(32);
    expect(toHex(publicKeyFromPrivate(a.privateKey))).toBe(toHex(a.publicKey));
    expect(toHex(dh(a.privateKey, b.publicKey))).toBe(toHex(dh(b.privateKey, a.publicKey)));
    expect(toHex(a.privateKey)).not.toBe(toHex(b.privateKey));
  });

  it('refuses wrong types and lengths', () => {
    const { privateKey, publicKey } = generateKeyPair();
    expect(() => dh(privateKey, publicKey.subarray(1))).toThrow(InvalidPointError);
    expect(() => dh(privateKey, new Uint8Array(33))).toThrow(InvalidPointError);
    expect(() => dh(privateKey, toHex(publicKey) as unknown as Uint8Array)).toThrow(InvalidPointError);
    expect(() => dh(privateKey.subarray(1), publicKey)).toThrow(RangeError);
    expect(() => dh(null as unknown as Uint8Array, publicKey)).toThrow(TypeError);
    expect(() => publicKeyFromPrivate(new Uint8Array(31))).toThrow(RangeError);
    expect(() => publicKeyFromPrivate([...privateKey] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
