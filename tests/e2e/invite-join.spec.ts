/**
 * A hosts and B joins by invite: the invite carries A's fingerprint, the handshake proves it, and B's
 * Parley marks A verified on join ("Verified by invite"). A sees B as a new, unverified contact, and both
 * see the same safety number.
 */
import { test, expect, shot } from './support/fixtures.ts';
import { fingerprintGroupsOf } from './support/format.ts';
import { contactRow, conversation, createIdentity, openConversation, startHosting } from './support/steps.ts';

test('A hosts, B joins by invite and A is verified on join', async ({ people }) => {
  const alice = await people.add('Alice');
  const bob = await people.add('Bob');
  const aliceFp = await createIdentity(alice, 'Alice');
  const bobFp = await createIdentity(bob, 'Bob');

  // Alice hosts: the invite (with Copy and a QR code) and the address to join.
  const hosted = await startHosting(alice);
  const ap = alice.page;
  // The invite carries its reusable token (docs/PROTOCOL.md "Invite tokens"): Bob lands as a contact, not a request.
  expect(hosted.invite).toMatch(new RegExp(`^parley://127\\.0\\.0\\.1:${hosted.port}\\?fp=${aliceFp}&tok=[0-9a-f]{32}&name=Alice$`));
  await expect(ap.getByRole('button', { name: 'Copy invite link' })).toBeVisible();
  await expect(ap.getByRole('img', { name: 'QR code of the invite link' })).toBeVisible();
  await expect(ap.getByTestId('listen-addresses')).toContainText(hosted.address);
  await expect(ap.getByTestId('hosting-indicator')).toHaveText(`Hosting on port ${hosted.port}`);
  await expect(ap.getByText('Only this computer can join.', { exact: false })).toBeVisible();
  await shot(ap, 'invite-join-1-hosting');

  // Bob pastes the invite: Join says whose it is and which fingerprint it will insist on.
  const bp = bob.page;
  await bp.getByTestId('nav-join').click();
  await bp.getByLabel('Invite or address').fill(hosted.invite);
  const preview = bp.getByTestId('join-preview');
  await expect(preview).toContainText(`An invite from Alice to ${hosted.address}.`);
  await expect(preview).toContainText('Parley will refuse the connection unless the host’s key has the fingerprint');
  await expect(preview).toContainText(fingerprintGroupsOf(aliceFp).join(' '));
  await shot(bp, 'invite-join-2-preview');

  await bp.getByRole('button', { name: 'Connect', exact: true }).click();
  const withAlice = conversation(bp, 'Alice');
  await expect(withAlice).toBeVisible();
  await expect(withAlice.getByTestId('verified-badge')).toHaveText('Verified');
  await expect(withAlice.getByTestId('presence')).toHaveText('Online');
  await expect(bp.getByRole('status').filter({ hasText: 'Connected to Alice' })).toContainText('Verified: the key matched the invite.');
  await shot(bp, 'invite-join-3-joined-verified');
  await expect(contactRow(bp, 'Alice')).toHaveAccessibleName(/^Alice, online, verified, /);
  await expect(withAlice.getByText('No messages yet. Say hello to Alice.')).toBeVisible();

  // How and when: verified by invite, with both fingerprints and the safety number.
  // Issue 12: once verified, the button reads "Safety number".
  await withAlice.getByRole('button', { name: 'Safety number with Alice' }).click();
  const dialog = bp.getByRole('dialog', { name: 'Verify Alice' });
  await expect(dialog.getByTestId('verification-status')).toContainText('Verified by invite on');
  await expect(dialog.getByTestId('verification-status')).toContainText('the invite carried this key’s fingerprint and the connection matched it');
  await expect(dialog.getByTestId('their-fingerprint')).toHaveAttribute('data-fingerprint', aliceFp);
  await expect(dialog.getByTestId('own-fingerprint')).toHaveAttribute('data-fingerprint', bobFp);
  await expect(dialog.getByRole('button', { name: 'Remove verification' })).toBeVisible();
  const bobsNumber = await dialog.getByTestId('safety-number').getAttribute('data-value');
  await shot(bp, 'invite-join-4-verified-by-invite');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toHaveCount(0);

  // Alice: Bob is a new contact, online, and not verified on her side (she had no fingerprint of his).
  await expect(contactRow(ap, 'Bob')).toHaveAccessibleName(/^Bob, online, not verified, /);
  const withBob = await openConversation(alice, 'Bob');
  await expect(withBob.getByTestId('unverified-badge')).toHaveText('Not verified');
  await withBob.getByRole('button', { name: 'Verify Bob' }).click();
  const aliceDialog = ap.getByRole('dialog', { name: 'Verify Bob' });
  await expect(aliceDialog.getByTestId('verification-status')).toContainText('Bob is not verified.');
  // The same 60 digits on both sides: that is what they read to each other.
  expect(bobsNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
  await expect(aliceDialog.getByTestId('safety-number')).toHaveAttribute('data-value', bobsNumber ?? '');
  await shot(ap, 'invite-join-5-host-sees-unverified');
});
