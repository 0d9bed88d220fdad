import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyFromPrivate } from '../../../src/core/crypto/p256.ts';
import { fingerprintHex } from '../../../src/core/crypto/fingerprint.ts';
import { createKeyFileSealer, KEY_FILE_NAME } from '../../../src/core/identity/key-file-sealer.ts';
import { createPassphraseSealer } from '../../../src/core/identity/passphrase-sealer.ts';
import type { Sealer } from '../../../src/core/storage/sealer.ts';
import { openDataDir } from '../../../src/core/storage/data-dir.ts';
import { DB_FILE_NAME } from '../../../src/core/storage/database.ts';
import type { StorageError } from '../../../src/core/storage/storage-error.ts';
import { addPeer, cleanupTempDirs, modeOf, openTestStore, snapshot, storageErrorCode, tempDir } from './helpers.ts';

afterEach(cleanupTempDirs);

const POSIX = process.platform !== 'win32';
// Root reads and writes anything, so the tests of refused access only mean something for a user.
const ROOT = process.getuid?.() === 0;


/** A store with an identity, a contact and a message, closed again; returns its directory. */
function populatedDir(sealer: (dir: string) => Sealer = createKeyFileSealer): { dir: string; fingerprint: string } {
  const dir = join(tempDir(), 'data');
  const store = openDataDir(dir, { sealer: sealer(dir) });
  const peer = addPeer(store);
  store.messages.insertOutgoing(peer, 'kept safe');
  const fingerprint = store.identity.fingerprint;
  store.close();
  return { dir, fingerprint };
}

describe('openDataDir', () => {
  it('creates the directory 0700 (parents too) and the database files 0600', () => {
    const dir = join(tempDir(), 'a', 'b', 'data');
    const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
    addPeer(store); // something in the WAL
    expect(store.dir).toBe(dir);
    expect(existsSync(join(dir, `${DB_FILE_NAME}-wal`))).toBe(true);
    if (POSIX) {
      expect(modeOf(dir)).toBe(0o700);
      for (const name of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`, KEY_FILE_NAME]) {
        expect([name, modeOf(join(dir, name))]).toEqual([name, 0o600]);
      }
    }
    store.close();
  });

  it('the same directory twice gives the same identity, and the key pair is consistent', () => {
    const dir = join(tempDir(), 'data');
    const first = openTestStore(dir);
    const { fingerprint, publicKey, privateKey } = first.identity;
    const privateCopy = privateKey.slice();
    expect(publicKey.length).toBe(33);
    expect(publicKeyFromPrivate(privateKey)).toEqual(publicKey);
    expect(fingerprintHex(publicKey)).toBe(fingerprint);
    first.close();
    expect(privateKey.every((b) => b === 0)).toBe(true); // close zeroes it
    const second = openTestStore(dir);
    expect(second.identity.fingerprint).toBe(fingerprint);
    expect(second.identity.publicKey).toEqual(publicKey);
    expect(second.identity.privateKey).toEqual(privateCopy);
    expect(second.sealerKind).toBe('key-file');
    second.close();
    // Another directory is another identity.
    const other = openTestStore();
    expect(other.identity.fingerprint).not.toBe(fingerprint);
    other.close();
  });

  it('keeps the private key out of JSON and inspection, and in the file only sealed', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const hex = Buffer.from(store.identity.privateKey).toString('hex');
    expect(JSON.stringify(store.identity)).not.toContain('privateKey');
    expect(inspect(store.identity, { depth: 5 })).not.toContain('privateKey');
    expect(Object.keys(store.identity)).toEqual(['publicKey', 'fingerprint', 'createdAt']);
    store.close();
    const file = readFileSync(join(dir, DB_FILE_NAME));
    expect(file.includes(Buffer.from(hex, 'hex'))).toBe(false);
  });

  it('works with the passphrase sealer; a wrong passphrase is unseal-failed and changes no file', () => {
    const { dir, fingerprint } = populatedDir(() => createPassphraseSealer('s3cret', { logN: 15 }));
    const before = snapshot(dir);
    expect(storageErrorCode(() => openDataDir(dir, { sealer: createPassphraseSealer('secret', { logN: 15 }) }))).toBe('unseal-failed');
    expect(snapshot(dir)).toEqual(before);
    const store = openDataDir(dir, { sealer: createPassphraseSealer('s3cret', { logN: 15 }) });
    expect(store.identity.fingerprint).toBe(fingerprint);
    expect(store.sealerKind).toBe('passphrase');
    store.close();
  });

  it('a missing key file is unseal-failed: nothing is created, deleted or rewritten', () => {
    const { dir, fingerprint } = populatedDir();
    const key = readFileSync(join(dir, KEY_FILE_NAME));
    rmSync(join(dir, KEY_FILE_NAME));
    const before = snapshot(dir);
    expect(storageErrorCode(() => openTestStore(dir))).toBe('unseal-failed');
    expect(snapshot(dir)).toEqual(before);
    writeFileSync(join(dir, KEY_FILE_NAME), key, { mode: 0o600 });
    const store = openTestStore(dir);
    expect(store.identity.fingerprint).toBe(fingerprint);
    expect(store.messages.latest(store.contacts.list()[0]?.fingerprint ?? '', 5).map((m) => m.text)).toEqual(['kept safe']);
    store.close();
  });

  it('a tampered or foreign key file is unseal-failed and changes no file', () => {
    const { dir } = populatedDir();
    const keyPath = join(dir, KEY_FILE_NAME);
    const tampered = readFileSync(keyPath);
    tampered[0] = (tampered[0] ?? 0) ^ 0xff;
    writeFileSync(keyPath, tampered);
    const before = snapshot(dir);
    expect(storageErrorCode(() => openTestStore(dir))).toBe('unseal-failed');
    expect(snapshot(dir)).toEqual(before);
    // The key file of another data directory does not open this one either.
    const { dir: other } = populatedDir();
    copyFileSync(join(other, KEY_FILE_NAME), keyPath);
    const before2 = snapshot(dir);
    expect(storageErrorCode(() => openTestStore(dir))).toBe('unseal-failed');
    expect(snapshot(dir)).toEqual(before2);
  });

  it('another kind of sealer than the one that sealed is explained, not attempted', () => {
    const { dir } = populatedDir();
    const before = snapshot(dir);
    let error: unknown;
    try {
      openDataDir(dir, { sealer: createPassphraseSealer('pw', { logN: 15 }) });
    } catch (e) {
      error = e;
    }
    expect((error as StorageError).code).toBe('unseal-failed');
    expect((error as StorageError).message).toMatch(/key-file sealer, not the passphrase sealer/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a sealer that throws its own error (as safeStorage would) becomes unseal-failed', () => {
    const { dir } = populatedDir();
    const keyFile = createKeyFileSealer(dir);
    const failing: Sealer = {
      kind: 'key-file',
      seal: (plain) => keyFile.seal(plain),
      unseal: () => {
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      },
    };
    expect(storageErrorCode(() => openDataDir(dir, { sealer: failing }))).toBe('unseal-failed');
  });

  it('a file that is not a database is corrupt and left as it was', () => {
    const dir = join(tempDir(), 'data');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, DB_FILE_NAME), 'this is not an SQLite database, but it is somebody\u2019s file'.repeat(20), { mode: 0o600 });
    const before = snapshot(dir);
    expect(storageErrorCode(() => openTestStore(dir))).toBe('corrupt');
    expect(snapshot(dir)).toEqual(before);
  });

  it('history without an identity is corrupt: no new identity is put in its place', () => {
    const { dir } = populatedDir();
    const raw = new DatabaseSync(join(dir, DB_FILE_NAME));
    raw.exec('DELETE FROM identity');
    raw.close();
    expect(storageErrorCode(() => openTestStore(dir))).toBe('corrupt');
  });

  it('a path that is a file is data-dir', () => {
    const path = join(tempDir(), 'file');
    writeFileSync(path, 'x');
    expect(storageErrorCode(() => openTestStore(path))).toBe('data-dir');
    expect(readFileSync(path, 'utf8')).toBe('x');
  });

  it.runIf(POSIX)('tightens an empty directory to 0700 but refuses a non-empty one that others can read', () => {
    const empty = join(tempDir(), 'empty');
    mkdirSync(empty, { mode: 0o755 });
    chmodSync(empty, 0o755);
    openTestStore(empty).close();
    expect(modeOf(empty)).toBe(0o700);

    const shared = join(tempDir(), 'shared');
    mkdirSync(shared);
    writeFileSync(join(shared, 'notes.txt'), 'mine');
    chmodSync(shared, 0o755);
    expect(storageErrorCode(() => openTestStore(shared))).toBe('data-dir');
    expect(modeOf(shared)).toBe(0o755);
    expect(snapshot(shared)).toEqual({ 'notes.txt': Buffer.from('mine').toString('hex') });
  });

  it.runIf(POSIX)('refuses a database file that others can read', () => {
    const { dir } = populatedDir();
    chmodSync(join(dir, DB_FILE_NAME), 0o644);
    expect(storageErrorCode(() => openTestStore(dir))).toBe('data-dir');
  });

  it.runIf(POSIX && !ROOT)('an unwritable directory is data-dir', () => {
    const dir = join(tempDir(), 'ro');
    mkdirSync(dir, { mode: 0o500 });
    expect(storageErrorCode(() => openTestStore(dir))).toBe('data-dir');
    chmodSync(dir, 0o700);
  });

  it('checks its arguments', () => {
    const sealer = createKeyFileSealer(tempDir());
    expect(() => openDataDir('', { sealer })).toThrow(TypeError);
    expect(() => openDataDir(5 as unknown as string, { sealer })).toThrow(/dir/);
    expect(() => openDataDir(tempDir(), undefined as unknown as { sealer: Sealer })).toThrow(/options/);
    expect(() => openDataDir(tempDir(), { sealer: {} as Sealer })).toThrow(/options.sealer/);
    expect(() => openDataDir(tempDir(), { sealer, now: 5 as unknown as () => number })).toThrow(/options.now/);
  });

  it('passes integrity_check and closes idempotently', () => {
    const store = openTestStore();
    addPeer(store);
    expect(store.integrityCheck()).toEqual(['ok']);
    store.close();
    store.close();
  });
});
