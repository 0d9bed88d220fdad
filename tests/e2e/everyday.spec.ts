/**
 * Everyday use (issue 12) in the app, over real services: a message request (someone who joined by a bare
 * address, not by one of our invites) with its held message, accepted; rename and block from the header
 * menu; reply and react; find a message and jump to it; the verify dialog's new layout. Then the rest of
 * issue 12: one-time and reusable invites and revoking them on the Host screen, a reaction that is not
 * unread, "Reconnecting…" for an automatic rejoin, Cancel stopping a join in the core, and "Host when
 * Parley starts" failing visibly.
 */
import { createServer, type AddressInfo, type Server } from 'node:net';
import { test, expect, shot } from './support/fixtures.ts';
import { contactRow, conversation, createIdentity, incoming, join, openConversation, outgoing, sendMessage, startHosting, submitJoin } from './support/steps.ts';

/** A TCP listener that accepts and reads but never answers: a join to it waits in the handshake. */
async function stallingListener(port = 0): Promise<{ server: Server; port: number; closed: Promise<void>[] }> {
  const closed: Promise<void>[] = [];
  const server = createServer((socket) => {
    socket.resume();
    closed.push(new Promise((resolve) => socket.on('close', () => resolve())));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, closed };
}

test('requests, rename and block, reply and react, find, verify', async ({ people }) => {
  const alice = await people.add('Alice');
  const bob = await people.add('Bob');
  await createIdentity(alice, 'Alice');
  await createIdentity(bob, 'Bob');
  const hosted = await startHosting(alice);
  const ap = alice.page;
  const bp = bob.page;

  // Bob joins by the bare address: not one of Alice's invites, so on her side he is a request.
  await join(bob, hosted.address, 'Alice');
  await sendMessage(bob, 'Hi Alice, it’s Bob from the book club.');
  const requests = ap.getByTestId('requests');
  await expect(requests.getByTestId('requests-count')).toHaveText('1');
  await expect(requests).toContainText('Bob');
  await expect(contactRow(ap, 'Bob')).toHaveCount(0);
  await shot(ap, 'everyday-1-request');
  await requests.getByRole('button', { name: /^Message request from Bob/ }).click();
  const withBob = conversation(ap, 'Bob');
  await expect(withBob.getByTestId('request-panel')).toContainText('Bob wants to talk to you');
  await expect(incoming(ap, 'Hi Alice, it’s Bob from the book club.')).toBeVisible();
  await shot(ap, 'everyday-2-request-held-message');
  await withBob.getByTestId('request-panel').getByRole('button', { name: 'Accept' }).click();
  await expect(requests).toHaveCount(0);
  await expect(contactRow(ap, 'Bob')).toBeVisible();
  await expect(ap.getByTestId('composer')).toBeVisible();

  // Rename from the header menu (keyboard-reachable): a local nickname shown everywhere.
  await withBob.getByRole('button', { name: 'More for Bob' }).click();
  await expect(ap.getByRole('menuitem', { name: 'Rename…' })).toBeFocused();
  await shot(ap, 'everyday-3-contact-menu');
  await ap.keyboard.press('Enter');
  await ap.getByTestId('rename-input').fill('Bob (book club)');
  await ap.getByTestId('rename-save').click();
  const withNick = conversation(ap, 'Bob (book club)');
  await expect(withNick.getByRole('heading', { level: 1 })).toHaveText('Bob (book club)');
  await expect(contactRow(ap, 'Bob (book club)')).toBeVisible();

  // Reply and react.
  const question = await sendMessage(bob, 'Lunch at noon on Friday?');
  await expect(question).toBeVisible();
  const theirs = incoming(ap, 'Lunch at noon on Friday?');
  await theirs.hover();
  const row = ap.locator('.msg-row', { has: theirs });
  await row.getByRole('button', { name: 'Reply to this message' }).click();
  await expect(ap.getByTestId('composer-reply')).toContainText('Lunch at noon on Friday?');
  await shot(ap, 'everyday-4-replying');
  await ap.getByTestId('composer').fill('Yes, see you there!');
  await ap.getByTestId('composer').press('Enter');
  await expect(outgoing(ap, 'Yes, see you there!').getByTestId('reply-quote')).toContainText('Lunch at noon on Friday?');
  await theirs.hover();
  await row.getByRole('button', { name: 'React to this message' }).click();
  await ap.getByRole('button', { name: 'React with ❤️' }).click();
  await expect(row.getByTestId('reactions')).toContainText('❤️');
  // Bob sees the reply with its quote and Alice's reaction under his message.
  await expect(incoming(bp, 'Yes, see you there!').getByTestId('reply-quote')).toContainText('Lunch at noon on Friday?');
  await expect(bp.locator('.msg-row', { has: outgoing(bp, 'Lunch at noon on Friday?') }).getByTestId('reactions')).toContainText('❤️');
  await shot(bp, 'everyday-5-reply-and-reaction');

  // Find: from the sidebar filter, then jump to the hit.
  await ap.getByLabel('Search contacts').fill('book club');
  await ap.getByTestId('find-messages').click();
  const hit = ap.getByTestId('search-hits').getByRole('button').first();
  await expect(hit).toContainText('book club');
  await expect(ap.getByTestId('search-status')).toContainText('1 message matches “book club”');
  await shot(ap, 'everyday-6-search');
  await hit.click();
  await expect(ap.locator('[data-testid="message"][data-highlighted="true"]')).toContainText('book club');
  await shot(ap, 'everyday-7-jumped-to-hit');
  await ap.getByLabel('Search contacts').fill('');

  // The verify dialog leads with the safety number; "Not verified" is a caution.
  await withNick.getByRole('button', { name: 'Verify Bob (book club)' }).click();
  const dialog = ap.getByRole('dialog', { name: 'Verify Bob (book club)' });
  await expect(dialog.getByTestId('verification-status')).toContainText('Not verified');
  await expect(dialog.getByTestId('verify-footer').getByRole('button', { name: 'Mark as verified' })).toBeVisible();
  await shot(ap, 'everyday-8-verify-dialog');
  await dialog.getByRole('button', { name: 'Done' }).click();

  // Block from the menu: the composer gives way to Unblock.
  await withNick.getByRole('button', { name: 'More for Bob (book club)' }).click();
  await ap.getByRole('menuitem', { name: 'Block' }).click();
  await expect(withNick.getByTestId('blocked-panel')).toContainText('You blocked Bob (book club)');
  await expect(ap.getByTestId('composer')).toHaveCount(0);
  await shot(ap, 'everyday-9-blocked');
});

test('invites on the Host screen, a reaction is not unread, Reconnecting…, Cancel a join, host at start failing', async ({ people }) => {
  // startup: main's start-up steps run at launch (rejoin, "Host when Parley starts").
  const alice = await people.add('Alice', { startup: true });
  const bob = await people.add('Bob', { startup: true });
  await createIdentity(alice, 'Alice');
  await createIdentity(bob, 'Bob');
  const hosted = await startHosting(alice);
  const ap = alice.page;
  const bp = bob.page;

  // The invite shown says its kind; a one-time invite replaces it, with its own token.
  await expect(ap.getByTestId('invite-kind')).toHaveText('Reusable invite');
  await ap.getByRole('button', { name: 'New one-time invite' }).click();
  await expect(ap.getByTestId('invite-kind')).toHaveText('One-time invite');
  const once = await ap.getByTestId('invite-url').inputValue();
  expect(once).not.toBe(hosted.invite);
  expect(once).toMatch(/[?&]tok=[0-9a-f]{32}(&|$)/);
  await shot(ap, 'everyday-10-one-time-invite');
  // Bob comes through Alice's own invite: a contact at once, not a request.
  await join(bob, once, 'Alice');
  await expect(contactRow(ap, 'Bob')).toBeVisible();
  await expect(ap.getByTestId('requests')).toHaveCount(0);

  // Revoke open invites asks first, Cancel focused; then the hosting invite is new.
  await ap.getByTestId('nav-host').click();
  await ap.getByRole('button', { name: 'Revoke open invites…' }).click();
  const confirm = ap.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('arrive as message requests');
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await shot(ap, 'everyday-11-revoke-confirm');
  await confirm.getByRole('button', { name: 'Revoke invites' }).click();
  await expect(ap.getByTestId('invites-revoked')).toBeVisible();
  await expect(ap.getByTestId('invite-kind')).toHaveText('Reusable invite');
  await expect(ap.getByTestId('invite-url')).not.toHaveValue(hosted.invite);

  // A reaction is not unread: Bob looks elsewhere while Alice reacts to his message.
  await sendMessage(bob, 'See you at 8 at the usual place.');
  await bp.getByTestId('nav-settings').click();
  await openConversation(alice, 'Bob');
  const theirs = incoming(ap, 'See you at 8 at the usual place.');
  await theirs.hover();
  await ap.locator('.msg-row', { has: theirs }).getByRole('button', { name: 'React to this message' }).click();
  await ap.getByRole('button', { name: 'React with 👍' }).click();
  const aliceRow = contactRow(bp, 'Alice');
  await expect(aliceRow).toContainText('Reacted 👍 to “See you at 8 at the usual place.”');
  await expect(aliceRow).toHaveAttribute('data-unread', '0');
  await shot(bp, 'everyday-12-reaction-not-unread');

  // Alice's default port (where "Host when Parley starts" hosts) is one this test will take while she
  // is away. Set through the core: the Settings field is covered by the renderer tests.
  const taken = await stallingListener();
  alice.controller.service().settings.setDefaultPort(taken.port);

  // Reconnecting…: Alice quits; Bob starts again and rejoins her by himself, visibly.
  await alice.quit();
  await bob.restart();
  await expect(contactRow(bp, 'Alice')).toHaveAttribute('data-reconnecting', 'true');
  await expect(contactRow(bp, 'Alice').getByTestId('contact-reconnecting')).toHaveText('Reconnecting…');
  await openConversation(bob, 'Alice');
  await expect(bp.getByTestId('reconnect')).toContainText('Reconnecting…');
  await shot(bp, 'everyday-13-reconnecting');

  // Cancel stops a join in the core: the handshake in progress is closed, nothing is added.
  const stall = await stallingListener();
  const contactsBefore = bob.controller.service().contacts().length;
  await submitJoin(bob, `127.0.0.1:${stall.port}`);
  await expect(bp.locator('[data-testid="join-steps"] [data-step="securing"]')).toHaveAttribute('data-state', 'active');
  await bp.getByTestId('join-cancel').click();
  await expect(bp.getByRole('button', { name: 'Connect', exact: true })).toBeEnabled();
  await Promise.all(stall.closed);
  expect(stall.closed).toHaveLength(1);
  await expect(bp.getByTestId('join-error')).toHaveCount(0);
  expect(bob.controller.service().contacts()).toHaveLength(contactsBefore);
  await shot(bp, 'everyday-14-join-cancelled');
  await new Promise<void>((resolve) => stall.server.close(() => resolve()));

  // "Host when Parley starts" with its port taken: a notice with the reason and Open Host.
  try {
    await alice.launch();
    const notice = ap.getByTestId('notices').getByRole('alert');
    await expect(notice).toContainText('Parley could not start hosting');
    await expect(notice).toContainText('That port is already taken on this computer.');
    await shot(ap, 'everyday-15-host-at-start-failed');
    await notice.getByRole('button', { name: 'Open Host' }).click();
    await expect(ap.getByTestId('host-at-start-failed')).toContainText(`could not host on port ${taken.port}`);
    await expect(ap.getByTestId('host-error')).toContainText('That port is in use');
    await shot(ap, 'everyday-16-host-screen-after-failure');
    // Another port: hosting runs, and the reason is gone.
    await ap.getByLabel('Port').fill('0');
    await ap.getByRole('button', { name: 'Start hosting' }).click();
    await expect(ap.getByRole('heading', { name: /^Hosting on 127\.0\.0\.1 port \d+$/ })).toBeVisible();
    await expect(ap.getByTestId('host-at-start-failed')).toHaveCount(0);
    await expect(ap.getByTestId('notices').getByRole('alert')).toHaveCount(0);
  } finally {
    await new Promise<void>((resolve) => taken.server.close(() => resolve()));
  }
});
