import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyFileSealer, KEY_FILE_NAME } from '../../../src/core/identity/key-file-sealer.ts';
import { createPassphraseSealer, DEFAULT_SCRYPT_LOG_N } from '../../../src/core/identity/passphrase-sealer.ts';
import { StorageError } from '../../../src/core/storage/storage-error.ts';
import { cleanupTempDirs, modeOf, snapshot, storageErrorCode, tempDir } from './helpers.ts';

afterEach(cleanupTempDirs);

const SECRET = Uint8Array.from({ length: 65 }, (_, i) => i * 3);
const POSIX = process.platform !== 'win32';


describe('key-file sealer', () => {
  it('round-trips, and the key file is 32 bytes, owner-only, created by the first seal only', () => {
    const dir = tempDir();
    const sealer = createKeyFileSealer(dir);
    expect(sealer.kind).toBe('key-file');
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false);
    const sealed = sealer.seal(SECRET);
    const keyBytes = readFileSync(join(dir, KEY_FILE_NAME));
    expect(keyBytes.length).toBe(32);
    if (POSIX) expect(modeOf(join(dir, KEY_FILE_NAME))).toBe(0o600);
    expect(sealer.unseal(sealed)).toEqual(SECRET);
    // Another instance (a later run) uses the same file and never rewrites it.
    const again = createKeyFileSealer(dir);
    expect(again.unseal(sealed)).toEqual(SECRET);
    again.seal(SECRET);
    expect(readFileSync(join(dir, KEY_FILE_NAME)).equals(keyBytes)).toBe(true);
    expect(snapshot(dir)).toEqual({ [KEY_FILE_NAME]: keyBytes.toString('hex') }); // no temp files left
  });

  it('seals with a fresh IV each time and hides the plaintext', () => {
    const sealer = createKeyFileSealer(tempDir());
    const a = sealer.seal(SECRET);
    const b = sealer.seal(SECRET);
    expect(a).not.toEqual(b);
    expect(a.length).toBe(1 + 12 + SECRET.length + 16);
    expect(Buffer.from(a).includes(Buffer.from(SECRET.subarray(0, 16)))).toBe(false);
  });

  it('a missing key file is unseal-failed, and unseal does not create one', () => {
    const dir = tempDir();
    const sealed = createKeyFileSealer(dir).seal(SECRET);
    const other = tempDir();
    expect(storageErrorCode(() => createKeyFileSealer(other).unseal(sealed))).toBe('unseal-failed');
    expect(snapshot(other)).toEqual({});
  });

  it('another key file, a damaged one, or altered sealed bytes: unseal-failed, files untouched', () => {
    const dir = tempDir();
    const sealer = createKeyFileSealer(dir);
    const sealed = sealer.seal(SECRET);
    const keyPath = join(dir, KEY_FILE_NAME);
    const original = readFileSync(keyPath);

    const flipped = Buffer.from(original);
    flipped[5] = (flipped[5] ?? 0) ^ 1;
    writeFileSync(keyPath, flipped);
    expect(storageErrorCode(() => sealer.unseal(sealed))).toBe('unseal-failed');
    expect(readFileSync(keyPath).equals(flipped)).toBe(true);

    writeFileSync(keyPath, original.subarray(0, 31));
    expect(storageErrorCode(() => sealer.unseal(sealed))).toBe('unseal-failed');
    expect(readFileSync(keyPath).length).toBe(31);

    writeFileSync(keyPath, original);
    for (const at of [1, 13, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at] = (bad[at] ?? 0) ^ 0x80;
      expect(storageErrorCode(() => sealer.unseal(bad))).toBe('unseal-failed');
    }
    const badVersion = sealed.slice();
    badVersion[0] = 2;
    expect(storageErrorCode(() => sealer.unseal(badVersion))).toBe('corrupt');
    expect(sealer.unseal(sealed)).toEqual(SECRET);
  });

  it.runIf(POSIX)('refuses a key file that others can read, without changing it', () => {
    const dir = tempDir();
    const sealer = createKeyFileSealer(dir);
    const sealed = sealer.seal(SECRET);
    chmodSync(join(dir, KEY_FILE_NAME), 0o644);
    expect(storageErrorCode(() => sealer.unseal(sealed))).toBe('data-dir');
    expect(modeOf(join(dir, KEY_FILE_NAME))).toBe(0o644);
  });

  it('checks its arguments', () => {
    expect(() => createKeyFileSealer('')).toThrow(TypeError);
    expect(() => createKeyFileSealer(1 as unknown as string)).toThrow(TypeError);
    const sealer = createKeyFileSealer(tempDir());
    expect(() => sealer.seal('x' as unknown as Uint8Array)).toThrow(/plain/);
    expect(() => sealer.unseal([1] as unknown as Uint8Array)).toThrow(/sealed/);
  });
});

describe('passphrase sealer', () => {
  const FAST = { logN: 15 };

  it('round-trips and stores version, scrypt parameters and a random salt in clear', () => {
    const sealer = createPassphraseSealer('correct horse battery staple', FAST);
    expect(sealer.kind).toBe('passphrase');
    const a = sealer.seal(SECRET);
    const b = sealer.seal(SECRET);
    expect([...a.subarray(0, 4)]).toEqual([1, 15, 8, 1]);
    expect(a.subarray(4, 20)).not.toEqual(b.subarray(4, 20)); // fresh salt per seal
    expect(a.length).toBe(20 + 12 + SECRET.length + 16);
    expect(sealer.unseal(a)).toEqual(SECRET);
    expect(createPassphraseSealer('correct horse battery staple', FAST).unseal(b)).toEqual(SECRET);
  });

  it('uses N = 2^17 by default, and data sealed at one cost opens with any setting', () => {
    expect(DEFAULT_SCRYPT_LOG_N).toBe(17);
    const sealed = createPassphraseSealer('pw').seal(SECRET);
    expect(sealed[1]).toBe(17);
    expect(createPassphraseSealer('pw', FAST).unseal(sealed)).toEqual(SECRET);
  });

  it('a wrong passphrase is unseal-failed with a clear message', () => {
    const sealed = createPassphraseSealer('right', FAST).seal(SECRET);
    let error: unknown;
    try {
      createPassphraseSealer('wrong', FAST).unseal(sealed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('unseal-failed');
    expect((error as StorageError).message).toMatch(/wrong passphrase/);
  });

  it('authenticates the header: a changed salt or cost fails; absurd costs are refused before scrypt runs', () => {
    const sealer = createPassphraseSealer('pw', FAST);
    const sealed = sealer.seal(SECRET);
    const salt = sealed.slice();
    salt[10] = (salt[10] ?? 0) ^ 1;
    expect(storageErrorCode(() => sealer.unseal(salt))).toBe('unseal-failed');
    const cost = sealed.slice();
    cost[1] = 16;
    expect(storageErrorCode(() => sealer.unseal(cost))).toBe('unseal-failed');
    for (const [at, value] of [[1, 40], [1, 3], [1, 20], [2, 0], [3, 0], [2, 255], [3, 255]] as const) {
      const bad = sealed.slice();
      bad[at] = value;
      expect(storageErrorCode(() => sealer.unseal(bad))).toBe('corrupt');
    }
    expect(storageErrorCode(() => sealer.unseal(sealed.subarray(0, 40)))).toBe('corrupt');
  });

  it('normalises to NFC: a composed and a decomposed é are the same passphrase', () => {
    const sealed = createPassphraseSealer('caf\u00e9', FAST).seal(SECRET);
    expect(createPassphraseSealer('cafe\u0301', FAST).unseal(sealed)).toEqual(SECRET);
  });

  it('checks its arguments', () => {
    expect(() => createPassphraseSealer(undefined as unknown as string)).toThrow(TypeError);
    expect(() => createPassphraseSealer('')).toThrow(/passphrase must not be empty/);
    expect(() => createPassphraseSealer('a\ud800')).toThrow(RangeError);
    expect(() => createPassphraseSealer('pw', { logN: 14 })).toThrow(/logN/);
    expect(() => createPassphraseSealer('pw', { logN: 18 })).toThrow(/logN/);
    expect(() => createPassphraseSealer('pw', { logN: 15.5 })).toThrow(/logN/);
  });
});
