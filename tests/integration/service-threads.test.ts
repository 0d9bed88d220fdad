/**
 * Issue 12 over real TCP and real storage: one thread per person after a key change (the strict
 * policy stays), search with a bounded cost per call and a cursor, history around a hit, and
 * replies and reactions on the wire.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { SEARCH_MAX_HITS, SEARCH_SCAN_ROWS } from '../../src/core/service/conversations.ts';
import { ServiceError } from '../../src/core/service/errors.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import { addressOf, cleanupNodes, startNode, tempDir, type TestNode } from '../helpers/services.ts';

afterEach(cleanupNodes);

async function codeOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return (err as ServiceError).code;
  }
  throw new Error('expected a ServiceError, but it succeeded');
}

async function joinAndWait(guest: TestNode, host: TestNode, target: string): Promise<void> {
  const g = guest.mark();
  await guest.service.join(target);
  await guest.waitFor('connected', (e) => e.peer === host.fingerprint, { since: g });
  await host.waitFor('connected', (e) => e.peer === guest.fingerprint);
}

describe('one thread per person', () => {
  it("after a verified contact's key changes, sending waits; accepting the new key archives the old one and continues one thread", async () => {
    const carol = await startNode('Carol');
    const { port } = await carol.host(0);
    const me = await startNode('Me');
    await joinAndWait(me, carol, addressOf(port));
    me.service.verify(carol.fingerprint, 'safety-number');
    const before = me.service.send(carol.fingerprint, 'before the change');
    await me.waitFor('message-state', (e) => e.id === before.id && e.state === 'delivered');
    await carol.close();

    // Carol comes back at the same address with a new key (a reinstall); we rejoin by ourselves.
    const carol2 = await startNode('Carol');
    await carol2.host(port);
    const w = await me.waitFor('warning', (e) => e.peer === carol2.fingerprint);
    expect(w).toMatchObject({ code: 'key-changed', previous: carol.fingerprint });
    expect(await codeOf(() => me.service.send(carol2.fingerprint, 'too early'))).toBe('send-blocked');
    expect(me.service.contacts().map((c) => c.fingerprint).sort()).toEqual([carol.fingerprint, carol2.fingerprint].sort());

    const m = me.mark();
    const merged = me.service.acceptKey(carol2.fingerprint);
    expect(merged).toMatchObject({ fingerprint: carol2.fingerprint, verified: false, previousKeys: 1, blocked: null });
    await me.waitFor('contact-removed', (e) => e.peer === carol.fingerprint && e.into === carol2.fingerprint, { since: m });
    expect(me.service.contacts().map((c) => c.fingerprint)).toEqual([carol2.fingerprint]);
    expect(me.service.contact(carol.fingerprint)).toBeNull();

    const after = me.service.send(carol2.fingerprint, 'after the change');
    await me.waitFor('message-state', (e) => e.id === after.id && e.state === 'delivered');
    const thread = me.service.history(carol2.fingerprint, { before: null, limit: 10 });
    expect(thread.map((x) => [x.text, x.key, x.peer])).toEqual([
      ['before the change', carol.fingerprint, carol2.fingerprint],
      ['after the change', carol2.fingerprint, carol2.fingerprint],
    ]);
    const [change] = me.service.keyHistory(carol2.fingerprint);
    expect(change).toMatchObject({ oldKey: carol.fingerprint, newKey: carol2.fingerprint, oldName: 'Carol', oldVerifiedMethod: 'safety-number', afterSeq: before.seq });
    // The old key's verification is kept on its own record and not carried to the new key.
    expect(me.service.contact(carol2.fingerprint)?.verified).toBe(false);

    // The one thread survives a restart.
    const again = await me.restart({ autoReconnect: false });
    expect(again.service.contacts().map((c) => c.fingerprint)).toEqual([carol2.fingerprint]);
    expect(again.service.history(carol2.fingerprint, { before: null, limit: 10 }).map((x) => x.text)).toEqual(['before the change', 'after the change']);
  });

  it('an archived key that answers again leaves the thread with its messages and is warned about as a key change', async () => {
    const carol = await startNode('Carol');
    const { port } = await carol.host(0);
    const me = await startNode('Me');
    await joinAndWait(me, carol, addressOf(port));
    const old = me.service.send(carol.fingerprint, 'to the old key');
    await me.waitFor('message-state', (e) => e.id === old.id && e.state === 'delivered');
    const carolDir = carol.dir;
    await carol.close();
    const carol2 = await startNode('Carol');
    await carol2.host(port);
    await me.waitFor('warning', (e) => e.peer === carol2.fingerprint);
    me.service.acceptKey(carol2.fingerprint);
    expect(me.service.contacts().map((c) => c.fingerprint)).toEqual([carol2.fingerprint]);
    await carol2.close();

    // The old key is back at the same address (someone still holds it).
    const back = await startNode('Carol', {}, carolDir);
    await back.host(port);
    const w = await me.waitFor('warning', (e) => e.peer === carol.fingerprint);
    expect(w).toMatchObject({ code: 'key-changed', previous: carol2.fingerprint });
    expect(me.service.contacts().map((c) => c.fingerprint).sort()).toEqual([carol.fingerprint, carol2.fingerprint].sort());
    expect(me.service.history(carol2.fingerprint, { before: null, limit: 10 }).map((m) => m.text)).toEqual([]);
    expect(me.service.history(carol.fingerprint, { before: null, limit: 10 }).map((m) => m.text)).toEqual(['to the old key']);
    expect(me.service.contact(carol.fingerprint)?.blocked).toBeNull(); // carol2 was not verified: not held
  });

  it('a name-collision is not merged: accepting it keeps two people', async () => {
    const host = await startNode('Host');
    const { port } = await host.host(0);
    const bob = await startNode('Bob');
    await joinAndWait(bob, host, addressOf(port));
    const fake = await startNode('Bob');
    await joinAndWait(fake, host, addressOf(port));
    await host.waitFor('warning', (e) => e.peer === fake.fingerprint && e.code === 'name-collision');
    host.service.acceptKey(fake.fingerprint);
    expect(host.service.contacts().map((c) => c.fingerprint).sort()).toEqual([bob.fingerprint, fake.fingerprint].sort());
    expect(host.service.keyHistory(fake.fingerprint)).toEqual([]);
  });
});

describe('search and history around a hit', () => {
  it('finds text across conversations, case-insensitively, with a snippet; a cursor pages a long history at a bounded cost', async () => {
    const dir = join(await tempDir(), 'data');
    let me = await startNode('Me', {}, dir);
    const a = await startNode('Ann');
    const { port } = await a.host(0);
    await joinAndWait(me, a, addressOf(port));
    const first = me.service.send(a.fingerprint, 'The Blue whale is large');
    await me.close();

    // A long history written straight to the store (as if over months), then the service again.
    const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
    const total = SEARCH_SCAN_ROWS + 500;
    for (let i = 0; i < total; i++) store.messages.insertOutgoing(a.fingerprint, i % 500 === 0 ? `blue note ${i}` : `filler ${i}`);
    store.close();
    me = await startNode('Me', { autoReconnect: false }, dir);

    const page1 = me.service.search('BLUE', null);
    expect(page1.scanned).toBe(SEARCH_SCAN_ROWS);
    expect(page1.hits.map((h) => h.snippet)).toEqual(['blue note 1000', 'blue note 500']);
    expect(page1.next).not.toBeNull();
    const page2 = me.service.search('BLUE', page1.next);
    expect(page2.next).toBeNull();
    expect(page2.hits.map((h) => h.snippet)).toEqual(['blue note 0', 'The Blue whale is large']);
    // At most SEARCH_MAX_HITS per call: the cursor goes on right after the last hit.
    const many = me.service.search('filler', null);
    expect(many.hits).toHaveLength(SEARCH_MAX_HITS);
    const more = me.service.search('filler', many.next);
    expect(more.hits[0]?.seq).toBe((many.hits.at(-1)?.seq ?? 0) - 1);
    const hit = page2.hits[1];
    expect(hit).toMatchObject({ peer: a.fingerprint, key: a.fingerprint, id: first.id, seq: first.seq, matchStart: 4, matchLength: 4 });

    // Jump to the hit: the messages around it, oldest first, the hit among them.
    const around = me.service.history(a.fingerprint, { before: null, around: hit?.seq ?? 0, limit: 5 });
    expect(around.map((x) => x.seq)).toContain(first.seq);
    // Nothing older than the first message: the page fills up with newer ones.
    expect(around.map((x) => x.seq)).toEqual([first.seq, first.seq + 1, first.seq + 2, first.seq + 3, first.seq + 4]);
    const mid = me.service.history(a.fingerprint, { before: null, around: first.seq + 100, limit: 5 });
    expect(mid.map((x) => x.seq)).toEqual([first.seq + 98, first.seq + 99, first.seq + 100, first.seq + 101, first.seq + 102]);
    const after = me.service.history(a.fingerprint, { before: null, after: first.seq, limit: 2 });
    expect(after.map((x) => x.seq)).toEqual([first.seq + 1, first.seq + 2]);

    expect(await codeOf(() => me.service.search('', null))).toBe('bad-input');
    expect(await codeOf(() => me.service.search('a\u0000', null))).toBe('bad-input');
    expect(await codeOf(() => me.service.history(a.fingerprint, { before: 5, after: 2, limit: 5 }))).toBe('bad-input');
  });
});

describe('replies and reactions', () => {
  it('a reply and a reaction travel as msg members and are stored on both sides', async () => {
    const host = await startNode('Host');
    const { port } = await host.host(0);
    const guest = await startNode('Guest');
    await joinAndWait(guest, host, addressOf(port));
    const q = guest.service.send(host.fingerprint, 'lunch?');
    const got = await host.waitFor('message', (e) => e.message.id === q.id);
    expect(got.message).toMatchObject({ replyTo: null, reactTo: null });

    const reply = host.service.send(guest.fingerprint, 'yes!', { replyTo: q.id });
    expect(reply.replyTo).toBe(q.id);
    const r = await guest.waitFor('message', (e) => e.message.id === reply.id);
    expect(r.message).toMatchObject({ text: 'yes!', replyTo: q.id, reactTo: null });

    const react = guest.service.send(host.fingerprint, '👍', { reactTo: reply.id });
    const x = await host.waitFor('message', (e) => e.message.id === react.id);
    expect(x.message).toMatchObject({ text: '👍', reactTo: reply.id, replyTo: null });
    expect(host.service.history(guest.fingerprint, { before: null, limit: 5 }).map((m) => [m.text, m.replyTo, m.reactTo])).toEqual([
      ['lunch?', null, null],
      ['yes!', q.id, null],
      ['👍', null, reply.id],
    ]);

    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await codeOf(() => host.service.send(guest.fingerprint, 'x', { replyTo: unknown }))).toBe('bad-input');
    expect(await codeOf(() => host.service.send(guest.fingerprint, 'x', { replyTo: 'nope' }))).toBe('bad-input');
    expect(await codeOf(() => host.service.send(guest.fingerprint, 'x', { replyTo: q.id, reactTo: q.id }))).toBe('bad-input');
  });
});

describe('a received reaction is not unread (issue 12)', () => {
  it('it adds nothing to the unread count, and the contact summary previews it as a reaction to its message', async () => {
    const host = await startNode('Host');
    const { port } = await host.host(0);
    const guest = await startNode('Guest');
    await joinAndWait(guest, host, addressOf(port));
    const mine = host.service.send(guest.fingerprint, 'Dinner at eight on Friday, the usual place?');
    await guest.waitFor('message', (e) => e.message.id === mine.id);
    const q = guest.service.send(host.fingerprint, 'sounds good');
    await host.waitFor('message', (e) => e.message.id === q.id);
    expect(host.service.contacts().find((c) => c.fingerprint === guest.fingerprint)?.unread).toBe(1);

    const react = guest.service.send(host.fingerprint, '👍', { reactTo: mine.id });
    const changed = host.mark();
    await host.waitFor('message', (e) => e.message.id === react.id);
    const summary = await host.waitFor('contact-changed', (e) => e.contact.fingerprint === guest.fingerprint, { since: changed });
    expect(summary.contact.unread).toBe(1);
    expect(summary.contact.lastMessage).toMatchObject({ text: 'Reacted 👍 to “Dinner at eight on Friday, the usual pl…”', direction: 'in' });
    const listed = host.service.contacts().find((c) => c.fingerprint === guest.fingerprint);
    expect(listed?.unread).toBe(1);
    expect(listed?.lastMessage?.text).toBe('Reacted 👍 to “Dinner at eight on Friday, the usual pl…”');
    // The sender's own summary words its reaction the same way (the quote cut to one short line).
    expect(guest.service.contacts().find((c) => c.fingerprint === host.fingerprint)?.lastMessage?.text).toBe('Reacted 👍 to “Dinner at eight on Friday, the usual pl…”');
  });
});
