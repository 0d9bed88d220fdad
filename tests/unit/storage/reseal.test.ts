/**
 * Re-sealing the identity under another protection (Store.reseal): real data directories, real
 * sealers, real SQLite. The history stays readable, the old protection opens nothing afterwards,
 * and its sealed bytes are gone from the database file and its WAL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyFileSealer } from '../../../src/core/identity/key-file-sealer.ts';
import { createPassphraseSealer } from '../../../src/core/identity/passphrase-sealer.ts';
import type { Sealer } from '../../../src/core/storage/sealer.ts';
import { openDataDir } from '../../../src/core/storage/data-dir.ts';
import { addPeer, cleanupTempDirs, openTestStore, storageErrorCode, tempDir } from './helpers.ts';

afterEach(cleanupTempDirs);

const pass = (p: string): Sealer => createPassphraseSealer(p, { logN: 15 });

function sealedBytes(dir: string): Uint8Array {
  const db = new DatabaseSync(join(dir, 'parley.db'), { readOnly: true });
  try {
    return new Uint8Array(db.prepare('SELECT sealed_secrets FROM identity').get()?.['sealed_secrets'] as Uint8Array);
  } finally {
    db.close();
  }
}

function onDisk(dir: string): Buffer {
  const parts = ['parley.db', 'parley.db-wal'].map((n) => join(dir, n)).filter((p) => existsSync(p));
  return Buffer.concat(parts.map((p) => readFileSync(p)));
}

describe('Store.reseal', () => {
  it('moves the identity to a passphrase and back; history stays readable; the old seal is wiped from disk', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const peer = addPeer(store);
    store.messages.insertOutgoing(peer, 'kept across re-sealing');
    const fp = store.identity.fingerprint;
    const oldSeal = sealedBytes(dir);
    store.reseal(createKeyFileSealer(dir), pass('correct horse battery'));
    expect(store.sealerKind).toBe('passphrase');
    expect(onDisk(dir).includes(Buffer.from(oldSeal))).toBe(false);
    store.close();

    expect(storageErrorCode(() => openDataDir(dir, { sealer: createKeyFileSealer(dir) }))).toBe('unseal-failed');
    const reopened = openDataDir(dir, { sealer: pass('correct horse battery') });
    expect(reopened.identity.fingerprint).toBe(fp);
    expect(reopened.messages.latest(peer, 10).map((m) => m.text)).toEqual(['kept across re-sealing']);
    // A new passphrase: the old one opens nothing any more.
    reopened.reseal(pass('correct horse battery'), pass('another good passphrase'));
    reopened.reseal(pass('another good passphrase'), createKeyFileSealer(dir));
    reopened.close();
    expect(storageErrorCode(() => openDataDir(dir, { sealer: pass('another good passphrase') }))).toBe('unseal-failed');
    const back = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
    expect(back.messages.latest(peer, 10)).toHaveLength(1);
    back.close();
  });

  it('a wrong current passphrase, or a new sealer that fails, changes nothing', () => {
    const dir = join(tempDir(), 'data');
    const store = openDataDir(dir, { sealer: pass('correct horse battery') });
    const before = sealedBytes(dir);
    expect(storageErrorCode(() => store.reseal(pass('wrong horse battery'), createKeyFileSealer(dir)))).toBe('unseal-failed');
    const broken: Sealer = { kind: 'key-file', seal: () => new Uint8Array([1, 2, 3]), unseal: () => new Uint8Array(65) };
    expect(storageErrorCode(() => store.reseal(pass('correct horse battery'), broken))).toBe('corrupt');
    const failing: Sealer = { kind: 'key-file', seal: () => { throw new Error('disk full'); }, unseal: () => new Uint8Array() };
    expect(() => store.reseal(pass('correct horse battery'), failing)).toThrow('disk full');
    expect(store.sealerKind).toBe('passphrase');
    expect(sealedBytes(dir)).toEqual(before);
    store.close();
    openDataDir(dir, { sealer: pass('correct horse battery') }).close();
  });
});
