import { randomUUID } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../../src/core/storage/database.ts';
import { MAX_PAGE } from '../../../src/core/storage/messages-repo.ts';
import { StorageError } from '../../../src/core/storage/storage-error.ts';
import { addPeer, cleanupTempDirs, openTestStore, tempDir, testClock } from './helpers.ts';

afterEach(cleanupTempDirs);

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('messages', () => {
  it('insertOutgoing stores a queued message with a random v4 id and our clock', () => {
    const clock = testClock(1000);
    const store = openTestStore(undefined, clock.now);
    const peer = addPeer(store);
    const m = store.messages.insertOutgoing(peer, 'hello\tworld\n🦜');
    expect(m).toMatchObject({ peer, direction: 'out', ts: 1000, storedAt: 1000, deliveredAt: null, state: 'queued', text: 'hello\tworld\n🦜' });
    expect(m.id).toMatch(UUID_V4);
    expect(store.messages.insertOutgoing(peer, 'x').id).not.toBe(m.id);
    store.close();
  });

  it('queued → sent → delivered, each transition once; acks for unknown ids are false', () => {
    const clock = testClock(1000);
    const store = openTestStore(undefined, clock.now);
    const peer = addPeer(store);
    const other = addPeer(store, 'Carol');
    const m = store.messages.insertOutgoing(peer, 'one');
    expect(store.messages.markSent(other, m.id)).toBe(false); // another peer's ack does not count
    expect(store.messages.markDelivered(other, m.id)).toBe(false);
    expect(store.messages.markSent(peer, m.id)).toBe(true);
    expect(store.messages.markSent(peer, m.id)).toBe(false);
    clock.set(2000);
    expect(store.messages.markDelivered(peer, m.id)).toBe(true);
    expect(store.messages.markDelivered(peer, m.id)).toBe(false);
    expect(store.messages.markSent(peer, m.id)).toBe(false); // never back from delivered
    expect(store.messages.latest(peer, 1)[0]).toMatchObject({ state: 'delivered', deliveredAt: 2000 });
    expect(store.messages.markDelivered(peer, randomUUID())).toBe(false);
    // An ack may overtake markSent (a queued message acked at once).
    const q = store.messages.insertOutgoing(peer, 'two');
    expect(store.messages.markDelivered(peer, q.id)).toBe(true);
    store.close();
  });

  it('insertIncoming dedupes by (peer, id): a resend is not stored again', () => {
    const clock = testClock(5000);
    const store = openTestStore(undefined, clock.now);
    const peer = addPeer(store);
    const other = addPeer(store, 'Carol');
    const msg = { id: randomUUID(), ts: 42, text: 'first' };
    const first = store.messages.insertIncoming(peer, msg);
    expect(first).toEqual({
      inserted: true,
      message: { seq: first.inserted ? first.message.seq : -1, peer, id: msg.id, direction: 'in', ts: 42, storedAt: 5000, deliveredAt: 5000, state: 'delivered', kind: 'text', text: 'first', replyTo: null, reactTo: null },
    });
    expect(store.messages.insertIncoming(peer, msg)).toEqual({ inserted: false });
    expect(store.messages.insertIncoming(peer, { ...msg, text: 'changed on resend' })).toEqual({ inserted: false });
    expect(store.messages.count(peer)).toBe(1);
    expect(store.messages.latest(peer, 5).map((m) => m.text)).toEqual(['first']);
    // The same id from another peer, or our own outgoing id echoed back, is a different message.
    expect(store.messages.insertIncoming(other, msg).inserted).toBe(true);
    const out = store.messages.insertOutgoing(peer, 'mine');
    expect(store.messages.insertIncoming(peer, { id: out.id, ts: 1, text: 'echo' }).inserted).toBe(true);
    expect(store.messages.listUnacked(peer).map((m) => m.text)).toEqual(['mine']);
    store.close();
  });

  it('insertIncoming has committed when it returns: another connection sees the row', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const peer = addPeer(store);
    const id = randomUUID();
    store.messages.insertIncoming(peer, { id, ts: 1, text: 'durable' });
    const reader = new DatabaseSync(join(dir, DB_FILE_NAME), { readOnly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM messages WHERE id = ?').get(id)?.['n']).toBe(1);
    reader.close();
    store.close();
  });

  it('a non-durable insertOutgoing is committed to the WAL, and durableBarrier puts it in the database file itself (issue 11 item 17)', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const peer = addPeer(store);
    store.messages.durableBarrier(); // the contact row too: from here on only the message is new
    const m = store.messages.insertOutgoing(peer, 'sent at once', {}, { durable: false });
    const reader = new DatabaseSync(join(dir, DB_FILE_NAME), { readOnly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM messages WHERE id = ?').get(m.id)?.['n']).toBe(1);
    reader.close();
    // The main file alone (copied without its WAL) does not hold it until the barrier checkpoints,
    // which syncs the WAL before it copies pages back: the row is then durable.
    const mainOnly = (): number => {
      const copy = join(tempDir(), 'copy.db');
      copyFileSync(join(dir, DB_FILE_NAME), copy);
      const db = new DatabaseSync(copy);
      const n = Number(db.prepare('SELECT count(*) AS n FROM messages WHERE id = ?').get(m.id)?.['n']);
      db.close();
      return n;
    };
    expect(mainOnly()).toBe(0);
    store.messages.durableBarrier();
    expect(mainOnly()).toBe(1);
    expect(store.messages.markSent(peer, m.id, { durable: true })).toBe(true);
    store.close();
  });

  it('listUnacked gives queued and sent outgoing messages, oldest first, for that peer only', () => {
    const store = openTestStore();
    const peer = addPeer(store);
    const other = addPeer(store, 'Carol');
    const a = store.messages.insertOutgoing(peer, 'a');
    store.messages.insertIncoming(peer, { id: randomUUID(), ts: 1, text: 'incoming' });
    const b = store.messages.insertOutgoing(peer, 'b');
    const c = store.messages.insertOutgoing(peer, 'c');
    store.messages.insertOutgoing(other, 'for carol');
    store.messages.markSent(peer, a.id);
    store.messages.markDelivered(peer, b.id);
    expect(store.messages.listUnacked(peer).map((m) => [m.text, m.state])).toEqual([
      ['a', 'sent'],
      ['c', 'queued'],
    ]);
    expect(store.messages.listUnacked(peer).map((m) => m.seq)).toEqual([a.seq, c.seq]);
    store.close();
  });

  it('listUnacked pages from a position: the rest after a seq, at most `limit` (issue 11 item 6)', () => {
    const store = openTestStore();
    const peer = addPeer(store);
    const sent = Array.from({ length: 7 }, (_, i) => store.messages.insertOutgoing(peer, `m${i}`));
    store.messages.markDelivered(peer, sent[3]!.id);
    expect(store.messages.listUnacked(peer, { after: 0, limit: 2 }).map((m) => m.text)).toEqual(['m0', 'm1']);
    expect(store.messages.listUnacked(peer, { after: sent[1]!.seq, limit: 3 }).map((m) => m.text)).toEqual(['m2', 'm4', 'm5']);
    expect(store.messages.listUnacked(peer, { after: sent[6]!.seq, limit: 3 })).toEqual([]);
    expect(() => store.messages.listUnacked(peer, { after: -1, limit: 3 })).toThrow(RangeError);
    expect(() => store.messages.listUnacked(peer, { after: 0, limit: 0 })).toThrow(RangeError);
    store.close();
  });

  it('never writes a message text in clear: not in the database file, not in the WAL', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const peer = addPeer(store);
    const secretOut = 'MARKER-out-7f3a the meeting is at the old mill';
    const secretIn = 'MARKER-in-91c2 bring the blue folder';
    store.messages.insertOutgoing(peer, secretOut);
    store.messages.insertIncoming(peer, { id: randomUUID(), ts: 1, text: secretIn });
    const needles = [secretOut, secretIn, 'MARKER'].flatMap((s) => [Buffer.from(s, 'utf8'), Buffer.from(s, 'utf16le')]);
    const wal = readFileSync(join(dir, `${DB_FILE_NAME}-wal`));
    expect(wal.length).toBeGreaterThan(0);
    for (const needle of needles) expect(wal.includes(needle)).toBe(false);
    // Sanity check of the method: unencrypted data (the contact's name) is found in the same bytes.
    expect(wal.includes(Buffer.from('Bob'))).toBe(true);
    store.close(); // checkpoints the WAL into the main file
    const db = readFileSync(join(dir, DB_FILE_NAME));
    for (const needle of needles) expect(db.includes(needle)).toBe(false);
    expect(db.includes(Buffer.from('Bob'))).toBe(true);
    // And the texts are all there for the store itself.
    const again = openTestStore(dir);
    expect(again.messages.latest(peer, 5).map((m) => m.text)).toEqual([secretOut, secretIn]);
    again.close();
  });

  it('binds each ciphertext to its row: swapped or edited rows fail loudly instead of showing wrong text', () => {
    const dir = join(tempDir(), 'data');
    const store = openTestStore(dir);
    const peer = addPeer(store);
    const other = addPeer(store, 'Carol');
    const a = store.messages.insertOutgoing(peer, 'to bob');
    const b = store.messages.insertIncoming(peer, { id: randomUUID(), ts: 9, text: 'from bob' });
    const c = store.messages.insertOutgoing(other, 'to carol');
    if (!b.inserted) throw new Error('not inserted');
    store.close();

    const tamper = (sql: string, ...params: (string | number)[]): void => {
      const raw = new DatabaseSync(join(dir, DB_FILE_NAME));
      raw.prepare(sql).run(...params);
      raw.close();
    };
    // Swaps two rows' ciphertexts (read both first: an UPDATE's subquery would see its own writes).
    const swapBoxes = (x: number, y: number): void => {
      const raw = new DatabaseSync(join(dir, DB_FILE_NAME));
      const box = (seq: number) => raw.prepare('SELECT text_box FROM messages WHERE seq = ?').get(seq)?.['text_box'] as Uint8Array;
      const [bx, by] = [box(x), box(y)];
      expect(bx).not.toEqual(by);
      raw.prepare('UPDATE messages SET text_box = ? WHERE seq = ?').run(by, x);
      raw.prepare('UPDATE messages SET text_box = ? WHERE seq = ?').run(bx, y);
      raw.close();
    };
    const expectCorrupt = (peerFp: string): void => {
      const s = openTestStore(dir);
      try {
        expect(() => s.messages.latest(peerFp, 10)).toThrow(StorageError);
        expect(() => s.messages.latest(peerFp, 10)).toThrow(/does not decrypt/);
      } finally {
        s.close();
      }
    };

    // Two rows of one conversation, different direction and id.
    swapBoxes(a.seq, b.message.seq);
    expectCorrupt(peer);
    swapBoxes(a.seq, b.message.seq); // swap back: readable again
    expect((() => {
      const s = openTestStore(dir);
      const texts = s.messages.latest(peer, 10).map((m) => m.text);
      s.close();
      return texts;
    })()).toEqual(['to bob', 'from bob']);

    // Same direction, another peer's row.
    swapBoxes(a.seq, c.seq);
    expectCorrupt(peer);
    expectCorrupt(other);
    swapBoxes(a.seq, c.seq);

    // The row's metadata is bound too: a changed send time, id or direction does not decrypt.
    tamper('UPDATE messages SET sent_ts = sent_ts + 1 WHERE seq = ?', b.message.seq);
    expectCorrupt(peer);
    tamper('UPDATE messages SET sent_ts = sent_ts - 1 WHERE seq = ?', b.message.seq);
    tamper("UPDATE messages SET id = '00000000-0000-4000-8000-000000000000' WHERE seq = ?", a.seq);
    expectCorrupt(peer);
  });

  it('checks every argument, naming it', () => {
    const store = openTestStore();
    const peer = addPeer(store);
    const m = store.messages;
    const id = randomUUID();
    const bad = (fn: () => unknown, type: typeof TypeError | typeof RangeError, name: RegExp): void => {
      expect(fn).toThrow(type);
      expect(fn).toThrow(name);
    };
    bad(() => m.insertIncoming(5 as unknown as string, { id, ts: 1, text: 'x' }), TypeError, /^peer/);
    bad(() => m.insertIncoming('A'.repeat(64), { id, ts: 1, text: 'x' }), RangeError, /^peer/);
    bad(() => m.insertIncoming(peer, null as unknown as { id: string; ts: number; text: string }), TypeError, /^message/);
    bad(() => m.insertIncoming(peer, { id: id.toUpperCase(), ts: 1, text: 'x' }), RangeError, /^message\.id/);
    bad(() => m.insertIncoming(peer, { id: `${id}\n`, ts: 1, text: 'x' }), RangeError, /^message\.id/);
    bad(() => m.insertIncoming(peer, { id, ts: '1' as unknown as number, text: 'x' }), TypeError, /^message\.ts/);
    bad(() => m.insertIncoming(peer, { id, ts: -1, text: 'x' }), RangeError, /^message\.ts/);
    bad(() => m.insertIncoming(peer, { id, ts: 2 ** 53, text: 'x' }), RangeError, /^message\.ts/);
    bad(() => m.insertIncoming(peer, { id, ts: 1.5, text: 'x' }), RangeError, /^message\.ts/);
    bad(() => m.insertIncoming(peer, { id, ts: 1, text: '' }), RangeError, /^message\.text/);
    bad(() => m.insertIncoming(peer, { id, ts: 1, text: 'a\rb' }), RangeError, /^message\.text/);
    bad(() => m.insertIncoming(peer, { id, ts: 1, text: 'a\u007fb' }), RangeError, /^message\.text/);
    bad(() => m.insertIncoming(peer, { id, ts: 1, text: 'a\ud800' }), RangeError, /^message\.text/);
    bad(() => m.insertIncoming(peer, { id, ts: 1, text: 'x'.repeat(16_001) }), RangeError, /^message\.text/);
    bad(() => m.insertOutgoing(peer, 7 as unknown as string), TypeError, /^text/);
    bad(() => m.insertOutgoing('b'.repeat(64), 'hi'), RangeError, /^peer .* not a known contact/);
    bad(() => m.markSent(peer, 'nope'), RangeError, /^id/);
    bad(() => m.markDelivered(peer, undefined as unknown as string), TypeError, /^id/);
    bad(() => m.latest(peer, 0), RangeError, /^n/);
    bad(() => m.latest(peer, MAX_PAGE + 1), RangeError, /^n/);
    bad(() => m.before(peer, 0, 5), RangeError, /^cursor/);
    bad(() => m.before(peer, Number.NaN, 5), RangeError, /^cursor/);
    bad(() => m.count(null as unknown as string), TypeError, /^peer/);
    // Accepted at the limits: 16,000 code points of a 2-unit character, C1 controls, TAB and LF.
    expect(m.insertIncoming(peer, { id, ts: 2 ** 53 - 1, text: '🦜'.repeat(16_000) }).inserted).toBe(true);
    expect(m.insertOutgoing(peer, '\u0085\t\n').text).toBe('\u0085\t\n');
    bad(() => m.insertIncoming('b'.repeat(64), { id: randomUUID(), ts: 1, text: 'x' }), RangeError, /^peer .* not a known contact/);
    store.close();
  });
});
