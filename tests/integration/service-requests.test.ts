/**
 * Issue 12 over real TCP on 127.0.0.1 with real storage: message requests (held, not `message`),
 * invite tokens (one-time verifies and is consumed, reusable makes a contact), blocking (refused
 * after the handshake, silently), deleting, renaming (and name collisions with a nickname).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceError } from '../../src/core/service/errors.ts';
import { addressOf, cleanupNodes, startNode, tempDir, until, type TestNode } from '../helpers/services.ts';

afterEach(cleanupNodes);

/** The ServiceError code a call fails with. */
async function codeOf(action: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return (err as ServiceError).code;
  }
  throw new Error('expected a ServiceError, but it succeeded');
}

/** A host that holds requests (the desktop app's default). */
async function requestHost(name = 'Host'): Promise<{ host: TestNode; port: number; invite: string }> {
  const host = await startNode(name, { acceptRequests: false });
  const hosting = await host.host(0);
  return { host, port: hosting.port, invite: hosting.invite };
}

async function joinAndWait(guest: TestNode, host: TestNode, target: string): Promise<void> {
  const g = guest.mark();
  await guest.service.join(target);
  await guest.waitFor('connected', (e) => e.peer === host.fingerprint, { since: g });
  await host.waitFor('connected', (e) => e.peer === guest.fingerprint);
}

describe('message requests', () => {
  it('a request\'s file offer is held, not auto-accepted into the downloads folder, until the request is accepted', async () => {
    const downloads = await tempDir();
    const host = await startNode('Host', { acceptRequests: false, files: { acceptDir: downloads, maxFileSize: 1 << 30 } });
    const { port } = await host.host(0);
    const guest = await startNode('Stranger');
    await joinAndWait(guest, host, addressOf(port));
    const data = randomBytes(200_000);
    const source = join(await tempDir(), 'unasked.bin');
    writeFileSync(source, data);
    const offer = await guest.service.sendFile(host.fingerprint, source);
    const held = await host.waitFor('request-message', (e) => e.message.id === offer.id);
    expect(held.message.file?.state).toBe('offered');
    // An absence has to be waited for: had the host auto-accepted, its file-accept would reach the
    // guest within milliseconds (statfs, a .part reserved, one frame); 3 s of nothing is the bound.
    const early = await guest.waitFor('file-accepted', (e) => e.id === offer.id, { timeoutMs: 3000 }).catch(() => null);
    expect(early).toBeNull();
    expect(host.all('file-accepted')).toEqual([]);
    expect(host.service.transfers(guest.fingerprint).map((m) => m.file?.state)).toEqual(['offered']);
    host.service.acceptRequest(guest.fingerprint);
    const got = await host.waitFor('file-received', (e) => e.id === offer.id);
    expect(createHash('sha256').update(readFileSync(got.path)).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('a stranger joining by address is a request: its messages are stored and held, and accepting makes it a contact', async () => {
    const { host, port } = await requestHost();
    const guest = await startNode('Stranger');
    await joinAndWait(guest, host, addressOf(port));
    const req = await host.waitFor('request', (e) => e.contact.fingerprint === guest.fingerprint);
    expect(req.contact).toMatchObject({ status: 'request', name: 'Stranger', verified: false });
    // The joiner chose to join: on its side the host is a contact.
    expect(guest.service.contact(host.fingerprint)?.status).toBe('accepted');

    const m = guest.service.send(host.fingerprint, 'hello, may I?');
    await guest.waitFor('message-state', (e) => e.id === m.id && e.state === 'delivered');
    const held = await host.waitFor('request-message', (e) => e.message.id === m.id);
    expect(held.message).toMatchObject({ text: 'hello, may I?', peer: guest.fingerprint, direction: 'in' });
    expect(host.all('message')).toEqual([]); // never a `message`: nothing notifies
    expect(host.service.history(guest.fingerprint, { before: null, limit: 10 }).map((x) => x.text)).toEqual(['hello, may I?']);
    expect(await codeOf(() => host.service.send(guest.fingerprint, 'no'))).toBe('request-pending');

    expect(host.service.acceptRequest(guest.fingerprint).status).toBe('accepted');
    const m2 = guest.service.send(host.fingerprint, 'thanks');
    expect((await host.waitFor('message', (e) => e.message.id === m2.id)).message.text).toBe('thanks');
    host.service.send(guest.fingerprint, 'welcome');
    await guest.waitFor('message', (e) => e.message.text === 'welcome');
    expect(host.all('request')).toHaveLength(1);
  });

  it('a one-time invite token makes a verified contact (both sides hold the proof) and is consumed', async () => {
    const { host } = await requestHost();
    const { invite } = host.service.createInvite({ reusable: false });
    expect(invite).toMatch(/&tok=[0-9a-f]{32}/);
    const ada = await startNode('Ada');
    await joinAndWait(ada, host, invite);
    await until(() => host.service.contact(ada.fingerprint)?.verified === true, 'host verifies Ada by the token');
    expect(host.service.contact(ada.fingerprint)).toMatchObject({ status: 'accepted', verifiedMethod: 'invite' });
    expect(ada.service.contact(host.fingerprint)).toMatchObject({ status: 'accepted', verifiedMethod: 'invite' });
    expect(host.all('request')).toEqual([]);

    // The same link a second time: the token is gone, so the second holder is a request.
    const eve = await startNode('Eve');
    await joinAndWait(eve, host, invite);
    await host.waitFor('request', (e) => e.contact.fingerprint === eve.fingerprint);
    expect(host.service.contact(eve.fingerprint)).toMatchObject({ status: 'request', verified: false });
  });

  it("the hosting invite's reusable token makes contacts, not verified ones; it survives a restart; revokeInvites ends it", async () => {
    const { host: first, invite } = await requestHost();
    let host = first;
    const [a, b] = [await startNode('A'), await startNode('B')];
    await joinAndWait(a, host, invite);
    await joinAndWait(b, host, invite);
    for (const g of [a, b]) expect(host.service.contact(g.fingerprint)).toMatchObject({ status: 'accepted', verified: false });
    expect(host.all('request')).toEqual([]);
    host = await host.restart({ acceptRequests: false });
    const again = await host.host(0);
    const moved = invite.replace(/:\d+\?/, `:${again.port}?`); // the same link, on the new port
    expect(again.invite).toBe(moved);
    const c = await startNode('C');
    await joinAndWait(c, host, moved);
    expect(host.service.contact(c.fingerprint)?.status).toBe('accepted');

    const m = host.mark();
    const renewed = host.service.revokeInvites();
    expect(renewed?.invite).not.toBe(moved);
    await host.waitFor('hosting-changed', (e) => e.hosting.invite === renewed?.invite, { since: m });
    const d = await startNode('D');
    await joinAndWait(d, host, moved);
    await host.waitFor('request', (e) => e.contact.fingerprint === d.fingerprint);
  });

  it('createInvite needs hosting', async () => {
    const lone = await startNode('Lone');
    expect(await codeOf(() => lone.service.createInvite({ reusable: true }))).toBe('not-hosting');
  });
});

describe('block, unblock, delete, rename', () => {
  it('a blocked key is refused after the handshake: no event, no request, no message; unblocking lets it back', async () => {
    const { host, port } = await requestHost();
    const guest = await startNode('Pest', { autoReconnect: false });
    await joinAndWait(guest, host, addressOf(port));
    const g = guest.mark();
    expect(host.service.block(guest.fingerprint).status).toBe('blocked');
    await guest.waitFor('disconnected', (e) => e.peer === host.fingerprint, { since: g });

    const h = host.mark();
    const g2 = guest.mark();
    await guest.service.join(addressOf(port)); // the handshake completes: the key is authenticated
    await guest.waitFor('disconnected', (e) => e.peer === host.fingerprint, { since: g2 });
    expect(host.events.slice(h).map((e) => e.type)).toEqual([]);
    expect(host.service.connectedPeers()).toEqual([]);
    expect(host.service.contacts().find((c) => c.fingerprint === guest.fingerprint)?.status).toBe('blocked');
    expect(await codeOf(() => host.service.send(guest.fingerprint, 'x'))).toBe('contact-blocked');

    host.service.unblock(guest.fingerprint);
    await joinAndWait(guest, host, addressOf(port));
    const m = guest.service.send(host.fingerprint, 'back');
    expect((await host.waitFor('message', (e) => e.message.id === m.id)).message.text).toBe('back');
  });

  it('joining a key you blocked fails with contact-blocked', async () => {
    const { host, port } = await requestHost();
    const guest = await startNode('Guest');
    await joinAndWait(guest, host, addressOf(port));
    guest.service.block(host.fingerprint);
    expect(await codeOf(guest.service.join(addressOf(port)))).toBe('contact-blocked');
  });

  it('delete removes the contact with its history; the key coming back is a new request', async () => {
    const { host, port } = await requestHost();
    const guest = await startNode('Guest', { autoReconnect: false });
    await joinAndWait(guest, host, addressOf(port));
    host.service.acceptRequest(guest.fingerprint);
    const m = guest.service.send(host.fingerprint, 'remember me');
    await host.waitFor('message', (e) => e.message.id === m.id);
    const g = guest.mark();
    host.service.deleteContact(guest.fingerprint);
    await host.waitFor('contact-removed', (e) => e.peer === guest.fingerprint && e.into === null);
    await guest.waitFor('disconnected', () => true, { since: g });
    expect(host.service.contact(guest.fingerprint)).toBeNull();
    expect(await codeOf(() => host.service.history(guest.fingerprint, { before: null, limit: 5 }))).toBe('no-peer');
    expect(host.service.search('remember', null).hits).toEqual([]);
    const h = host.mark();
    await joinAndWait(guest, host, addressOf(port));
    await host.waitFor('request', (e) => e.contact.fingerprint === guest.fingerprint, { since: h });
  });

  it('rename sets a local nickname; a newcomer presenting that nickname raises name-collision', async () => {
    const { host, port } = await requestHost();
    const carol = await startNode('Carol');
    await joinAndWait(carol, host, addressOf(port));
    const renamed = host.service.rename(carol.fingerprint, 'Mom');
    expect(renamed).toMatchObject({ name: 'Carol', nickname: 'Mom', displayName: 'Mom' });
    expect(await codeOf(() => host.service.rename(carol.fingerprint, 'a\u0085b'))).toBe('bad-input');
    const fake = await startNode('MOM');
    await joinAndWait(fake, host, addressOf(port));
    const w = await host.waitFor('warning', (e) => e.peer === fake.fingerprint);
    expect(w).toMatchObject({ code: 'name-collision', previous: carol.fingerprint });
    expect(host.service.rename(carol.fingerprint, null)).toMatchObject({ nickname: null, displayName: 'Carol' });
  });
});
