/**
 * Messages both ways with their delivery states: delivered at once while both are online; queued while
 * the peer is offline, then sent and delivered when it is back (B rejoining by the Join screen, and the
 * other way round B's Parley rejoining A by itself when A hosts again). Also: unread counts, Enter and
 * Shift+Enter, markup shown as text, and http(s) links that ask before opening.
 */
import { test, expect, shot } from './support/fixtures.ts';
import { contactRow, conversation, createIdentity, deliveryState, expectVisibleFocusRing, incoming, join, openConversation, sendMessage, startHosting } from './support/steps.ts';
import { recordDeliveryStates, recordedStates } from './support/state-recorder.ts';

test('messages both ways: delivered, queued while offline, then sent and delivered', async ({ people }) => {
  const alice = await people.add('Alice');
  const bob = await people.add('Bob');
  await createIdentity(alice, 'Alice');
  await createIdentity(bob, 'Bob');
  const hosted = await startHosting(alice);
  await join(bob, hosted.invite, 'Alice');
  const ap = alice.page;
  const bp = bob.page;

  // Bob writes while Alice looks at her Host screen: the message is delivered, Alice sees it unread.
  const hello = 'Hi Alice! This came straight from my computer to yours.';
  const bobsHello = await sendMessage(bob, hello);
  await expect(deliveryState(bobsHello)).toHaveAttribute('data-state', 'delivered');
  await expect(deliveryState(bobsHello)).toHaveAccessibleName('Delivered');
  await expect(contactRow(ap, 'Bob')).toHaveAccessibleName(`Bob, online, not verified, 1 unread, ${hello}`);
  await expect(contactRow(ap, 'Bob').getByText('1', { exact: true })).toBeVisible();
  await shot(ap, 'messages-1-unread');

  // Alice opens it (the unread count goes) and answers on two lines, with markup and a link.
  const withBob = await openConversation(alice, 'Bob');
  await expect(incoming(ap, hello)).toBeVisible();
  await expect(contactRow(ap, 'Bob')).toHaveAccessibleName(/^Bob, online, not verified, Hi Alice!/);
  const box = ap.getByTestId('composer');
  await box.fill('Hello Bob. <b>Tags stay text</b>');
  await box.press('Shift+Enter');
  await ap.keyboard.insertText('Notes: https://example.org/parley?x=1');
  await expect(box).toHaveValue('Hello Bob. <b>Tags stay text</b>\nNotes: https://example.org/parley?x=1');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const reply = withBob.locator('[data-testid="message"][data-direction="out"]', { hasText: 'Tags stay text' });
  await expect(deliveryState(reply)).toHaveAttribute('data-state', 'delivered');

  const received = incoming(bp, 'Tags stay text');
  await expect(received).toContainText('Hello Bob. <b>Tags stay text</b>');
  await expect(received.locator('b')).toHaveCount(0);
  const text = await received.locator('.text').innerText();
  expect(text).toBe('Hello Bob. <b>Tags stay text</b>\nNotes: https://example.org/parley?x=1');
  const link = received.getByRole('link', { name: 'https://example.org/parley?x=1' });
  await expect(link).toHaveAttribute('href', 'https://example.org/parley?x=1');
  await link.click();
  await expect.poll(() => bob.openedLinks).toEqual(['https://example.org/parley?x=1']);
  // Non-ASCII text (the machines have no colour-emoji font, so no emoji: it would show as a box).
  await sendMessage(bob, 'Got it — merci, ça marche.');
  await expect(incoming(ap, 'Got it — merci, ça marche.')).toBeVisible();
  // Alice is looking at the conversation: what arrives is read, no unread count stays.
  await expect(contactRow(ap, 'Bob')).toHaveAccessibleName('Bob, online, not verified, Got it — merci, ça marche.');
  await shot(ap, 'messages-2-conversation-alice');
  await shot(bp, 'messages-3-conversation-bob');

  // Keyboard focus shows, in both themes: on a link in her own (blue) bubble, and on the history itself.
  for (const scheme of ['dark', 'light'] as const) {
    await ap.emulateMedia({ colorScheme: scheme });
    await box.focus();
    await expectVisibleFocusRing(reply.getByRole('link', { name: 'https://example.org/parley?x=1' }), reply);
    await box.focus();
    await expectVisibleFocusRing(withBob.getByRole('region', { name: 'Messages with Bob' }), withBob, true);
  }

  // Bob quits. Alice sees him offline; what she writes now is queued.
  await bob.quit();
  await expect(withBob.getByTestId('presence')).toHaveText(/^Offline · last seen /);
  await expect(contactRow(ap, 'Bob')).toHaveAccessibleName(/^Bob, offline, /);
  await expect(ap.getByTestId('composer')).toHaveAttribute('placeholder', 'Message Bob (offline: sent when they are back)');
  await recordDeliveryStates(ap);
  const waiting = await sendMessage(alice, 'Are you still there? This waits until you are back.');
  await expect(deliveryState(waiting)).toHaveAttribute('data-state', 'queued');
  await expect(deliveryState(waiting)).toHaveAccessibleName('Queued: will be sent when the contact is online');
  await shot(ap, 'messages-4-queued-while-offline');

  // Bob starts Parley again and rejoins with the invite: the queued message goes out and is delivered.
  await bob.launch();
  await expect(contactRow(bp, 'Alice')).toHaveAccessibleName(/^Alice, offline, verified, /);
  await join(bob, hosted.invite, 'Alice');
  await expect(incoming(bp, 'Are you still there?')).toBeVisible();
  await expect(deliveryState(waiting)).toHaveAttribute('data-state', 'delivered');
  expect(await recordedStates(ap, waiting)).toEqual(['queued', 'sent', 'delivered']);
  await expect(withBob.getByTestId('presence')).toHaveText('Online');
  await shot(ap, 'messages-5-delivered-after-rejoin');

  // The other way round: Alice quits, Bob's message is queued; Alice hosts again on the same port and
  // Bob's Parley rejoins her by itself.
  await alice.quit();
  const withAlice = conversation(bp, 'Alice');
  // Bob's Parley rejoins her by itself, and says so (issue 12); the last-seen time is in the tooltip then.
  await expect(withAlice.getByTestId('presence')).toHaveText('Offline');
  await expect(withAlice.getByTestId('presence')).toHaveAttribute('title', /^Last seen /);
  await expect(withAlice.getByTestId('reconnect')).toContainText('Reconnecting…');
  await recordDeliveryStates(bp);
  const back = await sendMessage(bob, 'Back in a minute? I will keep this until you are.');
  await expect(deliveryState(back)).toHaveAttribute('data-state', 'queued');
  await shot(bp, 'messages-6-queued-other-way');
  await alice.launch();
  await startHosting(alice, hosted.port);
  await expect(withAlice.getByTestId('presence')).toHaveText('Online');
  await expect(deliveryState(back)).toHaveAttribute('data-state', 'delivered');
  expect(await recordedStates(bp, back)).toEqual(['queued', 'sent', 'delivered']);
  await openConversation(alice, 'Bob');
  await expect(incoming(ap, 'Back in a minute?')).toBeVisible();
  await shot(bp, 'messages-7-delivered-other-way');

  // The verify panel over the conversation (the README's picture), then both in the dark theme (the OS preference).
  const verifyAlice = bp.getByRole('dialog', { name: 'Verify Alice' });
  await withAlice.getByRole('button', { name: 'Safety number with Alice' }).click(); // verified by invite: the button reads "Safety number" (issue 12)
  await expect(verifyAlice.getByTestId('verification-status')).toContainText('Verified by invite');
  await shot(bp, 'messages-8-verify-panel');
  await bp.keyboard.press('Escape');
  await expect(verifyAlice).toHaveCount(0);
  await bp.emulateMedia({ colorScheme: 'dark' });
  await expect(withAlice.getByTestId('verified-badge')).toBeVisible();
  await shot(bp, 'messages-9-dark-theme');
  await withAlice.getByRole('button', { name: 'Safety number with Alice' }).click(); // verified by invite: the button reads "Safety number" (issue 12)
  await expect(verifyAlice).toBeVisible();
  await shot(bp, 'messages-10-dark-theme-verify');
  await bp.keyboard.press('Escape');
  await expect(verifyAlice).toHaveCount(0);

  // A narrow window: the header and the composer stay inside it (the key line is cut short, not the pane).
  await bp.setViewportSize({ width: 760, height: 520 });
  for (const control of [withAlice.getByRole('button', { name: 'Safety number with Alice' }), withAlice.getByTestId('contact-menu'), bp.getByTestId('send')]) {
    const box = await control.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(760 - 16);
  }
  await shot(bp, 'messages-11-narrow-window');
});
