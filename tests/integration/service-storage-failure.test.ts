/**
 * A storage failure while receiving (disk full, database damaged) must not crash the node or lose
 * the message: no ack goes out, the session ends, and the sender keeps the message and resends it.
 * A full disk cannot be produced on demand here, so the receiver's store is wrapped to fail its
 * next insert the way node:sqlite does (it throws); everything else is the real service over TCP.
 */
import { afterEach, expect, it } from 'vitest';
import { createKeyFileSealer } from '../../src/core/identity/key-file-sealer.ts';
import { ParleyService } from '../../src/core/service/parley-service.ts';
import { openDataDir } from '../../src/core/storage/data-dir.ts';
import type { ParleyEvent } from '../../src/shared/dto.ts';
import { FAST, cleanupNodes, startNode, tempDir, until } from '../helpers/services.ts';

afterEach(cleanupNodes);

it('a failed insert sends no ack, ends the session, and the message arrives on the next session', async () => {
  const dir = `${await tempDir()}/data`;
  const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
  store.settings.setDisplayName('Host');
  let failNext = true;
  const realInsert = store.messages.insertIncoming.bind(store.messages);
  const messages = {
    ...store.messages,
    insertIncoming: (peer: string, m: { id: string; ts: number; text: string }) => {
      if (failNext) {
        failNext = false;
        throw new Error('database or disk is full');
      }
      return realInsert(peer, m);
    },
  };
  const events: ParleyEvent[] = [];
  const host = new ParleyService({ store: { ...store, messages, close: () => store.close() }, keyProtection: 'key-file', ...FAST });
  host.on((e) => events.push(e));
  try {
    const hosting = await host.host({ port: 0, bind: '127.0.0.1' });
    const guest = await startNode('Guest', { backoff: { initialMs: 50, maxMs: 200, jitter: 0 } });
    const { peer } = await guest.service.join(hosting.invite);
    const sent = guest.service.send(peer, 'kept until stored');
    await until(() => events.some((e) => e.type === 'error'), 'the host reports the storage failure');
    expect(events.find((e) => e.type === 'disconnected')).toBeDefined();
    expect(guest.all('message-state').some((e) => e.id === sent.id && e.state === 'delivered')).toBe(false);
    // The guest rejoins by itself and resends the same id; this time it is stored and acked once.
    await guest.waitFor('message-state', (e) => e.id === sent.id && e.state === 'delivered', { timeoutMs: 10_000 });
    const got = events.filter((e) => e.type === 'message');
    expect(got).toHaveLength(1);
    expect(got[0]?.type === 'message' && got[0].message.id).toBe(sent.id);
    expect(host.history(guest.fingerprint, { before: null, limit: 10 }).map((m) => m.text)).toEqual(['kept until stored']);
  } finally {
    await host.close();
  }
});

it('a storage failure while accepting a connection drops that connection and keeps the host serving', async () => {
  const dir = `${await tempDir()}/data`;
  const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
  let failNext = true;
  const realUpsert = store.contacts.upsertSeen.bind(store.contacts);
  const contacts = {
    ...store.contacts,
    upsertSeen: (peer: Parameters<typeof realUpsert>[0]) => {
      if (failNext) {
        failNext = false;
        throw new Error('database or disk is full');
      }
      return realUpsert(peer);
    },
  };
  const logs: string[] = [];
  const host = new ParleyService({ store: { ...store, contacts, close: () => store.close() }, keyProtection: 'key-file', ...FAST, log: (l) => logs.push(l) });
  try {
    const hosting = await host.host({ port: 0, bind: '127.0.0.1' });
    const first = await startNode('First', { autoReconnect: false });
    // The joiner's handshake completes; the host then fails to record it and closes the connection.
    await first.service.join(hosting.invite);
    await first.waitFor('disconnected');
    await until(() => logs.some((l) => l.includes('could not take the connection')), 'the host logs the failure');
    // Nothing crashed: the next joiner is served normally.
    const second = await startNode('Second');
    const { peer } = await second.service.join(hosting.invite);
    const m = second.service.send(peer, 'still here');
    await second.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
  } finally {
    await host.close();
  }
});

it('a storage failure while taking an ack (database locked or full) closes that session only, reports error, and nothing is lost (issue 11 item 5)', async () => {
  const dir = `${await tempDir()}/data`;
  const store = openDataDir(dir, { sealer: createKeyFileSealer(dir) });
  store.settings.setDisplayName('Host');
  let failNext = true;
  const realMark = store.messages.markDelivered.bind(store.messages);
  const messages = {
    ...store.messages,
    markDelivered: (peer: string, id: string) => {
      if (failNext) {
        failNext = false;
        throw new Error('database is locked');
      }
      return realMark(peer, id);
    },
  };
  const events: ParleyEvent[] = [];
  const host = new ParleyService({ store: { ...store, messages, close: () => store.close() }, keyProtection: 'key-file', ...FAST });
  host.on((e) => events.push(e));
  try {
    const hosting = await host.host({ port: 0, bind: '127.0.0.1' });
    const first = await startNode('First', { backoff: { initialMs: 50, maxMs: 200, jitter: 0 } });
    const second = await startNode('Second');
    await first.service.join(hosting.invite);
    await second.service.join(hosting.invite);
    await until(() => host.connectedPeers().length === 2, 'both connected');
    const sent = host.send(first.fingerprint, 'acked while the database is locked');
    await first.waitFor('message', (e) => e.message.id === sent.id);
    await until(() => events.some((e) => e.type === 'error'), 'the host reports the failure');
    await until(() => events.some((e) => e.type === 'disconnected' && e.peer === first.fingerprint), 'that session closed');
    // The other session is untouched.
    expect(events.some((e) => e.type === 'disconnected' && e.peer === second.fingerprint)).toBe(false);
    const other = host.send(second.fingerprint, 'still here');
    await second.waitFor('message', (e) => e.message.id === other.id);
    // The first peer rejoins; the host resends (no ack was recorded), the peer acks the duplicate, and it is delivered.
    await until(() => host.history(first.fingerprint, { before: null, limit: 5 }).some((m) => m.id === sent.id && m.state === 'delivered'), 'delivered after rejoin', 10_000);
    expect(first.all('message').filter((e) => e.message.id === sent.id)).toHaveLength(1);
  } finally {
    await host.close();
  }
});
