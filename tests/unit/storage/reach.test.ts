/** Reach at rest (PROTOCOL.md section 8): contacts' DHT keys, and our DHT seed sealed with the storage key. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../../src/core/storage/database.ts';
import { DHT_SEED_LENGTH } from '../../../src/core/storage/reach-repo.ts';
import { StorageError } from '../../../src/core/storage/storage-error.ts';
import { addPeer, cleanupTempDirs, openTestStore, tempDir } from './helpers.ts';
import { DatabaseSync } from 'node:sqlite';

afterEach(cleanupTempDirs);

describe('reach repository', () => {
  it('records, replaces and clears a contact’s DHT key; refuses malformed keys; unknown contacts give false', () => {
    const store = openTestStore();
    const peer = addPeer(store);
    const key = 'a1'.repeat(32);
    expect(store.reach.getDhtKey(peer)).toBeNull();
    expect(store.reach.setDhtKey(peer, key)).toBe(true);
    expect(store.reach.getDhtKey(peer)).toBe(key);
    expect(store.reach.setDhtKey(peer, null)).toBe(true);
    expect(store.reach.getDhtKey(peer)).toBeNull();
    for (const bad of ['A1'.repeat(32), 'a1'.repeat(31), '', 42]) expect(() => store.reach.setDhtKey(peer, bad as string)).toThrow(RangeError);
    expect(store.reach.setDhtKey('ff'.repeat(32), key)).toBe(false);
    store.close();
  });

  it('our DHT seed is created once, survives a restart, is not in the file in clear, and can be replaced', () => {
    const dir = join(tempDir(), 'data');
    let store = openTestStore(dir);
    const seed = store.reach.loadOrCreateSeed();
    expect(seed).toHaveLength(DHT_SEED_LENGTH);
    expect(store.reach.loadOrCreateSeed()).toEqual(seed);
    store.close();
    expect(Buffer.from(readFileSync(join(dir, DB_FILE_NAME))).includes(Buffer.from(seed))).toBe(false);
    store = openTestStore(dir);
    expect(store.reach.loadOrCreateSeed()).toEqual(seed);
    const fresh = store.reach.replaceSeed();
    expect(fresh).not.toEqual(seed);
    expect(store.reach.loadOrCreateSeed()).toEqual(fresh);
    store.close();
  });

  it('an altered seed box is reported as corrupt, never used', () => {
    const dir = join(tempDir(), 'data');
    let store = openTestStore(dir);
    store.reach.loadOrCreateSeed();
    store.close();
    const db = new DatabaseSync(join(dir, DB_FILE_NAME));
    // Flip one bit rather than write a fixed byte: a fixed byte equals the original one time in 256.
    const { seed_box: box } = db.prepare('SELECT seed_box FROM dht_identity').get() as { seed_box: Uint8Array };
    box[20] = (box[20] as number) ^ 0x01;
    db.prepare('UPDATE dht_identity SET seed_box = ?').run(box);
    db.close();
    store = openTestStore(dir);
    expect(() => store.reach.loadOrCreateSeed()).toThrow(StorageError);
    store.close();
  });
});
