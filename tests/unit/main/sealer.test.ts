/**
 * The safeStorage sealer and the keychain's availability. safeStorage is a stand-in for Electron's
 * module (its runtime cannot run here), doing real AES-256-GCM under its own key like a keychain.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSafeStorageSealer, keychainStatus } from '../../../src/main/sealer.ts';
import { fakeSafeStorage } from './fakes.ts';

describe('keychainStatus', () => {
  it('is available only where safeStorage encrypts and, on Linux, a real secret store backs it', () => {
    expect(keychainStatus(fakeSafeStorage(), 'darwin')).toEqual({ available: true, reason: null });
    expect(keychainStatus(fakeSafeStorage(), 'win32')).toEqual({ available: true, reason: null });
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'] as const) {
      expect(keychainStatus(fakeSafeStorage({ backend }), 'linux').available, backend).toBe(true);
    }
    for (const backend of ['basic_text', 'unknown'] as const) {
      const s = keychainStatus(fakeSafeStorage({ backend }), 'linux');
      expect(s.available, backend).toBe(false);
      expect(s.reason).toMatch(/no system keychain/);
    }
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(keychainStatus(fakeSafeStorage({ available: false }), platform)).toEqual({
        available: false,
        reason: 'the system keychain is not available to Parley on this computer',
      });
    }
  });

  it('treats a throwing isEncryptionAvailable as unavailable', () => {
    const safe = { ...fakeSafeStorage(), isEncryptionAvailable: () => { throw new Error('not ready'); } };
    expect(keychainStatus(safe, 'darwin').available).toBe(false);
  });
});

describe('createSafeStorageSealer', () => {
  it('round-trips every byte string (fast-check, seed 42)', () => {
    const sealer = createSafeStorageSealer(fakeSafeStorage());
    expect(sealer.kind).toBe('keychain');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (plain) => {
        const sealed = sealer.seal(plain);
        expect(sealed[0]).toBe(1);
        expect(sealer.unseal(sealed)).toEqual(plain);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('refuses data that another keychain sealed, that was altered, or that is not in its format', () => {
    const sealer = createSafeStorageSealer(fakeSafeStorage());
    const other = createSafeStorageSealer(fakeSafeStorage());
    const plain = new Uint8Array(65).map((_, i) => i);
    const sealed = sealer.seal(plain);
    expect(() => other.unseal(sealed)).toThrow();
    for (let i = 1; i < sealed.length; i += 7) {
      const bad = sealed.slice();
      bad[i] = (bad[i] ?? 0) ^ 1;
      expect(() => sealer.unseal(bad)).toThrow();
    }
    const wrongVersion = sealed.slice();
    wrongVersion[0] = 2;
    expect(() => sealer.unseal(wrongVersion)).toThrow(RangeError);
    expect(() => sealer.unseal(new Uint8Array([1]))).toThrow(RangeError);
    expect(() => sealer.seal('text' as never)).toThrow(TypeError);
    expect(() => sealer.unseal([1, 2] as never)).toThrow(TypeError);
  });

  it('refuses a keychain answer that is not the base64 it wrote', () => {
    const safe = fakeSafeStorage();
    const sealer = createSafeStorageSealer({ ...safe, decryptString: () => 'not base64!' });
    expect(() => sealer.unseal(sealer.seal(new Uint8Array([1, 2, 3])))).toThrow(/unknown format/);
  });
});
