/**
 * Everyday use (issue 12) in the app, over real services: a message request (someone who joined by a bare
 * address, not by one of our invites) with its held message, accepted; rename and block from the header
 * menu; reply and react; find a message and jump to it; the verify dialog's new layout.
 */
import { test, expect, shot } from './support/fixtures.ts';
import { contactRow, conversation, createIdentity, incoming, join, outgoing, sendMessage, startHosting } from './support/steps.ts';

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
