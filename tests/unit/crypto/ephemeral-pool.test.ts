/**
 * The ephemeral key pool (ephemeral-pool.ts) and the imported-key memory behind P-256 DH
 * (p256-keys.ts): no pair is ever handed out twice, the pool refills on later turns of the loop,
 * clear() zeroes what waits, and a remembered key is never used for bytes it was not imported from.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/core/crypto/bytes.ts';
import { DEFAULT_POOL_SIZE, EphemeralPool } from '../../../src/core/crypto/ephemeral-pool.ts';
import { dh, forgetKey, generateKeyPair, nobleEcdhSec1, publicKeyFromPrivate, type KeyPair } from '../../../src/core/crypto/p256.ts';
import { DH_P256, P256_EPHEMERAL_POOL } from '../../../src/core/noise/suites.ts';

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}

describe('EphemeralPool', () => {
  it('hands out every generated pair exactly once, whether from the pool or made on the spot', async () => {
    const made: KeyPair[] = [];
    const pool = new EphemeralPool(() => {
      const pair = generateKeyPair();
      made.push(pair);
      return pair;
    }, forgetKey, 4);
    const taken: KeyPair[] = [];
    // Takes in bursts (emptying the pool) and with idle turns between (the pool refilled).
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 6; i++) taken.push(pool.take());
      await turns(round % 2 === 0 ? 10 : 1);
    }
    const objects = new Set(taken);
    const publicKeys = new Set(taken.map((p) => toHex(p.publicKey)));
    const privateKeys = new Set(taken.map((p) => toHex(p.privateKey)));
    expect(objects.size).toBe(taken.length);
    expect(publicKeys.size).toBe(taken.length);
    expect(privateKeys.size).toBe(taken.length);
    // Nothing handed out came from anywhere but the generator, and what waits was never handed out.
    for (const p of taken) expect(made).toContain(p);
    expect(made.length).toBe(taken.length + pool.ready);
    pool.clear();
  });

  it('refills to its size on later turns of the loop, one pair per turn, and not beyond', async () => {
    let generated = 0;
    const pool = new EphemeralPool(() => {
      generated++;
      return generateKeyPair();
    }, forgetKey, 3);
    expect(pool.ready).toBe(0);
    pool.take(); // made on the spot
    expect(generated).toBe(1);
    expect(pool.ready).toBe(0); // nothing is generated in the taker's own turn
    await turns(1);
    expect(pool.ready).toBe(1);
    await turns(10);
    expect(pool.ready).toBe(3);
    expect(generated).toBe(4);
    pool.take();
    expect(pool.ready).toBe(2);
    await turns(10);
    expect(pool.ready).toBe(3);
    pool.clear();
  });

  it('clear() zeroes the waiting private keys and stops the refill', async () => {
    const made: KeyPair[] = [];
    const pool = new EphemeralPool(() => {
      const pair = generateKeyPair();
      made.push(pair);
      return pair;
    }, forgetKey, 2);
    pool.take();
    await turns(10);
    const waiting = made.slice(1);
    expect(waiting).toHaveLength(2);
    pool.clear();
    for (const p of waiting) expect(p.privateKey.every((b) => b === 0)).toBe(true);
    await turns(5);
    expect(pool.ready).toBe(0);
    expect(made).toHaveLength(3);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new EphemeralPool(generateKeyPair, forgetKey, 0)).toThrow(RangeError);
    expect(() => new EphemeralPool(generateKeyPair, forgetKey, 1.5)).toThrow(RangeError);
    expect(DEFAULT_POOL_SIZE).toBeGreaterThan(0);
  });

  it("the P-256 suite's ephemeral keys come from the shared pool, each a valid pair once", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3 * DEFAULT_POOL_SIZE; i++) {
      const pair = DH_P256.generateKeyPair();
      expect(toHex(publicKeyFromPrivate(pair.privateKey))).toBe(toHex(pair.publicKey));
      seen.add(toHex(pair.privateKey));
      if (i % 4 === 0) await turns(3);
    }
    expect(seen.size).toBe(3 * DEFAULT_POOL_SIZE);
    P256_EPHEMERAL_POOL.clear();
  });
});

describe('P-256 keys imported once', () => {
  it('a private key changed in place is imported again, not answered from the old import', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const before = dh(a.privateKey, b.publicKey);
    const other = generateKeyPair();
    a.privateKey.set(other.privateKey);
    expect(toHex(dh(a.privateKey, b.publicKey))).toBe(toHex(nobleEcdhSec1(other.privateKey, b.publicKey)));
    expect(toHex(dh(a.privateKey, b.publicKey))).not.toBe(toHex(before));
  });

  it('a zeroed private key is refused, whether or not it was forgotten first', () => {
    const b = generateKeyPair();
    for (const forget of [true, false]) {
      const a = generateKeyPair();
      dh(a.privateKey, b.publicKey);
      if (forget) forgetKey(a.privateKey);
      a.privateKey.fill(0);
      expect(() => dh(a.privateKey, b.publicKey)).toThrow(RangeError);
    }
  });

  it('a public key changed in place is checked and used as it is now', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const c = generateKeyPair();
    const peer = b.publicKey.slice();
    expect(toHex(dh(a.privateKey, peer))).toBe(toHex(nobleEcdhSec1(a.privateKey, b.publicKey)));
    peer.set(c.publicKey);
    expect(toHex(dh(a.privateKey, peer))).toBe(toHex(nobleEcdhSec1(a.privateKey, c.publicKey)));
    peer[1] = (peer[1] as number) ^ 0xff; // most such x have no point: either refused or the true DH
    let outcome: string;
    try {
      outcome = toHex(dh(a.privateKey, peer));
    } catch (e) {
      outcome = (e as Error).name;
    }
    let expected: string;
    try {
      expected = toHex(nobleEcdhSec1(a.privateKey, peer));
    } catch (e) {
      expected = (e as Error).name;
    }
    expect(outcome).toBe(expected);
  });
});
