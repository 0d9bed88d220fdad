import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintHex } from '../../../src/core/crypto/fingerprint.ts';
import { generateKeyPair } from '../../../src/core/crypto/p256.ts';
import { cleanupTempDirs, openTestStore, testClock } from './helpers.ts';

afterEach(cleanupTempDirs);

describe('contacts', () => {
  it('upsertSeen creates an unverified contact, then updates name, address and last seen', () => {
    const clock = testClock(100);
    const store = openTestStore(undefined, clock.now);
    const { publicKey } = generateKeyPair();
    const fp = fingerprintHex(publicKey);
    const first = store.contacts.upsertSeen({ publicKey, name: 'Bob', address: '192.0.2.7:47800' });
    expect(first.created).toBe(true);
    expect(first.contact).toEqual({
      fingerprint: fp,
      publicKey,
      name: 'Bob',
      verified: false,
      verifiedMethod: null,
      verifiedAt: null,
      lastAddress: '192.0.2.7:47800',
      firstSeen: 100,
      lastSeen: 100,
      lastReadSeq: 0,
      status: 'accepted',
      nickname: null,
      thread: null,
    });
    clock.set(200);
    // An inbound connection carries no address worth keeping: the joined-at address stays.
    const second = store.contacts.upsertSeen({ publicKey, name: 'Robert' });
    expect(second.created).toBe(false);
    expect(second.contact).toMatchObject({ name: 'Robert', lastAddress: '192.0.2.7:47800', firstSeen: 100, lastSeen: 200 });
    clock.set(300);
    expect(store.contacts.upsertSeen({ publicKey, name: 'Robert', address: '[2001:db8::1]:9000' }).contact.lastAddress).toBe('[2001:db8::1]:9000');
    expect(store.contacts.get(fp)?.lastSeen).toBe(300);
    expect(store.contacts.get('0'.repeat(64))).toBeNull();
    store.close();
  });

  it('verify records method and time; unverify clears both; unknown contacts give false', () => {
    const clock = testClock(1000);
    const store = openTestStore(undefined, clock.now);
    const fp = store.contacts.upsertSeen({ publicKey: generateKeyPair().publicKey, name: 'Bob' }).contact.fingerprint;
    clock.set(2000);
    expect(store.contacts.verify(fp, 'safety-number')).toBe(true);
    expect(store.contacts.get(fp)).toMatchObject({ verified: true, verifiedMethod: 'safety-number', verifiedAt: 2000 });
    clock.set(3000);
    expect(store.contacts.verify(fp, 'fingerprint')).toBe(true); // the latest confirmation is kept
    expect(store.contacts.get(fp)).toMatchObject({ verified: true, verifiedMethod: 'fingerprint', verifiedAt: 3000 });
    expect(store.contacts.unverify(fp)).toBe(true);
    expect(store.contacts.get(fp)).toMatchObject({ verified: false, verifiedMethod: null, verifiedAt: null });
    // Seeing it again does not restore trust.
    store.contacts.upsertSeen({ publicKey: store.contacts.get(fp)?.publicKey ?? new Uint8Array(), name: 'Bob' });
    expect(store.contacts.get(fp)?.verified).toBe(false);
    expect(store.contacts.verify('f'.repeat(64), 'invite')).toBe(false);
    expect(store.contacts.unverify('f'.repeat(64))).toBe(false);
    store.close();
  });

  it('a changed key at a known address is a separate, unverified contact; nothing carries over', () => {
    const clock = testClock(10);
    const store = openTestStore(undefined, clock.now);
    const address = 'peer.example:47800';
    const old = store.contacts.upsertSeen({ publicKey: generateKeyPair().publicKey, name: 'Bob', address }).contact;
    store.contacts.verify(old.fingerprint, 'invite');
    const queued = store.messages.insertOutgoing(old.fingerprint, 'for the old key');
    clock.set(20);
    // What the service does on joining: look up the address first, then record the new key.
    const known = store.contacts.findByAddress(address);
    expect(known.map((c) => c.fingerprint)).toEqual([old.fingerprint]);
    const fresh = store.contacts.upsertSeen({ publicKey: generateKeyPair().publicKey, name: 'Bob', address });
    expect(fresh.created).toBe(true);
    expect(fresh.contact).toMatchObject({ verified: false, verifiedMethod: null, name: 'Bob' });
    expect(fresh.contact.fingerprint).not.toBe(old.fingerprint);
    expect(store.messages.listUnacked(fresh.contact.fingerprint)).toEqual([]);
    expect(store.messages.listUnacked(old.fingerprint).map((m) => m.id)).toEqual([queued.id]);
    expect(store.contacts.get(old.fingerprint)).toMatchObject({ verified: true, verifiedMethod: 'invite' });
    // Both now sit at the address, most recently seen first; and both carry the name.
    expect(store.contacts.findByAddress(address).map((c) => c.fingerprint)).toEqual([fresh.contact.fingerprint, old.fingerprint]);
    expect(store.contacts.findByName('Bob').map((c) => c.fingerprint)).toEqual([fresh.contact.fingerprint, old.fingerprint]);
    expect(store.contacts.findByName('bob')).toEqual([]); // exact, as PROTOCOL.md section 6 reads
    expect(store.contacts.findByAddress('peer.example:47801')).toEqual([]);
    store.close();
  });

  it('list shows unread counts after the read marker and the last message, most recent first', () => {
    const clock = testClock(1);
    const store = openTestStore(undefined, clock.now);
    const bob = store.contacts.upsertSeen({ publicKey: generateKeyPair().publicKey, name: 'Bob' }).contact.fingerprint;
    clock.set(2);
    const carol = store.contacts.upsertSeen({ publicKey: generateKeyPair().publicKey, name: 'Carol' }).contact.fingerprint;
    clock.set(3);
    expect(store.contacts.list().map((c) => [c.name, c.unread, c.lastMessage])).toEqual([
      ['Carol', 0, null],
      ['Bob', 0, null],
    ]);
    const incoming = (peer: string, text: string) => {
      clock.tick();
      const r = store.messages.insertIncoming(peer, { id: randomUUID(), ts: 5, text });
      if (!r.inserted) throw new Error('duplicate');
      return r.message;
    };
    incoming(bob, 'b1');
    const b2 = incoming(bob, 'b2');
    clock.tick();
    store.messages.insertOutgoing(bob, 'my reply'); // outgoing never counts as unread
    incoming(bob, 'b3');
    const summary = () => store.contacts.list().map((c) => [c.name, c.unread, c.lastMessage?.text ?? null]);
    expect(summary()).toEqual([
      ['Bob', 3, 'b3'],
      ['Carol', 0, null],
    ]);
    expect(store.contacts.markRead(bob, b2.seq)).toBe(true);
    expect(summary()[0]).toEqual(['Bob', 1, 'b3']);
    expect(store.contacts.markRead(bob, 1)).toBe(true); // never moves back
    expect(summary()[0]).toEqual(['Bob', 1, 'b3']);
    expect(store.contacts.markRead(bob)).toBe(true);
    expect(summary()[0]).toEqual(['Bob', 0, 'b3']);
    incoming(carol, 'c1');
    expect(summary()).toEqual([
      ['Carol', 1, 'c1'],
      ['Bob', 0, 'b3'],
    ]);
    expect(store.contacts.list()[0]?.lastMessage).toMatchObject({ peer: carol, direction: 'in', text: 'c1' });
    expect(store.contacts.markRead('e'.repeat(64))).toBe(false);
    store.close();
  });

  it('checks every argument, naming it', () => {
    const store = openTestStore();
    const c = store.contacts;
    const publicKey = generateKeyPair().publicKey;
    const bad = (fn: () => unknown, type: typeof TypeError | typeof RangeError, name: RegExp): void => {
      expect(fn).toThrow(type);
      expect(fn).toThrow(name);
    };
    bad(() => c.get(undefined as unknown as string), TypeError, /^fingerprint/);
    bad(() => c.get('xyz'), RangeError, /^fingerprint/);
    bad(() => c.upsertSeen(null as unknown as { publicKey: Uint8Array; name: string }), TypeError, /^peer/);
    bad(() => c.upsertSeen({ publicKey: [1, 2] as unknown as Uint8Array, name: 'x' }), TypeError, /^peer\.publicKey/);
    bad(() => c.upsertSeen({ publicKey: new Uint8Array(65), name: 'x' }), RangeError, /^peer\.publicKey/);
    const xAboveP = new Uint8Array(33).fill(0xff);
    xAboveP[0] = 0x02;
    bad(() => c.upsertSeen({ publicKey: xAboveP, name: 'x' }), RangeError, /^peer\.publicKey must be a P-256 point/);
    bad(() => c.upsertSeen({ publicKey, name: 5 as unknown as string }), TypeError, /^peer\.name/);
    bad(() => c.upsertSeen({ publicKey, name: 'n'.repeat(65) }), RangeError, /^peer\.name/);
    bad(() => c.upsertSeen({ publicKey, name: 'tab\there' }), RangeError, /^peer\.name/);
    bad(() => c.upsertSeen({ publicKey, name: 'x', address: 'no-port' }), RangeError, /^peer\.address/);
    bad(() => c.upsertSeen({ publicKey, name: 'x', address: 'host:0' }), RangeError, /^peer\.address/);
    bad(() => c.upsertSeen({ publicKey, name: 'x', address: 'host:65536' }), RangeError, /^peer\.address/);
    bad(() => c.upsertSeen({ publicKey, name: 'x', address: 'host:047800' }), RangeError, /^peer\.address/);
    bad(() => c.upsertSeen({ publicKey, name: 'x', address: '::1:47800' }), RangeError, /^peer\.address/);
    bad(() => c.upsertSeen({ publicKey, name: 'x', address: 'a b:1' }), RangeError, /^peer\.address/);
    bad(() => c.findByAddress(3 as unknown as string), TypeError, /^address/);
    bad(() => c.findByName('\u0000'), RangeError, /^name/);
    bad(() => c.verify('a'.repeat(64), 'trust-me' as 'invite'), RangeError, /^method/);
    bad(() => c.markRead('a'.repeat(64), 0), RangeError, /^upToSeq/);
    // Valid at the limits: 64 code points of a 2-unit character, C1 controls in a name, an empty name.
    expect(c.upsertSeen({ publicKey, name: '🦜'.repeat(64), address: '[::1]:65535' }).created).toBe(true);
    expect(c.upsertSeen({ publicKey, name: '' }).contact.name).toBe('');
    expect(c.upsertSeen({ publicKey, name: 'x\u0085y' }).contact.name).toBe('x\u0085y');
    store.close();
  });
});
