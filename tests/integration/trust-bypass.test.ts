/**
 * Security review: ways a peer could slip past trust on first use (PROTOCOL.md section 6) without
 * ever holding another contact's key, over real TCP with real services.
 *
 * - Pre-registration: an identity that talked to us once is "known", and a known identity used to
 *   skip every warning, so it could later answer at a verified contact's saved address
 *   (key-changed) or take a contact's display name (name-collision) in silence.
 * - An invite that names a contact: the handshake matched the invite's fp, but an invite is just a
 *   link anyone can send; it must not turn a warning raised on that very connection into "verified".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addressOf, cleanupNodes, startHost, startNode, type TestNode } from '../helpers/services.ts';

afterEach(cleanupNodes);

/** Joins `target` and waits until both sides report the connection. */
async function connectTo(guest: TestNode, host: TestNode, target: string): Promise<void> {
  const g = guest.mark();
  const h = host.mark();
  await guest.service.join(target);
  await guest.waitFor('connected', (e) => e.peer === host.fingerprint, { since: g });
  await host.waitFor('connected', (e) => e.peer === guest.fingerprint, { since: h });
}

/** Ends a session from the guest's side and waits until the host has seen it end. */
async function hangUp(guest: TestNode, host: TestNode): Promise<void> {
  const h = host.mark();
  guest.service.disconnect(host.fingerprint);
  await host.waitFor('disconnected', (e) => e.peer === guest.fingerprint, { since: h });
}

describe('a known identity gets no free pass', () => {
  it('answering at the saved address of a verified contact raises key-changed (held), once', async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const { node: alice, hosting: aliceHosting } = await startHost('Alice', { autoReconnect: false });
    await connectTo(alice, bob, hosting.invite);
    expect(alice.service.contact(bob.fingerprint)).toMatchObject({ verified: true, lastAddress: addressOf(hosting.port) });
    await hangUp(alice, bob);

    // Mallory makes herself known first, harmlessly: she joins Alice under her own name.
    const mallory = await startNode('Mallory', { autoReconnect: false });
    await connectTo(mallory, alice, aliceHosting.invite);
    await hangUp(mallory, alice);
    expect(alice.all('warning')).toEqual([]);

    // Later she takes over Bob's address (Bob is gone, his port is hers) and Alice rejoins it.
    await bob.close();
    await mallory.host(hosting.port);
    const mark = alice.mark();
    const { peer } = await alice.service.join(addressOf(hosting.port));
    expect(peer).toBe(mallory.fingerprint);
    const types = alice.events.slice(mark).map((e) => e.type);
    expect(types).toContain('warning');
    expect(types.indexOf('warning')).toBeLessThan(types.indexOf('connected'));
    expect(alice.all('warning').at(-1)).toMatchObject({ code: 'key-changed', peer: mallory.fingerprint, previous: bob.fingerprint });
    expect(alice.service.contact(mallory.fingerprint)).toMatchObject({ verified: false, blocked: 'key-changed', replaces: bob.fingerprint });

    // No noise: the same key at the same address again is not a new warning.
    await hangUp(alice, mallory);
    const again = alice.mark();
    await alice.service.join(addressOf(hosting.port));
    await alice.waitFor('connected', (e) => e.peer === mallory.fingerprint, { since: again });
    expect(alice.events.slice(again).filter((e) => e.type === 'warning')).toEqual([]);
  });

  it('taking the name of another contact raises name-collision (held), and keeping it raises nothing more', async () => {
    const { node: host, hosting } = await startHost('Host');
    const alice = await startNode('Alice');
    await connectTo(alice, host, addressOf(hosting.port));
    await hangUp(alice, host);

    const mallory = await startNode('Mallory', { autoReconnect: false });
    await connectTo(mallory, host, addressOf(hosting.port));
    await hangUp(mallory, host);
    expect(host.all('warning')).toEqual([]);

    mallory.service.setName('Alice');
    const mark = host.mark();
    await connectTo(mallory, host, addressOf(hosting.port));
    const types = host.events.slice(mark).map((e) => e.type);
    expect(types).toContain('warning');
    expect(types.indexOf('warning')).toBeLessThan(types.indexOf('connected'));
    expect(host.all('warning')).toMatchObject([{ code: 'name-collision', peer: mallory.fingerprint, previous: alice.fingerprint }]);
    expect(host.service.contact(mallory.fingerprint)).toMatchObject({ name: 'Alice', verified: false, blocked: 'name-collision' });

    // Coming back under the same name is not a new claim.
    await hangUp(mallory, host);
    const again = host.mark();
    await connectTo(mallory, host, addressOf(hosting.port));
    expect(host.events.slice(again).filter((e) => e.type === 'warning')).toEqual([]);
  });
});

describe('a weaker warning never replaces a stronger open one (issue 11)', () => {
  it('an impostor held by name-collision stays held when it later raises a non-blocking key-changed', async () => {
    // Carol is an unverified contact saved at her address: a new key there is a non-blocking key-changed.
    const { node: carol, hosting: carolHosting } = await startHost('Carol');
    const { node: alice, hosting: aliceHosting } = await startHost('Alice', { autoReconnect: false });
    await connectTo(alice, carol, addressOf(carolHosting.port));
    expect(alice.service.contact(carol.fingerprint)).toMatchObject({ verified: false, lastAddress: addressOf(carolHosting.port) });
    await hangUp(alice, carol);
    const bob = await startNode('Bob');
    await connectTo(bob, alice, addressOf(aliceHosting.port));

    // Mallory joins as "Bob": name-collision, held.
    const mallory = await startNode('Bob', { autoReconnect: false });
    await connectTo(mallory, alice, addressOf(aliceHosting.port));
    expect(alice.service.contact(mallory.fingerprint)).toMatchObject({ blocked: 'name-collision', replaces: bob.fingerprint });
    await hangUp(mallory, alice);

    // Then she answers at Carol's saved address.
    await carol.close();
    await mallory.host(carolHosting.port);
    const mark = alice.mark();
    await alice.service.join(addressOf(carolHosting.port));
    await alice.waitFor('connected', (e) => e.peer === mallory.fingerprint, { since: mark });
    expect(alice.events.slice(mark).filter((e) => e.type === 'warning')).toMatchObject([{ code: 'key-changed', peer: mallory.fingerprint, previous: carol.fingerprint }]);
    expect(alice.service.contact(mallory.fingerprint)).toMatchObject({ verified: false, blocked: 'name-collision', replaces: bob.fingerprint });
    let code = '';
    try {
      alice.service.send(mallory.fingerprint, 'meant for Bob');
    } catch (err) {
      code = (err as { code?: string }).code ?? String(err);
    }
    expect(code).toBe('send-blocked');
    // The user's decision still closes it.
    expect(alice.service.verify(mallory.fingerprint, 'safety-number')).toMatchObject({ verified: true, blocked: null });
  });
});

describe('an invite does not overrule a warning raised on its own connection', () => {
  it("an invite from a stranger who uses a contact's name: name-collision stands, unverified and held", async () => {
    const { node: alice, hosting: aliceHosting } = await startHost('Alice');
    const user = await startNode('User', { autoReconnect: false });
    await connectTo(user, alice, aliceHosting.invite);
    expect(user.service.contact(alice.fingerprint)?.verified).toBe(true);

    // Mallory hosts as "Alice" and gets her own invite (…&name=Alice) to the user, e.g. as a link.
    const { node: mallory, hosting: malloryHosting } = await startHost('Alice');
    expect(malloryHosting.invite).toContain('&name=Alice');
    const mark = user.mark();
    await user.service.join(malloryHosting.invite);
    await user.waitFor('connected', (e) => e.peer === mallory.fingerprint, { since: mark });
    expect(user.events.slice(mark).filter((e) => e.type === 'warning')).toMatchObject([
      { code: 'name-collision', peer: mallory.fingerprint, previous: alice.fingerprint },
    ]);
    expect(user.events.slice(mark).filter((e) => e.type === 'verified')).toEqual([]);
    expect(user.service.contact(mallory.fingerprint)).toMatchObject({ verified: false, blocked: 'name-collision', replaces: alice.fingerprint });
  });

  it('an invite to a saved address that now holds another key: key-changed stands, unverified', async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const user = await startNode('User', { autoReconnect: false });
    await connectTo(user, bob, hosting.invite);
    await hangUp(user, bob);
    await bob.close();
    const mallory = await startNode('Mallory');
    const malloryHosting = await mallory.host(hosting.port);
    const mark = user.mark();
    await user.service.join(malloryHosting.invite);
    await user.waitFor('connected', (e) => e.peer === mallory.fingerprint, { since: mark });
    expect(user.events.slice(mark).filter((e) => e.type === 'warning')).toMatchObject([{ code: 'key-changed', peer: mallory.fingerprint, previous: bob.fingerprint }]);
    expect(user.service.contact(mallory.fingerprint)).toMatchObject({ verified: false, blocked: 'key-changed' });
    // The user can still verify the new key deliberately.
    expect(user.service.verify(mallory.fingerprint, 'safety-number')).toMatchObject({ verified: true, blocked: null });
  });

  it('an invite with no warning still verifies on join (unchanged)', async () => {
    const { node: bob, hosting } = await startHost('Bob');
    const user = await startNode('User');
    await connectTo(user, bob, hosting.invite);
    expect(user.service.contact(bob.fingerprint)).toMatchObject({ verified: true, verifiedMethod: 'invite', blocked: null });
  });
});

describe('a name that only looks like a contact’s', () => {
  // Each is shown to a person as "Alice" (or nearly so), but is not the same string.
  const LOOKALIKES: [string, string][] = [
    ['a zero-width space', 'Alice\u200b'],
    ['a trailing space', 'Alice '],
    ['a soft hyphen', 'Al\u00adice'],
    ['a bidi override', '\u202dAlice'],
    ['another case', 'ALICE'],
    ['fullwidth letters', '\uff21\uff4c\uff49\uff43\uff45'],
    ['a no-break space inside', 'Mary\u00a0Ann'],
    // Issue 11: a C1 control and blank-drawing symbols (allowed in a hello), and other scripts.
    ['a C1 control', 'Alice\u0085'],
    ['a Braille blank', 'Alice\u2800'],
    ['a Hangul filler', 'Alice\u3164'],
    ['a Cyrillic A', '\u0410lice'],
    ['a Greek Alpha and Cyrillic e', '\u0391lic\u0435'],
  ];

  it.each(LOOKALIKES)('with %s still raises name-collision', async (_what, lookalike) => {
    const { node: host, hosting } = await startHost('Host');
    const original = lookalike.startsWith('Mary') ? 'Mary Ann' : 'Alice';
    const alice = await startNode(original);
    await connectTo(alice, host, addressOf(hosting.port));
    await hangUp(alice, host);

    const mallory = await startNode(lookalike);
    const mark = host.mark();
    await connectTo(mallory, host, addressOf(hosting.port));
    expect(host.events.slice(mark).filter((e) => e.type === 'warning')).toMatchObject([
      { code: 'name-collision', peer: mallory.fingerprint, previous: alice.fingerprint },
    ]);
    expect(host.service.contact(mallory.fingerprint)).toMatchObject({ verified: false, blocked: 'name-collision' });
  });

  it('a different name, or one made only of invisible characters, raises nothing', async () => {
    const { node: host, hosting } = await startHost('Host');
    const alice = await startNode('Alice');
    await connectTo(alice, host, addressOf(hosting.port));
    for (const name of ['Alicia', 'Ali ce', '\u200b\u200d', '\u200b']) {
      const other = await startNode(name);
      await connectTo(other, host, addressOf(hosting.port));
    }
    expect(host.all('warning')).toEqual([]);
  });
});
