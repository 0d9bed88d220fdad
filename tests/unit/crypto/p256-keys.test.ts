/**
 * The remembered KeyObjects of p256-keys.ts as the DH uses them: a remembered scalar skips the
 * range check only while its array still holds the remembered bytes, and imports run without
 * stack traces but leave Error.stackTraceLimit as they found it, on success and on failure.
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { dh, ecdhSec1, forgetKey, generateKeyPair, InvalidPointError, nobleEcdhSec1 } from '../../../src/core/crypto/p256.ts';
import { publicKeyObject, rememberedPrivateKeyObject, uncompressedPoint } from '../../../src/core/crypto/p256-keys.ts';
import { noiseHkdf } from '../../../src/core/crypto/hash.ts';
import { uncompressPublicKey } from '../../../src/core/crypto/p256.ts';

describe('remembered private keys', () => {
  it('a generated key is remembered, and its DH agrees with noble', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(rememberedPrivateKeyObject(a.privateKey)).not.toBeNull();
    expect(ecdhSec1(a.privateKey, b.publicKey)).toEqual(nobleEcdhSec1(a.privateKey, b.publicKey));
  });

  it('an array overwritten after it was remembered is range-checked again (zero is refused)', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    dh(a.privateKey, b.publicKey);
    a.privateKey.fill(0);
    expect(rememberedPrivateKeyObject(a.privateKey)).toBeNull();
    expect(() => dh(a.privateKey, b.publicKey)).toThrow(RangeError);
  });

  it('an array overwritten with another valid scalar computes with the new scalar, not the remembered key', () => {
    const a = generateKeyPair();
    const other = generateKeyPair();
    const b = generateKeyPair();
    dh(a.privateKey, b.publicKey);
    a.privateKey.set(other.privateKey);
    expect(dh(a.privateKey, b.publicKey)).toEqual(nobleEcdhSec1(other.privateKey, b.publicKey));
  });

  it('a forgotten key is no longer remembered', () => {
    const a = generateKeyPair();
    forgetKey(a.privateKey);
    expect(rememberedPrivateKeyObject(a.privateKey)).toBeNull();
  });
});

describe('remembered public keys', () => {
  it('are found by their bytes: a copy of the array gets the same KeyObject, and the point handed out is a copy', () => {
    const { publicKey } = generateKeyPair();
    const key = publicKeyObject(publicKey);
    expect(key).not.toBeNull();
    expect(publicKeyObject(publicKey.slice())).toBe(key);
    const point = uncompressedPoint(publicKey.slice()) as Uint8Array;
    expect(point).toEqual(p256.Point.fromBytes(publicKey).toBytes(false));
    point.fill(0);
    expect(uncompressPublicKey(publicKey)).toEqual(p256.Point.fromBytes(publicKey).toBytes(false));
  });

  it('are bounded: after many other keys, the first is imported again', () => {
    const { publicKey } = generateKeyPair();
    const key = publicKeyObject(publicKey);
    for (let i = 0; i < 300; i++) publicKeyObject(generateKeyPair().publicKey);
    const again = publicKeyObject(publicKey);
    expect(again).not.toBeNull();
    expect(again).not.toBe(key);
  });
});

describe('imports without stack traces', () => {
  it('restore Error.stackTraceLimit after a valid and after a refused point', () => {
    const before = Error.stackTraceLimit;
    expect(publicKeyObject(generateKeyPair().publicKey)).not.toBeNull();
    expect(Error.stackTraceLimit).toBe(before);
    // x = p - 1 with prefix 0x02: not on P-256 (no square root), OpenSSL refuses it.
    const bad = Uint8Array.from(Buffer.from('02ffffffff00000001000000000000000000000000fffffffffffffffffffffffe', 'hex'));
    expect(publicKeyObject(bad)).toBeNull();
    expect(Error.stackTraceLimit).toBe(before);
    expect(() => dh(generateKeyPair().privateKey, bad)).toThrow(InvalidPointError);
    expect(Error.stackTraceLimit).toBe(before);
  });

  it('HKDF (hkdfSync probes its key argument too) restores Error.stackTraceLimit', () => {
    const before = Error.stackTraceLimit;
    expect(noiseHkdf(new Uint8Array(32), new Uint8Array(32), 2)).toHaveLength(2);
    expect(Error.stackTraceLimit).toBe(before);
  });
});
