/**
 * ParleyService over real TCP on 127.0.0.1, several services in one process: host and join,
 * many joiners, messages both ways with acks, the outbox (resend after a reconnect, same id),
 * duplicates, and history that survives a restart.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { rawJoin } from '../helpers/raw-peer.ts';
import { addressOf, cleanupNodes, startHost, startNode, startNodes, type TestNode } from '../helpers/services.ts';

const SAFETY_NUMBER = /^\d{5}( \d{5}){11}$/;

afterEach(cleanupNodes);

/** Waits until `from` saw `id` delivered to `to`, and `to` got it as a message. */
async function expectDelivered(from: TestNode, to: TestNode, id: string, text: string): Promise<void> {
  const got = await to.waitFor('message', (e) => e.message.id === id);
  expect(got.message).toMatchObject({ peer: from.fingerprint, id, text, direction: 'in', state: 'delivered' });
  await from.waitFor('message-state', (e) => e.id === id && e.state === 'delivered' && e.peer === to.fingerprint);
}

describe('host and join', () => {
  it('an invite gives a verified contact (method invite); both sides agree on the safety number', async () => {
    const { node: host, hosting } = await startHost('Bob');
    // The invite on the host screen carries its reusable token (docs/PROTOCOL.md section 10.1).
    expect(hosting.invite).toMatch(new RegExp(`^parley://127\\.0\\.0\\.1:${hosting.port}\\?fp=${host.fingerprint}&tok=[0-9a-f]{32}&name=Bob$`));
    const guest = await startNode('Zoë 🦜');
    const { peer } = await guest.service.join(hosting.invite);
    expect(peer).toBe(host.fingerprint);

    const g = await guest.waitFor('connected');
    const h = await host.waitFor('connected');
    expect(g).toMatchObject({ peer: host.fingerprint, name: 'Bob', verified: true });
    expect(h).toMatchObject({ peer: guest.fingerprint, name: 'Zoë 🦜', verified: false });
    expect(g.safetyNumber).toMatch(SAFETY_NUMBER);
    expect(h.safetyNumber).toBe(g.safetyNumber);
    // The verification was announced before the connection was reported.
    const types = guest.events.map((e) => e.type);
    expect(types.indexOf('verified')).toBeLessThan(types.indexOf('connected'));

    expect(guest.service.contact(host.fingerprint)).toMatchObject({ verified: true, verifiedMethod: 'invite', lastAddress: addressOf(hosting.port), online: true });
    expect(host.service.contact(guest.fingerprint)).toMatchObject({ verified: false, verifiedMethod: null, lastAddress: null, online: true });
    expect(guest.all('warning')).toEqual([]);
    expect(host.all('warning')).toEqual([]);
  });

  it('HOST:PORT connects unverified on both sides', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice');
    await guest.service.join(addressOf(hosting.port));
    expect(await guest.waitFor('connected')).toMatchObject({ peer: host.fingerprint, verified: false });
    expect(await host.waitFor('connected')).toMatchObject({ peer: guest.fingerprint, verified: false });
    expect(guest.all('verified')).toEqual([]);
    expect(guest.service.contact(host.fingerprint)?.verified).toBe(false);
  });

  it('a contact first joined by HOST:PORT becomes verified (method invite) when later joined by a matching invite', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice');
    await guest.service.join(addressOf(hosting.port));
    expect((await guest.waitFor('connected')).verified).toBe(false);
    const mark = guest.mark();
    await guest.service.join(hosting.invite); // replaces the first connection
    expect(await guest.waitFor('verified', () => true, { since: mark })).toEqual({ type: 'verified', peer: host.fingerprint, verified: true });
    expect((await guest.waitFor('connected', () => true, { since: mark })).verified).toBe(true);
    expect(guest.service.contact(host.fingerprint)).toMatchObject({ verified: true, verifiedMethod: 'invite' });
  });

  it('twenty joiners on one host, each talking both ways', async () => {
    const { node: host, hosting } = await startHost('Hub');
    const guests = await startNodes(20, 'guest-');
    await Promise.all(guests.map((g) => g.service.join(hosting.invite)));
    await Promise.all(guests.map((g) => host.waitFor('connected', (e) => e.peer === g.fingerprint)));
    expect(new Set(host.service.connectedPeers())).toEqual(new Set(guests.map((g) => g.fingerprint)));

    const up = guests.map((g) => ({ g, m: g.service.send(host.fingerprint, `hello from ${g.name}`) }));
    const down = guests.map((g) => ({ g, m: host.service.send(g.fingerprint, `welcome ${g.name}`) }));
    await Promise.all(up.map(({ g, m }) => expectDelivered(g, host, m.id, `hello from ${g.name}`)));
    await Promise.all(down.map(({ g, m }) => expectDelivered(host, g, m.id, `welcome ${g.name}`)));
    for (const g of guests) {
      // Both were in flight at once, so the local order may be either.
      const rows = host.service.history(g.fingerprint, { before: null, limit: 10 }).map((m) => `${m.direction} ${m.text} ${m.state}`);
      expect(rows.sort()).toEqual([`in hello from ${g.name} delivered`, `out welcome ${g.name} delivered`]);
    }
  });
});

describe('messages and acks', () => {
  it('carries texts both ways, keeps the sender ts, and marks them sent then delivered', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice');
    await guest.service.join(hosting.invite);
    await host.waitFor('connected');
    const texts = ['hi', 'two\nlines\tand a tab', '🦜'.repeat(16_000), ' '];
    const sent = texts.map((t) => guest.service.send(host.fingerprint, t));
    for (const m of sent) expect(m.state).toBe('sent');
    for (const [i, m] of sent.entries()) await expectDelivered(guest, host, m.id, texts[i] as string);
    for (const m of sent) {
      const inbound = host.all('message').find((e) => e.message.id === m.id);
      expect(inbound?.message.ts).toBe(m.ts);
    }
    const reply = host.service.send(guest.fingerprint, 'got them');
    await expectDelivered(host, guest, reply.id, 'got them');
    // Each message-state moves forward only: sent, then delivered, once each.
    const states = guest.all('message-state').filter((e) => e.id === sent[0]?.id).map((e) => e.state);
    expect(states).toEqual(['sent', 'delivered']);
    expect(guest.service.history(host.fingerprint, { before: null, limit: 10 }).map((m) => m.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('queues messages while disconnected and delivers them, same ids, on the next session (both directions)', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice');
    await guest.service.join(addressOf(hosting.port));
    await host.waitFor('connected');
    guest.service.disconnect(host.fingerprint);
    await host.waitFor('disconnected', (e) => e.peer === guest.fingerprint);
    await guest.waitFor('disconnected', (e) => e.reason === 'quit');

    const queuedUp = ['one', 'two', 'three'].map((t) => guest.service.send(host.fingerprint, t));
    const queuedDown = host.service.send(guest.fingerprint, 'while you were away');
    for (const m of [...queuedUp, queuedDown]) expect(m.state).toBe('queued');
    expect(host.all('message')).toEqual([]);

    const mark = host.mark();
    await guest.service.join(addressOf(hosting.port));
    for (const m of queuedUp) await expectDelivered(guest, host, m.id, m.text);
    await expectDelivered(host, guest, queuedDown.id, queuedDown.text);
    // In order, and each exactly once.
    expect(host.events.slice(mark).flatMap((e) => (e.type === 'message' ? [e.message.text] : []))).toEqual(['one', 'two', 'three']);
  });

  it('resends a message that was sent but never acked, with the same id, on the next connection', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const first = await rawJoin(hosting.port, { name: 'Raw' });
    await host.waitFor('connected', (e) => e.peer === first.fingerprint);
    const m = host.service.send(first.fingerprint, 'are you there?');
    const got = await first.receiveType('msg');
    expect(got).toEqual({ type: 'msg', id: m.id, ts: m.ts, text: 'are you there?' });
    first.raw.destroy(); // no ack
    await host.waitFor('disconnected', (e) => e.peer === first.fingerprint);
    expect(host.service.history(first.fingerprint, { before: null, limit: 5 })[0]?.state).toBe('sent');

    const again = await rawJoin(hosting.port, { key: first.key, name: 'Raw' });
    expect(await again.receiveType('msg')).toEqual({ type: 'msg', id: m.id, ts: m.ts, text: 'are you there?' });
    again.send({ type: 'ack', id: m.id });
    await host.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
    again.raw.destroy();
  });

  it('a resent msg id is acked again but stored once', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const raw = await rawJoin(hosting.port);
    const msg = { type: 'msg', id: randomUUID(), ts: 1_700_000_000_000, text: 'once' };
    raw.send(msg);
    expect(await raw.receiveType('ack')).toEqual({ type: 'ack', id: msg.id });
    raw.send(msg);
    expect(await raw.receiveType('ack')).toEqual({ type: 'ack', id: msg.id });
    // And again on a new connection with the same key.
    raw.raw.destroy();
    const again = await rawJoin(hosting.port, { key: raw.key });
    again.send(msg);
    expect(await again.receiveType('ack')).toEqual({ type: 'ack', id: msg.id });
    expect(host.all('message').map((e) => e.message.id)).toEqual([msg.id]);
    expect(host.service.history(raw.fingerprint, { before: null, limit: 10 }).map((m) => [m.id, m.text, m.ts])).toEqual([[msg.id, 'once', msg.ts]]);
    again.raw.destroy();
  });
});

describe('history on disk', () => {
  it('contacts, verification, texts and delivery states survive a restart of both services', async () => {
    const { node: host, hosting } = await startHost('Bob');
    const guest = await startNode('Alice');
    await guest.service.join(hosting.invite);
    await host.waitFor('connected');
    const a = guest.service.send(host.fingerprint, 'before restart');
    await expectDelivered(guest, host, a.id, 'before restart');
    host.service.verify(guest.fingerprint, 'safety-number');
    await guest.close(); // a queued message would be lost if the outbox were in memory only
    const host2 = await host.restart();
    const guest2 = await guest.restart();
    expect(host2.fingerprint).toBe(host.fingerprint);
    expect(guest2.service.contact(host.fingerprint)).toMatchObject({ verified: true, verifiedMethod: 'invite', online: false });
    expect(host2.service.contact(guest.fingerprint)).toMatchObject({ verified: true, verifiedMethod: 'safety-number', online: false });
    expect(guest2.service.history(host.fingerprint, { before: null, limit: 10 }).map((m) => [m.id, m.text, m.state])).toEqual([[a.id, 'before restart', 'delivered']]);
    expect(host2.service.history(guest.fingerprint, { before: null, limit: 10 }).map((m) => [m.id, m.text, m.direction])).toEqual([[a.id, 'before restart', 'in']]);

    const queued = guest2.service.send(host.fingerprint, 'queued across a restart');
    expect(queued.state).toBe('queued');
    const guest3 = await guest2.restart();
    const hosting2 = await host2.host(0);
    await guest3.service.join(addressOf(hosting2.port));
    await expectDelivered(guest3, host2, queued.id, 'queued across a restart');
  });
});

describe('stop hosting', () => {
  it('returns while a session is up, the session goes on, and nobody new gets in', async () => {
    const { node: host, hosting } = await startHost('Host');
    const guest = await startNode('Guest');
    const { peer } = await guest.service.join(hosting.invite);
    await host.waitFor('connected');
    await host.service.stopHosting(); // used to hang until every established connection had ended
    expect(host.service.hosting()).toBeNull();
    const m = guest.service.send(peer, 'still talking');
    await host.waitFor('message', (e) => e.message.id === m.id);
    const late = await startNode('Late');
    await expect(late.service.join(hosting.invite)).rejects.toMatchObject({ code: 'connect-refused' });
  });
});
