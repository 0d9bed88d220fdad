/**
 * B joins another host C by HOST:PORT: no fingerprint came with it, so C is unverified. B verifies C by
 * comparing the safety number (the same 60 digits on C's screen), removes the verification, and verifies
 * again by pasting C's fingerprint (a wrong one is called a mismatch and cannot be marked verified).
 */
import { test, expect, shot } from './support/fixtures.ts';
import { fingerprintGroupsOf } from './support/format.ts';
import { contactRow, conversation, createIdentity, expectNoticesCoverNothing, openConversation, startHosting, submitJoin } from './support/steps.ts';

test('B joins C by HOST:PORT unverified, then verifies by safety number and by pasted fingerprint', async ({ people }) => {
  const carol = await people.add('Carol');
  const bob = await people.add('Bob');
  const carolFp = await createIdentity(carol, 'Carol');
  const bobFp = await createIdentity(bob, 'Bob');
  const hosted = await startHosting(carol);

  const bp = bob.page;
  await bp.getByTestId('nav-join').click();
  await bp.getByLabel('Invite or address').fill(hosted.address);
  await expect(bp.getByTestId('join-preview')).toContainText('A bare address carries no fingerprint: you will be connected unverified');
  await shot(bp, 'address-join-1-preview');
  await submitJoin(bob, hosted.address);

  const withCarol = conversation(bp, 'Carol');
  await expect(withCarol).toBeVisible();
  await expect(withCarol.getByTestId('unverified-badge')).toHaveText('Not verified');
  await expect(bp.getByRole('status').filter({ hasText: 'Connected to Carol' })).toContainText('Not verified yet: compare your safety number to be sure.');
  await expect(contactRow(bp, 'Carol')).toHaveAccessibleName(/^Carol, online, not verified, /);
  // The notices sit between the history and the composer: Send, the message box and Verify stay clear.
  await expectNoticesCoverNothing(bp);
  await expect(bp.getByTestId('notices')).toHaveAttribute('data-host', 'conversation');
  // Carol: Bob came by her address, not by one of her invites, so he is a message request (issue 12),
  // listed under Requests and not notified; she accepts him.
  const requests = carol.page.getByTestId('requests');
  await expect(requests.getByTestId('requests-count')).toHaveText('1');
  await expect(requests).toContainText('Bob');
  await shot(carol.page, 'address-join-2b-host-sees-request');
  await requests.getByRole('button', { name: 'Accept' }).click();
  await expect(requests).toHaveCount(0);
  await shot(bp, 'address-join-2-joined-unverified');

  // Both open the verify panel: the safety numbers are the same on both screens.
  await withCarol.getByRole('button', { name: 'Verify Carol' }).click();
  const dialog = bp.getByRole('dialog', { name: 'Verify Carol' });
  await expect(dialog.getByTestId('verification-status')).toHaveText(/Not verified\s*Carol is not verified\./);
  await expect(dialog.getByTestId('their-fingerprint')).toHaveAttribute('data-fingerprint', carolFp);
  // Issue 12: fingerprints, QR and paste-to-compare live under "Other ways".
  await dialog.getByText('Other ways to check').click();
  await expect(dialog.getByRole('img', { name: 'QR code of your key' })).toBeVisible();
  const cp = carol.page;
  const withBob = await openConversation(carol, 'Bob');
  await withBob.getByRole('button', { name: 'Verify Bob' }).click();
  const carolDialog = cp.getByRole('dialog', { name: 'Verify Bob' });
  const onCarols = await carolDialog.getByTestId('safety-number').getAttribute('data-value');
  expect(onCarols).toMatch(/^(\d{5} ){11}\d{5}$/);
  await expect(dialog.getByTestId('safety-number')).toHaveAttribute('data-value', onCarols ?? '');
  await expect(dialog.getByTestId('safety-number').locator('span')).toHaveCount(12);
  await shot(bp, 'address-join-3-verify-panel');
  await shot(cp, 'address-join-4-verify-panel-other-side');

  // Bob read the number to Carol on a call: Mark as verified.
  await dialog.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(dialog.getByTestId('verification-status')).toContainText('Verified by comparing the safety number on');
  await expect(withCarol.getByTestId('verified-badge')).toHaveText('Verified');
  await expect(contactRow(bp, 'Carol')).toHaveAccessibleName(/^Carol, online, verified, /);
  await shot(bp, 'address-join-5-verified-by-safety-number');

  // Remove it again, then compare fingerprints instead: first a wrong one…
  await dialog.getByRole('button', { name: 'Remove verification' }).click();
  await expect(dialog.getByTestId('verification-status')).toContainText('Carol is not verified.');
  await expect(withCarol.getByTestId('unverified-badge')).toBeVisible();
  await carolDialog.getByText('Other ways to check').click();
  const paste = dialog.getByLabel('Paste their fingerprint');
  const wrong = carolFp.slice(0, 40) + (carolFp[40] === '0' ? '1' : '0') + carolFp.slice(41);
  await paste.fill(wrong);
  const result = dialog.getByTestId('compare-result');
  await expect(result).toHaveAttribute('data-result', 'mismatch');
  await expect(result).toContainText('Mismatch.');
  await expect(result).toContainText('group 11 differs (from digit 41), marked on Carol’s key above');
  // The group it got wrong is marked on Carol's key.
  const theirs = dialog.getByTestId('their-fingerprint');
  await expect(theirs.locator('[data-differs="true"]')).toHaveText([fingerprintGroupsOf(carolFp)[10] ?? '']);
  await expect(dialog.getByRole('button', { name: 'Mark verified by fingerprint' })).toBeDisabled();
  await expect(dialog.locator('button.btn-primary')).toHaveCount(0); // nothing suggests marking verified now
  await theirs.scrollIntoViewIfNeeded();
  await shot(bp, 'address-join-6b-mismatched-group-marked');
  await shot(bp, 'address-join-6-pasted-fingerprint-mismatch', dialog.getByRole('button', { name: 'Done' }));

  // …then the one Carol sent another way, as people paste it (grouped, upper case).
  const carolsOwn = await carolDialog.getByTestId('own-fingerprint').getAttribute('data-fingerprint');
  expect(carolsOwn).toBe(carolFp);
  await paste.fill((carolsOwn ?? '').toUpperCase().replace(/(.{4})(?!$)/g, '$1 '));
  await expect(result).toHaveAttribute('data-result', 'match');
  await expect(result).toContainText('Match. All 64 digits are the same as the fingerprint of the key you are talking to.');
  await expect(theirs.locator('[data-differs]')).toHaveCount(0);
  await shot(bp, 'address-join-7-pasted-fingerprint-match', dialog.getByRole('button', { name: 'Done' }));
  await dialog.getByRole('button', { name: 'Mark verified by fingerprint' }).click();
  await expect(dialog.getByTestId('verification-status')).toContainText('Verified by comparing fingerprints on');
  await expect(withCarol.getByTestId('verified-badge')).toBeVisible();

  // Carol, for her part, verifies Bob by his fingerprint.
  await carolDialog.getByLabel('Paste their fingerprint').fill(bobFp);
  await expect(carolDialog.getByTestId('compare-result')).toHaveAttribute('data-result', 'match');
  await carolDialog.getByRole('button', { name: 'Mark verified by fingerprint' }).click();
  await expect(carolDialog.getByTestId('verification-status')).toContainText('Verified by comparing fingerprints on');
  await carolDialog.getByRole('button', { name: 'Done' }).click();
  await expect(withBob.getByTestId('verified-badge')).toBeVisible();
  await shot(cp, 'address-join-8-other-side-verified');
});
