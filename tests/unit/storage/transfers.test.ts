/** The transfers repository: offers as messages of the conversation, sealed names and paths, states, dedupe. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../../src/core/storage/database.ts';
import { addPeer, cleanupTempDirs, openTestStore, storageErrorCode, testClock } from './helpers.ts';

afterEach(cleanupTempDirs);

const SHA = 'ab'.repeat(32);
const NAME = 'Holiday 🌴 photos.zip';
const SOURCE = '/home/ann/Secret project/Holiday 🌴 photos.zip';

function raw(dir: string): DatabaseSync {
  return new DatabaseSync(join(dir, DB_FILE_NAME), { readOnly: true });
}

describe('transfers', () => {
  it('an outgoing offer is a queued message of kind file, paged with the texts; name and path are sealed', () => {
    const clock = testClock();
    const store = openTestStore(undefined, clock.now);
    const peer = addPeer(store);
    store.messages.insertOutgoing(peer, 'look at this');
    clock.tick();
    const t = store.transfers.createOutgoing(peer, { name: NAME, size: 1234, sha256: SHA, sourcePath: SOURCE, sourceMtimeUs: 1_700_000_000_123_456 });
    expect(t).toMatchObject({ peer, direction: 'out', name: NAME, size: 1234, sha256: SHA, state: 'offered', bytes: 0, reason: null, paths: { source: SOURCE }, sourceSize: 1234, sourceMtimeUs: 1_700_000_000_123_456 });
    const page = store.messages.latest(peer, 10);
    expect(page.map((m) => [m.kind, m.text, m.state])).toEqual([['text', 'look at this', 'queued'], ['file', NAME, 'queued']]);
    expect(page[1]?.id).toBe(t.id);
    expect(store.messages.listUnacked(peer).map((m) => m.id)).toContain(t.id);
    expect(store.messages.markDelivered(peer, t.id)).toBe(true);
    const db = raw(store.dir);
    const bytes = Buffer.concat(
      db.prepare('SELECT text_box AS b FROM messages UNION ALL SELECT paths_box FROM transfers').all().map((r) => Buffer.from(r['b'] as Uint8Array)),
    );
    db.close();
    expect(bytes.includes(Buffer.from('Holiday'))).toBe(false);
    expect(bytes.includes(Buffer.from('Secret'))).toBe(false);
    store.close();
  });

  it('an incoming offer is stored once (a resend is not stored again) and found by id', () => {
    const store = openTestStore();
    const peer = addPeer(store);
    const offer = { id: randomUUID(), ts: 5, name: 'a.txt', size: 3, sha256: SHA };
    const first = store.transfers.insertIncoming(peer, offer);
    expect(first.inserted).toBe(true);
    expect(first.transfer).toMatchObject({ direction: 'in', state: 'offered', name: 'a.txt', ts: 5, paths: {} });
    expect(store.transfers.insertIncoming(peer, { ...offer, name: 'other.txt' })).toEqual({ inserted: false, transfer: first.transfer });
    expect(store.transfers.listById(offer.id)).toEqual([first.transfer]);
    expect(store.messages.latest(peer, 5).map((m) => [m.kind, m.state, m.text])).toEqual([['file', 'delivered', 'a.txt']]);
    // An offer reusing the id of a stored text is refused, the text kept.
    const text = { id: randomUUID(), ts: 6, text: 'hi' };
    store.messages.insertIncoming(peer, text);
    expect(() => store.transfers.insertIncoming(peer, { ...offer, id: text.id })).toThrow(RangeError);
    expect(() => store.transfers.insertIncoming(peer, { ...offer, id: randomUUID(), name: 'a/b' })).toThrow(RangeError);
    expect(() => store.transfers.insertIncoming('f'.repeat(64), { ...offer, id: randomUUID() })).toThrow(/not a known contact/);
    store.close();
  });

  it('moves through states with paths, bytes and reasons; unfinished and owed lists follow', () => {
    const store = openTestStore();
    const peer = addPeer(store);
    const { transfer } = store.transfers.insertIncoming(peer, { id: randomUUID(), ts: 5, name: 'a.txt', size: 100, sha256: SHA });
    const { id } = transfer;
    store.transfers.update(peer, 'in', id, { state: 'accepted', paths: { dir: '/dl', part: '/dl/a.txt.part' } });
    store.transfers.setBytes(peer, 'in', id, 40);
    expect(store.transfers.get(peer, 'in', id)).toMatchObject({ state: 'accepted', bytes: 40, paths: { dir: '/dl', part: '/dl/a.txt.part' } });
    expect(store.transfers.listUnfinished(peer).map((t) => t.id)).toEqual([id]);
    expect(() => store.transfers.setBytes(peer, 'in', id, 101)).toThrow(/CHECK/);
    const done = store.transfers.update(peer, 'in', id, { state: 'failed', reason: 'no-space', endedBy: 'local', finalOwed: 'file-cancel' });
    expect(done).toMatchObject({ state: 'failed', reason: 'no-space', endedBy: 'local', finalOwed: 'file-cancel' });
    expect(store.transfers.listUnfinished(peer)).toEqual([]);
    expect(store.transfers.listOwed(peer).map((t) => t.id)).toEqual([id]);
    expect(store.transfers.update(peer, 'in', id, { finalOwed: null }).finalOwed).toBe(null);
    expect(store.transfers.listOwed(peer)).toEqual([]);
    expect(store.transfers.get(peer, 'out', id)).toBe(null);
    store.close();
  });

  it('lists the unfinished outgoing offers of every peer, with their sources (pasted pictures are kept for them)', () => {
    const store = openTestStore();
    const [p1, p2] = [addPeer(store), addPeer(store)];
    const a = store.transfers.createOutgoing(p1, { name: 'a', size: 1, sha256: SHA, sourcePath: '/a', sourceMtimeUs: 1 });
    store.transfers.createOutgoing(p2, { name: 'b', size: 1, sha256: SHA, sourcePath: '/b', sourceMtimeUs: 1 });
    store.transfers.insertIncoming(p2, { id: randomUUID(), ts: 5, name: 'in.txt', size: 1, sha256: SHA });
    expect(store.transfers.listSending().map((t) => t.paths.source).sort()).toEqual(['/a', '/b']);
    store.transfers.update(p1, 'out', a.id, { state: 'transferring' });
    expect(store.transfers.listSending()).toHaveLength(2);
    store.transfers.update(p1, 'out', a.id, { state: 'done' });
    expect(store.transfers.listSending().map((t) => t.paths.source)).toEqual(['/b']);
    store.close();
  });

  it('a sealed path copied onto another row does not open: corrupt', () => {
    const store = openTestStore();
    const peer = addPeer(store);
    const a = store.transfers.createOutgoing(peer, { name: 'a', size: 1, sha256: SHA, sourcePath: '/a', sourceMtimeUs: 1 });
    const b = store.transfers.createOutgoing(peer, { name: 'b', size: 1, sha256: SHA, sourcePath: '/b', sourceMtimeUs: 1 });
    const db = new DatabaseSync(join(store.dir, DB_FILE_NAME));
    db.prepare('UPDATE transfers SET paths_box = (SELECT paths_box FROM transfers WHERE id = ?) WHERE id = ?').run(a.id, b.id);
    db.close();
    expect(storageErrorCode(() => store.transfers.get(peer, 'out', b.id))).toBe('corrupt');
    store.close();
  });
});
