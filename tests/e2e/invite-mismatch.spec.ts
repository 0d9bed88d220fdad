/**
 * An invite whose fingerprint is not the host's key is refused, with the explanation (possible
 * interception, do not proceed) and no contact created on either side; other join failures (nobody
 * listening, a host that never answers the handshake, a malformed invite) are told in plain words.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test, expect, shot } from './support/fixtures.ts';
import { fingerprintGroupsOf } from './support/format.ts';
import { conversation, createIdentity, startHosting, submitJoin } from './support/steps.ts';

test('an invite with the wrong fingerprint is refused with the explanation', async ({ people }) => {
  const carol = await people.add('Carol');
  const bob = await people.add('Bob');
  const carolFp = await createIdentity(carol, 'Carol');
  await createIdentity(bob, 'Bob');
  const hosted = await startHosting(carol);

  // Someone handed Bob an invite to Carol's address with another fingerprint in it.
  const wrongFp = carolFp.slice(0, 10) + (carolFp[10] === 'a' ? 'b' : 'a') + carolFp.slice(11);
  const forged = hosted.invite.replace(carolFp, wrongFp);
  expect(forged).not.toBe(hosted.invite);
  const bp = bob.page;
  await bp.getByTestId('nav-join').click();
  await bp.getByLabel('Invite or address').fill(forged);
  await expect(bp.getByTestId('join-preview')).toContainText(fingerprintGroupsOf(wrongFp).join(' '));
  await bp.getByRole('button', { name: 'Connect', exact: true }).click();

  const error = bp.getByTestId('join-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-code', 'fingerprint-mismatch');
  await expect(error).toHaveRole('alert');
  await expect(error).toContainText('Wrong identity — possible interception');
  await expect(error).toContainText('The host answered with a different identity than the invite promised. Someone may be intercepting the connection: do not proceed');
  await expect(error).toContainText('Do not proceed. Parley stopped the connection before any message was exchanged.');
  await expect(error).toContainText(`presented fingerprint ${carolFp} instead of the invite's ${wrongFp}`);
  // The suggested action is the safe one (and has the focus); retrying the same invite is secondary and says so.
  const discard = bp.getByRole('button', { name: 'Discard this invite' });
  await expect(discard).toBeFocused();
  await expect(discard).toHaveClass(/btn-primary/);
  const retry = bp.getByRole('button', { name: 'Retry this invite anyway' });
  await expect(retry).toBeVisible();
  await expect(retry).not.toHaveClass(/btn-primary/);
  await expect(bp.getByRole('button', { name: /^(Try again|Connect)$/ })).toHaveCount(0);
  // Nobody became a contact, on either side.
  await expect(bp.getByText('No contacts yet. Host or join to start a conversation.')).toBeVisible();
  await expect(carol.page.getByText('No contacts yet. Host or join to start a conversation.')).toBeVisible();
  await shot(bp, 'invite-mismatch-1-refused');

  // Enter in the field does not retry the forged invite; the retry button does, and is refused again.
  await bp.getByLabel('Invite or address').press('Enter');
  await expect(bp.getByTestId('join-status')).toHaveCount(0);
  await expect(error).toHaveAttribute('data-code', 'fingerprint-mismatch');
  await retry.click();
  await expect(error).toHaveAttribute('data-code', 'fingerprint-mismatch');
  await expect(discard).toBeFocused();
  await expect(carol.page.getByText('No contacts yet. Host or join to start a conversation.')).toBeVisible();

  // Discarding empties the field; the real invite works.
  await discard.click();
  await expect(error).toHaveCount(0);
  await expect(bp.getByLabel('Invite or address')).toHaveValue('');
  await expect(bp.getByLabel('Invite or address')).toBeFocused();
  await bp.getByLabel('Invite or address').fill(hosted.invite);
  await expect(error).toHaveCount(0);
  await bp.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(conversation(bp, 'Carol').getByTestId('verified-badge')).toBeVisible();
});

test('join failures in plain words: nobody listening, a silent host, not an invite', async ({ people }) => {
  const carol = await people.add('Carol');
  // A short handshake timeout, so that the silent host below fails in about a second.
  const bob = await people.add('Bob', { service: { handshakeTimeoutMs: 1_500 } });
  await createIdentity(carol, 'Carol');
  await createIdentity(bob, 'Bob');
  // A port that was just in use and is now closed: nobody listens there.
  const hosted = await startHosting(carol);
  await carol.page.getByRole('button', { name: 'Stop hosting' }).click();
  await expect(carol.page.getByRole('button', { name: 'Start hosting' })).toBeVisible();

  const bp = bob.page;
  await submitJoin(bob, hosted.address);
  const error = bp.getByTestId('join-error');
  await expect(error).toHaveAttribute('data-code', 'connect-refused');
  await expect(error).toContainText('Connection refused');
  await expect(error).toContainText('Nobody is listening there. Is the host running Parley and hosting on that port?');
  await shot(bp, 'join-errors-1-refused');

  // Something listens but never answers the handshake: progress while connecting, then a timeout.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const silentAddress = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    await bp.getByLabel('Invite or address').fill(silentAddress);
    // Editing the field clears the last failure: the button is Connect again.
    await expect(error).toHaveCount(0);
    await bp.getByRole('button', { name: 'Connect', exact: true }).click();
    const progress = bp.getByTestId('join-status');
    await expect(progress).toHaveText(`Connecting to ${silentAddress} and running the secure handshake…`);
    await expect(bp.getByRole('button', { name: 'Connecting…' })).toBeDisabled();
    await shot(bp, 'join-errors-2-connecting');
    await expect(error).toHaveAttribute('data-code', 'handshake-timeout');
    await expect(error).toContainText('The secure handshake timed out');
    await expect(progress).toHaveCount(0);
    await shot(bp, 'join-errors-3-handshake-timeout');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }

  await bp.getByLabel('Invite or address').fill('parley://127.0.0.1:1?fp=nothex');
  await expect(bp.getByTestId('join-preview')).toContainText('This invite has no valid fingerprint (fp=…); Parley will refuse it.');
  // Issue 12: the preview already knows it is invalid, so Connect stays disabled (the core's parser is not reached).
  await expect(bp.getByRole('button', { name: 'Connect', exact: true })).toBeDisabled();
  await shot(bp, 'join-errors-4-bad-invite');
});
