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
      expect([s, displayNameKey(s)]).toEqual([s, displayNameKey('alice')]);
    }
    expect(displayNameKey('Mary\u00a0\u2003 Ann')).toBe('mary ann');
    expect(displayNameKey('\u200b\u200d\u2060')).toBe('');
    // Different names stay different.
    expect(displayNameKey('Alicia')).not.toBe(displayNameKey('Alice'));
    expect(displayNameKey('Bobby')).not.toBe(displayNameKey('Bob'));
    expect(displayNameKey('Ali ce')).not.toBe(displayNameKey('Alice'));
  });

  // Issue 11: each of these reads as "Bob" (or "Alice") to a person.
  const BOB_LOOKALIKES: [string, string][] = [
    ['a C1 control (NEL)', 'Bob\u0085'],
    ['a C1 control inside', 'Bo\u009bb'],
    ['a Braille blank', 'Bob\u2800'],
    ['a Hangul filler', 'Bob\u3164'],
    ['a halfwidth Hangul filler', 'Bob\uffa0'],
    ['a Hangul choseong filler', 'Bob\u115f'],
    ['a Hangul jungseong filler', 'Bob\u1160'],
    ['a Mongolian vowel separator', 'B\u180eob'],
    ['an en quad', 'Bob\u2000'],
    ['a narrow no-break space', 'Bob\u202f'],
    ['a medium mathematical space', '\u205fBob'],
    ['an ideographic space', 'Bob\u3000'],
    ['a tag character', 'Bob\u{e0041}'],
    ['Cyrillic Ve and o', '\u0412\u043eb'],
    ['Greek Beta and omicron', '\u0392\u03bfb'],
    ['a digit zero', 'B0b'],
    ['mathematical bold letters', '\u{1d401}\u{1d428}\u{1d41b}'],
  ];

  it.each(BOB_LOOKALIKES)('folds %s into the key of "Bob"', (_what, s) => {
    expect(displayNameKey(s)).toBe(displayNameKey('Bob'));
  });

  it('folds cross-script and Latin look-alikes of "Alice" together', () => {
    for (const s of ['\u0410lice', 'Al\u0456ce', '\u0391lice', 'AIice', 'A1ice', 'Al\u0131ce', 'Alic\u0435']) {
      expect([s, displayNameKey(s)]).toEqual([s, displayNameKey('Alice')]);
    }
    expect(displayNameKey('Sam')).toBe(displayNameKey('Sarn'));
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

  it('recomputes every stored key when they were made by an older fold (issue 11)', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const bob = addPeer(store, 'Bob\u2800');
    store.close();
    // As an older build left it: its fold's key, and no record of the fold (or an older one).
    const raw = new DatabaseSync(join(dir, DB_FILE_NAME));
    raw.prepare("UPDATE contacts SET name_key = 'bob\u2800'").run();
    raw.prepare("DELETE FROM settings WHERE key = 'contacts.name-key-fold'").run();
    raw.close();
    const reopened = openTestStore(dir);
    expect(reopened.contacts.findByNameKey('Bob').map((c) => c.fingerprint)).toEqual([bob]);
    reopened.close();
  });
});
