/**
 * First run: choose a display name and a protection; the identity is created and the user sees their own
 * fingerprint (16 groups of 4), then the main window and Settings. A restart opens straight to the main
 * window; a passphrase identity opens locked and a wrong passphrase changes nothing.
 */
import { test, expect, shot } from './support/fixtures.ts';
import { fingerprintGroupsOf } from './support/format.ts';

test('first run: a name, the key file, then one’s own fingerprint', async ({ people }) => {
  const alice = await people.add('Alice');
  const page = alice.page;

  await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toBeVisible();
  // No keychain in the bridge: the app says so and does not offer it.
  await expect(page.getByTestId('no-keychain')).toContainText('This computer offers no keychain that Parley can use');
  await expect(page.getByRole('radio', { name: /system keychain/ })).toHaveCount(0);
  await expect(page.getByRole('radio', { name: 'A passphrase (recommended)' })).toBeChecked();
  await shot(page, 'first-run-1-setup');

  // A name is required: the form says why instead of creating anything.
  await page.getByRole('radio', { name: /No protection \(a key file\)/ }).check();
  await page.getByRole('button', { name: 'Create my identity' }).click();
  await expect(page.getByText('Choose a name: it is what the people you talk to see.')).toBeVisible();
  await expect(page.getByLabel('Display name')).toHaveAttribute('aria-invalid', 'true');
  expect(alice.controller.status().phase).toBe('setup');
  await shot(page, 'first-run-2-name-missing');

  await page.getByLabel('Display name').fill('Alice');
  await page.getByRole('button', { name: 'Create my identity' }).click();
  await expect(page.getByRole('heading', { name: 'Your identity is ready' })).toBeVisible();
  await expect(page.getByText('Hello, Alice.', { exact: false })).toBeVisible();

  // The fingerprint on screen is the identity's, in 16 groups of 4 hex digits.
  const identity = alice.controller.status().identity;
  expect(identity?.name).toBe('Alice');
  expect(identity?.keyProtection).toBe('key-file');
  const own = page.getByTestId('own-fingerprint');
  const groups = await own.locator('.group').allTextContents();
  expect(groups).toHaveLength(16);
  for (const g of groups) expect(g).toMatch(/^[0-9a-f]{4}$/);
  expect(groups).toEqual(fingerprintGroupsOf(identity?.fingerprint ?? ''));
  await expect(page.getByRole('img', { name: 'Picture of your fingerprint' })).toBeVisible();
  await shot(page, 'first-run-3-identity');

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: 'Start a conversation' })).toBeVisible();
  await expect(page.getByRole('complementary').getByText('Alice', { exact: true })).toBeVisible();
  await expect(page.getByText('No contacts yet. Host or join to start a conversation.')).toBeVisible();
  await shot(page, 'first-run-4-welcome');

  await page.getByTestId('nav-settings').click();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.getByTestId('key-protection')).toContainText('Protected by: Unprotected key file');
  await expect(page.getByTestId('data-dir')).toHaveText(alice.paths.dataDir);
  await expect(page.getByTestId('settings-fingerprint').locator('.group')).toHaveText(groups);
  await page.getByRole('button', { name: 'Export public key' }).click();
  await expect(page.getByTestId('public-key-pem')).toHaveValue(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
  await shot(page, 'first-run-5-settings');

  // The next start goes straight to the main window, with the same identity.
  await alice.restart();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toHaveCount(0);
  expect(alice.controller.status().identity?.fingerprint).toBe(identity?.fingerprint);
});

test('first run with a passphrase: the next start is locked until the right passphrase', async ({ people }) => {
  const bob = await people.add('Bob', { scryptLogN: 15 });
  const page = bob.page;
  await page.getByLabel('Display name').fill('Bob');
  await page.getByRole('radio', { name: 'A passphrase (recommended)' }).check();
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Confirm passphrase').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create my identity' }).click();
  await expect(page.getByRole('heading', { name: 'Your identity is ready' })).toBeVisible();
  const fingerprint = bob.controller.status().identity?.fingerprint;
  await page.getByRole('button', { name: 'Continue' }).click();

  await bob.restart();
  await expect(page.getByRole('heading', { name: 'Parley is locked' })).toBeVisible();
  await page.getByLabel('Passphrase').fill('wrong horse battery');
  await page.getByRole('button', { name: 'Unlock' }).click();
  const error = page.getByRole('alert');
  await expect(error).toContainText('Cannot unlock');
  await expect(error).toContainText('Nothing was changed');
  await expect(page.getByLabel('Passphrase')).toHaveValue('');
  await shot(page, 'first-run-6-locked-wrong-passphrase');

  await page.getByLabel('Passphrase').fill('correct horse battery');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('heading', { name: 'Start a conversation' })).toBeVisible();
  expect(bob.controller.status().identity?.fingerprint).toBe(fingerprint);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('key-protection')).toContainText('Protected by: Passphrase');
});
