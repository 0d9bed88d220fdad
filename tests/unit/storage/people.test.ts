import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addPeer, cleanupTempDirs, openTestStore } from './helpers.ts';

afterEach(cleanupTempDirs);

describe('people: status, nicknames, deletion', () => {
  it('a new contact is accepted unless made a request; status and nickname change and persist', () => {
    const store = openTestStore();
    const bob = addPeer(store, 'Bob');
    expect(store.contacts.get(bob)?.status).toBe('accepted');
    expect(store.people.setStatus(bob, 'blocked')).toBe(true);
    expect(store.contacts.get(bob)?.status).toBe('blocked');
    expect(() => store.people.setStatus(bob, 'friend' as never)).toThrow(RangeError);
    expect(store.people.setNickname(bob, 'Dad')).toBe(true);
    expect(store.contacts.get(bob)?.nickname).toBe('Dad');
    expect(store.people.setNickname(bob, '   ')).toBe(true);
    expect(store.contacts.get(bob)?.nickname).toBeNull();
    expect(() => store.people.setNickname(bob, 'a\u0000b')).toThrow(RangeError);
    expect(store.people.setStatus('f'.repeat(64), 'accepted')).toBe(false);
    store.close();
  });

  it('a nickname collides as the name a person sees: findByNameKey finds it (look-alikes too)', () => {
    const store = openTestStore();
    const carol = addPeer(store, 'Carol');
    store.people.setNickname(carol, 'Mom');
    expect(store.contacts.findByNameKey('MOM').map((c) => c.fingerprint)).toEqual([carol]);
    expect(store.contacts.findByNameKey('M\u200bom').map((c) => c.fingerprint)).toEqual([carol]);
    // The peer's own name still collides as well.
    expect(store.contacts.findByNameKey('carol').map((c) => c.fingerprint)).toEqual([carol]);
    store.people.setNickname(carol, null);
    expect(store.contacts.findByNameKey('Mom')).toEqual([]);
    store.close();
  });

  it('remove deletes the contact, its messages, warnings and archived keys, and nobody else', () => {
    const store = openTestStore();
    const bob = addPeer(store, 'Bob');
    const bob2 = addPeer(store, 'Bob');
    const eve = addPeer(store, 'Eve');
    store.messages.insertOutgoing(bob, 'old key');
    store.messages.insertOutgoing(bob2, 'new key');
    store.messages.insertOutgoing(eve, 'keep me');
    store.trust.set(bob2, { code: 'key-changed', replaces: bob, blocking: true });
    expect(store.people.merge(bob, bob2)).toBe(true);
    expect(store.people.remove(bob2)).toBe(true);
    expect(store.contacts.get(bob)).toBeNull();
    expect(store.contacts.get(bob2)).toBeNull();
    expect(store.trust.get(bob2)).toBeNull();
    expect(store.messages.count(bob) + store.messages.count(bob2)).toBe(0);
    expect(store.messages.count(eve)).toBe(1);
    expect(store.people.remove(bob2)).toBe(false);
    expect(store.integrityCheck()).toEqual(['ok']);
    store.close();
  });
});

describe('people: one thread per person', () => {
  it('merge archives the old key on the new one: listed once, keys in order, history of both, its verification kept', () => {
    const store = openTestStore();
    const carol = addPeer(store, 'Carol');
    store.contacts.verify(carol, 'safety-number');
    store.people.setNickname(carol, 'Caz');
    const m1 = store.messages.insertOutgoing(carol, 'before');
    const carol2 = addPeer(store, 'Carol');
    expect(store.people.merge(carol, carol2)).toBe(true);
    expect(store.contacts.list().map((c) => c.fingerprint)).toEqual([carol2]);
    expect(store.people.threadKeys(carol2)).toEqual([carol2, carol]);
    expect(store.contacts.get(carol)).toMatchObject({ thread: carol2, verifiedMethod: 'safety-number', nickname: null });
    expect(store.contacts.get(carol2)).toMatchObject({ thread: null, verified: false, nickname: 'Caz' });
    const [change] = store.people.keyChanges(carol2);
    expect(change).toMatchObject({ oldKey: carol, newKey: carol2, oldName: 'Carol', oldVerifiedMethod: 'safety-number', afterSeq: m1.seq });
    // Archived keys are not candidates for key-changed / name-collision any more: the thread is.
    expect(store.contacts.findByNameKey('Carol').map((c) => c.fingerprint)).toEqual([carol2]);
    // Merging twice, into itself, or an archived key again does nothing.
    expect(store.people.merge(carol, carol2)).toBe(false);
    expect(store.people.merge(carol2, carol2)).toBe(false);
    store.close();
  });

  it('a chain A → B → C keeps every key and both changes on the current thread; unarchive takes one out', () => {
    const store = openTestStore();
    const [a, b, c] = [addPeer(store, 'Carol'), addPeer(store, 'Carol'), addPeer(store, 'Carol')];
    store.people.merge(a, b);
    store.people.merge(b, c);
    expect(store.people.threadKeys(c).sort()).toEqual([a, b, c].sort());
    expect(store.people.keyChanges(c).map((k) => [k.oldKey, k.newKey])).toEqual([
      [a, b],
      [b, c],
    ]);
    expect(store.people.unarchive(a)).toBe(true);
    expect(store.people.threadKeys(c).sort()).toEqual([b, c].sort());
    expect(store.contacts.list().map((x) => x.fingerprint).sort()).toEqual([a, c].sort());
    store.close();
  });
});

describe('invite tokens', () => {
  it('one-time tokens are consumed, reusable ones are not; only hashes are stored; malformed tokens are refused', () => {
    const store = openTestStore();
    const once = store.invites.create({ reusable: false });
    const many = store.invites.create({ reusable: true });
    expect(once).toMatch(/^[0-9a-f]{32}$/);
    expect(store.invites.redeem(once)).toEqual({ reusable: false });
    expect(store.invites.redeem(once)).toBeNull();
    expect(store.invites.redeem(many)).toEqual({ reusable: true });
    expect(store.invites.redeem(many)).toEqual({ reusable: true });
    expect(store.invites.redeem(many.toUpperCase())).toBeNull();
    expect(store.invites.redeem('0'.repeat(32))).toBeNull();
    expect(store.invites.redeem(42 as never)).toBeNull();
    expect(store.invites.revokeAll()).toBe(1);
    expect(store.invites.redeem(many)).toBeNull();
    store.close();
  });

  it('the hosting token is reusable and the same after a reopen (sealed, not in clear); revokeAll replaces it', () => {
    const store = openTestStore();
    const hosting = store.invites.hostingToken();
    expect(store.invites.hostingToken()).toBe(hosting);
    const dir = store.dir;
    store.close();
    for (const f of readdirSync(dir).filter((n) => n.startsWith('parley.db'))) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(Buffer.from(hosting, 'hex'))).toBe(false);
      expect(bytes.includes(Buffer.from(hosting))).toBe(false);
    }
    const reopened = openTestStore(dir);
    expect(reopened.invites.hostingToken()).toBe(hosting);
    expect(reopened.invites.redeem(hosting)).toEqual({ reusable: true });
    reopened.invites.revokeAll();
    expect(reopened.invites.redeem(hosting)).toBeNull();
    expect(reopened.invites.hostingToken()).not.toBe(hosting);
    reopened.close();
  });

  it('the database holds no token in clear', () => {
    const store = openTestStore();
    const token = store.invites.create({ reusable: true });
    const dir = store.dir;
    store.close();
    const files = readdirSync(dir).filter((f) => f.startsWith('parley.db')).map((f) => readFileSync(join(dir, f)));
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) {
      expect(bytes.includes(Buffer.from(token, 'hex'))).toBe(false);
      expect(bytes.includes(Buffer.from(token))).toBe(false);
    }
    const reopened = openTestStore(dir);
    expect(reopened.invites.count()).toBe(1);
    expect(reopened.invites.redeem(token)).toEqual({ reusable: true });
    reopened.close();
  });
});
