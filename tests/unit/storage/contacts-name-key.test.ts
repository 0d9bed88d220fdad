/**
 * name-collision compares names as a person sees them (displayNameKey): the contacts repository
 * keeps each contact's key beside its name, fills it for rows written before it existed, and
 * finds contacts by it.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../../src/core/storage/database.ts';
import { displayNameKey } from '../../../src/shared/text.ts';
import { addPeer, cleanupTempDirs, openTestStore, tempDir } from './helpers.ts';

afterEach(cleanupTempDirs);

describe('displayNameKey', () => {
  it('drops what draws nothing, folds compatibility forms, spaces and case', () => {
    for (const s of ['Alice\u200b', ' Alice ', 'Al\u00adice', '\u202eAlice', '\u2066Alice\u2069', 'ALICE', '\uff21\uff4c\uff49\uff43\uff45', '\u3164Alice', 'Ali\u200dce']) {
      expect([s, displayNameKey(s)]).toEqual([s, 'alice']);
    }
    expect(displayNameKey('Mary\u00a0\u2003 Ann')).toBe('mary ann');
    expect(displayNameKey('\u200b\u200d\u2060')).toBe('');
    // Different names stay different; letters of another script are not folded into Latin ones.
    expect(displayNameKey('Alicia')).not.toBe(displayNameKey('Alice'));
    expect(displayNameKey('\u0410lice')).not.toBe(displayNameKey('Alice'));
  });
});

describe('findByNameKey', () => {
  it('finds contacts whose names look alike, most recent first; an invisible name finds nothing', () => {
    const store = openTestStore();
    const bob = addPeer(store, 'Bob');
    const bob2 = addPeer(store, 'BOB\u200b');
    addPeer(store, 'Bobby');
    addPeer(store, '\u200b');
    expect(store.contacts.findByNameKey(' bob').map((c) => c.fingerprint).sort()).toEqual([bob, bob2].sort());
    expect(store.contacts.findByNameKey('\u2060')).toEqual([]);
    expect(store.contacts.findByNameKey('')).toEqual([]);
    store.close();
  });

  it('follows a renamed contact, and fills the key of rows written before it existed', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const fp = addPeer(store, 'Carol');
    const { publicKey } = store.contacts.get(fp) ?? { publicKey: new Uint8Array() };
    store.contacts.upsertSeen({ publicKey, name: 'Dave' });
    expect(store.contacts.findByNameKey('carol')).toEqual([]);
    expect(store.contacts.findByNameKey('DAVE').map((c) => c.fingerprint)).toEqual([fp]);
    store.close();
    // A row as migration 5 leaves it (or as another tool wrote it): no key yet.
    const raw = new DatabaseSync(join(dir, DB_FILE_NAME));
    raw.prepare('UPDATE contacts SET name_key = NULL').run();
    raw.close();
    const reopened = openTestStore(dir);
    expect(reopened.contacts.findByNameKey('dave').map((c) => c.fingerprint)).toEqual([fp]);
    reopened.close();
  });
});
