/**
 * The keychain sealer and the keychain's availability. safeStorage is a stand-in for Electron's
 * module (its runtime cannot run here), doing real AES-256-GCM under its own key like a keychain;
 * the key file is real, in a temporary folder.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeychainSealer, keychainStatus, loadKeychainKey } from '../../../src/main/sealer.ts';
import { fakeSafeStorage } from './fakes.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function keyPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-kc-'));
  dirs.push(dir);
  return join(dir, 'keychain.key');
}

describe('keychainStatus', () => {
  it('is available only where safeStorage encrypts and, on Linux, a real secret store backs it', async () => {
    expect(await keychainStatus(fakeSafeStorage(), 'darwin')).toEqual({ available: true, reason: null });
    expect(await keychainStatus(fakeSafeStorage(), 'win32')).toEqual({ available: true, reason: null });
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'] as const) {
      expect((await keychainStatus(fakeSafeStorage({ backend }), 'linux')).available, backend).toBe(true);
    }
    for (const backend of ['basic_text', 'unknown'] as const) {
      const s = await keychainStatus(fakeSafeStorage({ backend }), 'linux');
      expect(s.available, backend).toBe(false);
      expect(s.reason).toMatch(/no system keychain/);
    }
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(await keychainStatus(fakeSafeStorage({ available: false }), platform)).toEqual({
        available: false,
        reason: 'the system keychain is not available to Parley on this computer',
      });
    }
  });

  it('treats a failing isAsyncEncryptionAvailable as unavailable', async () => {
    const safe = { ...fakeSafeStorage(), isAsyncEncryptionAvailable: () => Promise.reject(new Error('not ready')) };
    expect((await keychainStatus(safe, 'darwin')).available).toBe(false);
  });
});

describe('loadKeychainKey', () => {
  it('makes the key once (owner-only file, wrapped by the keychain), then unwraps the same key', async () => {
    const safe = fakeSafeStorage();
    const path = keyPath();
    const key = await loadKeychainKey(safe, path);
    expect(key).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path).includes(Buffer.from(key).toString('base64'))).toBe(false); // wrapped, not in clear
    expect(await loadKeychainKey(safe, path)).toEqual(key);
    expect(safe.calls).toEqual(['encrypt', 'decrypt']);
  });

  it('re-encrypts the file when safeStorage asks (shouldReEncrypt), keeping the same key', async () => {
    const safe = fakeSafeStorage();
    const path = keyPath();
    const key = await loadKeychainKey(safe, path);
    const before = readFileSync(path);
    safe.rotate();
    safe.calls.length = 0;
    expect(await loadKeychainKey(safe, path)).toEqual(key);
    expect(safe.calls).toEqual(['decrypt', 'encrypt']);
    const after = readFileSync(path);
    expect(after.equals(before)).toBe(false);
    safe.calls.length = 0;
    expect(await loadKeychainKey(safe, path)).toEqual(key); // now current: no more re-encryption
    expect(safe.calls).toEqual(['decrypt']);
  });

  it('refuses a file another keychain wrapped, or that is not a key file', async () => {
    const path = keyPath();
    await loadKeychainKey(fakeSafeStorage(), path);
    await expect(loadKeychainKey(fakeSafeStorage(), path)).rejects.toThrow();
    writeFileSync(path, '', { mode: 0o600 });
    await expect(loadKeychainKey(fakeSafeStorage(), path)).rejects.toThrow(/not a keychain key file/);
    const safe = fakeSafeStorage();
    const other = keyPath();
    writeFileSync(other, await safe.encryptStringAsync('not a key'), { mode: 0o600 });
    await expect(loadKeychainKey(safe, other)).rejects.toThrow(/format/);
  });
});

describe('createKeychainSealer', () => {
  const key = new Uint8Array(32).map((_, i) => i);

  it('round-trips every byte string (fast-check, seed 42)', () => {
    const sealer = createKeychainSealer(key);
    expect(sealer.kind).toBe('keychain');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (plain) => {
        const sealed = sealer.seal(plain);
        expect(sealed[0]).toBe(2);
        expect(sealer.unseal(sealed)).toEqual(plain);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('refuses data another key sealed, that was altered, or that is not in its format', () => {
    const sealer = createKeychainSealer(key);
    const other = createKeychainSealer(new Uint8Array(32).fill(7));
    const plain = new Uint8Array(65).map((_, i) => i);
    const sealed = sealer.seal(plain);
    expect(() => other.unseal(sealed)).toThrow(RangeError);
    for (let i = 1; i < sealed.length; i += 7) {
      const bad = sealed.slice();
      bad[i] = (bad[i] ?? 0) ^ 1;
      expect(() => sealer.unseal(bad)).toThrow();
    }
    const wrongVersion = sealed.slice();
    wrongVersion[0] = 1;
    expect(() => sealer.unseal(wrongVersion)).toThrow(RangeError);
    expect(() => sealer.unseal(new Uint8Array([2]))).toThrow(RangeError);
    expect(() => sealer.seal('text' as never)).toThrow(TypeError);
    expect(() => sealer.unseal([1, 2] as never)).toThrow(TypeError);
    expect(() => createKeychainSealer(new Uint8Array(31))).toThrow(TypeError);
  });
});
