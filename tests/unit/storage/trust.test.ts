/** The trust-warnings repository over a real node:sqlite store. */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../src/core/crypto/p256.ts';
import { fingerprintHex } from '../../../src/core/crypto/fingerprint.ts';
import { createKeyFileSealer } from '../../../src/core/identity/key-file-sealer.ts';
import { openDataDir, type Store } from '../../../src/core/storage/data-dir.ts';
import { cleanupTempDirs, tempDir } from './helpers.ts';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  cleanupTempDirs();
});

function open(dir = tempDir()): Store {
  const s = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
  stores.push(s);
  return s;
}

function contact(store: Store): string {
  const { publicKey } = generateKeyPair();
  store.contacts.upsertSeen({ publicKey, name: 'Carol' });
  return fingerprintHex(publicKey);
}

describe('trust warnings', () => {
  it('set, get, replace and clear; they survive a restart', () => {
    const dir = tempDir();
    let store = open(dir);
    const fp = contact(store);
    const old = contact(store);
    expect(store.trust.get(fp)).toBeNull();
    store.trust.set(fp, { code: 'name-collision', replaces: old, blocking: false });
    store.trust.set(fp, { code: 'key-changed', replaces: old, blocking: true });
    store.close();
    stores.length = 0;
    store = open(dir);
    expect(store.trust.get(fp)).toEqual({ code: 'key-changed', replaces: old, blocking: true });
    store.trust.clear(fp);
    expect(store.trust.get(fp)).toBeNull();
    store.trust.clear(fp); // closing twice is fine
  });

  it('an open mark only gets stronger: a later non-blocking warning never replaces a blocking one (issue 11)', () => {
    const store = open();
    const fp = contact(store);
    const bob = contact(store);
    const carol = contact(store);
    store.trust.set(fp, { code: 'name-collision', replaces: bob, blocking: true });
    store.trust.set(fp, { code: 'key-changed', replaces: carol, blocking: false });
    expect(store.trust.get(fp)).toEqual({ code: 'name-collision', replaces: bob, blocking: true });
    // An equally strong one does not replace it either: the first open warning stands until decided.
    store.trust.set(fp, { code: 'key-changed', replaces: carol, blocking: true });
    expect(store.trust.get(fp)).toEqual({ code: 'name-collision', replaces: bob, blocking: true });
    // Only the user's decision closes it; after that a new warning is recorded as it comes.
    store.trust.clear(fp);
    store.trust.set(fp, { code: 'key-changed', replaces: carol, blocking: false });
    expect(store.trust.get(fp)).toEqual({ code: 'key-changed', replaces: carol, blocking: false });
  });

  it('refuses marks for unknown contacts and malformed arguments', () => {
    const store = open();
    const fp = contact(store);
    expect(() => store.trust.set('f'.repeat(64), { code: 'key-changed', replaces: fp, blocking: true })).toThrow(/FOREIGN KEY/);
    expect(() => store.trust.get('XYZ')).toThrow(RangeError);
    expect(() => store.trust.set(fp, { code: 'key-changed', replaces: 'nope', blocking: true })).toThrow(RangeError);
    expect(() => store.trust.set(fp, { code: 'other' as never, replaces: fp, blocking: true })).toThrow(RangeError);
    expect(() => store.trust.set(fp, { code: 'key-changed', replaces: fp, blocking: 1 as never })).toThrow(TypeError);
    expect(store.trust.get(fp)).toBeNull();
  });
});
