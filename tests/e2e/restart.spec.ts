/**
 * Both restarted: each app quits (the core closes its sessions and its database), opens the same data
 * folder again and loads the page anew. The identities, the contacts with their verification, and the
 * whole history with its delivery states are still there, and the two can talk again.
 */
import { test, expect, shot } from './support/fixtures.ts';
import { contactRow, conversation, createIdentity, deliveryState, incoming, join, openConversation, outgoing, sendMessage, startHosting } from './support/steps.ts';

const FROM_BOB = ['Morning! Did the build pass?', 'Also: lunch at 12:30?'];
const FROM_ALICE = ['It passed. Lunch works.\nSee you there.'];

test('both restarted: identities, verification and history are still there', async ({ people }) => {
  const alice = await people.add('Alice');
  const bob = await people.add('Bob');
  const aliceFp = await createIdentity(alice, 'Alice');
  const bobFp = await createIdentity(bob, 'Bob');
  const hosted = await startHosting(alice);
  await join(bob, hosted.invite, 'Alice');
  const ap = alice.page;
  const bp = bob.page;

  for (const text of FROM_BOB) await expect(deliveryState(await sendMessage(bob, text))).toHaveAttribute('data-state', 'delivered');
  const withBob = await openConversation(alice, 'Bob');
  for (const text of FROM_ALICE) await expect(deliveryState(await sendMessage(alice, text))).toHaveAttribute('data-state', 'delivered');
  await expect(incoming(bp, 'It passed.')).toBeVisible();
  // Alice verifies Bob by the safety number, so both sides have something to remember.
  await withBob.getByRole('button', { name: 'Verify Bob' }).click();
  const dialog = ap.getByRole('dialog', { name: 'Verify Bob' });
  await dialog.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(dialog.getByTestId('verification-status')).toContainText('Verified by comparing the safety number');
  await dialog.getByRole('button', { name: 'Done' }).click();

  // Both quit, then both start again on the same data folders.
  await bob.quit();
  await alice.quit();
  await alice.launch();
  await bob.launch();

  for (const [person, fp, peer] of [
    [alice, aliceFp, 'Bob'],
    [bob, bobFp, 'Alice'],
  ] as const) {
    const page = person.page;
    await expect(page.getByRole('heading', { name: 'Pick a conversation' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toHaveCount(0);
    expect(person.controller.status().identity?.fingerprint).toBe(fp);
    await expect(contactRow(page, peer)).toHaveAccessibleName(new RegExp(`^${peer}, offline, verified, `));
    const pane = await openConversation(person, peer);
    await expect(pane.getByTestId('verified-badge')).toBeVisible();
    await expect(pane.getByTestId('presence')).toHaveText(/^Offline · last seen /);
    const bubbles = pane.getByTestId('message');
    await expect(bubbles).toHaveCount(FROM_BOB.length + FROM_ALICE.length);
    const mine = person === alice ? FROM_ALICE : FROM_BOB;
    const theirs = person === alice ? FROM_BOB : FROM_ALICE;
    for (const text of mine) await expect(deliveryState(outgoing(page, text.split('\n')[0] ?? text))).toHaveAttribute('data-state', 'delivered');
    for (const text of theirs) await expect(incoming(page, text.split('\n')[0] ?? text)).toBeVisible();
    // In the order they were written.
    const texts = await pane.locator('[data-testid="message"] .text').allInnerTexts();
    expect(texts).toEqual([...FROM_BOB, ...FROM_ALICE]);
  }
  await shot(ap, 'restart-1-history-alice');
  await shot(bp, 'restart-2-history-bob');

  // Alice hosts again on her port; Bob joins by address this time: the same key, still verified.
  await startHosting(alice, hosted.port);
  await join(bob, hosted.address, 'Alice');
  const withAlice = conversation(bp, 'Alice');
  await expect(withAlice.getByTestId('verified-badge')).toBeVisible();
  await expect(withAlice.getByTestId('presence')).toHaveText('Online');
  await expect(deliveryState(await sendMessage(bob, 'Back after the restart.'))).toHaveAttribute('data-state', 'delivered');
  await openConversation(alice, 'Bob');
  await expect(incoming(ap, 'Back after the restart.')).toBeVisible();
  await shot(bp, 'restart-3-talking-again');
});
