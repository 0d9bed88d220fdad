/**
 * What people do in Parley, step by step through the UI (labels, roles and buttons as they see them):
 * create an identity, host, join, open a conversation, send. Each step waits for its visible outcome.
 */
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import type { Person } from '../bridge.ts';

/** The visible outcome of hosting: the invite and the port it listens on. */
export type Hosted = { readonly invite: string; readonly port: number; readonly address: string };

/** First run: a display name and the key-file protection; ends on the main window (after Continue). */
export async function createIdentity(person: Person, name: string): Promise<string> {
  const page = person.page;
  await expect(page.getByRole('heading', { name: 'Welcome to Parley' })).toBeVisible();
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('radio', { name: /No protection \(a key file\)/ }).check();
  await page.getByRole('button', { name: 'Create my identity' }).click();
  await expect(page.getByRole('heading', { name: 'Your identity is ready' })).toBeVisible();
  const fingerprint = await page.getByTestId('own-fingerprint').getAttribute('data-fingerprint');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  if (fingerprint === null || !/^[0-9a-f]{64}$/.test(fingerprint)) throw new Error(`no fingerprint shown for ${name}`);
  return fingerprint;
}

/** Host screen: start hosting on 127.0.0.1 (port 0 picks a free one unless given); returns the invite shown. */
export async function startHosting(person: Person, port = 0): Promise<Hosted> {
  const page = person.page;
  await page.getByTestId('nav-host').click();
  await expect(page.getByRole('heading', { name: 'Host', exact: true })).toBeVisible();
  await page.getByLabel('Port').fill(String(port));
  await page.getByRole('button', { name: 'Start hosting' }).click();
  const live = page.getByRole('heading', { name: /^Hosting on 127\.0\.0\.1 port \d+$/ });
  await expect(live).toBeVisible();
  const actual = Number(/port (\d+)$/.exec((await live.textContent()) ?? '')?.[1]);
  if (port !== 0) expect(actual).toBe(port);
  const invite = await page.getByTestId('invite-url').inputValue();
  expect(invite).toMatch(/^parley:\/\/127\.0\.0\.1:\d+\?/);
  return { invite, port: actual, address: `127.0.0.1:${actual}` };
}

/** Join screen: types the target and presses Connect (does not wait for the outcome). */
export async function submitJoin(person: Person, target: string): Promise<void> {
  const page = person.page;
  await page.getByTestId('nav-join').click();
  await expect(page.getByRole('heading', { name: 'Join', exact: true })).toBeVisible();
  await page.getByLabel('Invite or address').fill(target);
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Joins and waits until the conversation with `peerName` opens. */
export async function join(person: Person, target: string, peerName: string): Promise<void> {
  await submitJoin(person, target);
  await expect(conversation(person.page, peerName)).toBeVisible();
}

/**
 * Closes the corner notices the way a person does (their close buttons). They sit over the bottom-right
 * corner for six seconds, on top of the Send button and of a dialog's buttons: see the report.
 */
export async function dismissNotices(page: Page): Promise<void> {
  const buttons = page.getByTestId('notices').getByRole('button', { name: /^Dismiss: / });
  while ((await buttons.count()) > 0) await buttons.first().click();
}

/** The conversation pane with `name`. */
export function conversation(page: Page, name: string): Locator {
  return page.getByRole('region', { name: `Conversation with ${name}` });
}

/** The contact's row in the sidebar (its accessible name starts with the display name). */
export function contactRow(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Contacts' }).getByRole('button', { name: new RegExp(`^${escapeRegExp(name)},`) });
}

/** Opens the conversation with `name` from the contact list. */
export async function openConversation(person: Person, name: string): Promise<Locator> {
  await contactRow(person.page, name).click();
  const pane = conversation(person.page, name);
  await expect(pane).toBeVisible();
  return pane;
}

/** Types a message in the open conversation and presses Enter; waits for it to appear as sent by "You". */
export async function sendMessage(person: Person, text: string): Promise<Locator> {
  const page = person.page;
  const box = page.getByTestId('composer');
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const bubble = outgoing(page, text);
  await expect(bubble).toBeVisible();
  return bubble;
}

/** The outgoing message bubble with exactly this text. */
export function outgoing(page: Page, text: string): Locator {
  return page.locator('[data-testid="message"][data-direction="out"]', { hasText: text });
}

/** The incoming message bubble with exactly this text. */
export function incoming(page: Page, text: string): Locator {
  return page.locator('[data-testid="message"][data-direction="in"]', { hasText: text });
}

/** The delivery state icon of an outgoing message, by its spoken label (Queued… / Sent / Delivered). */
export function deliveryState(bubble: Locator): Locator {
  return bubble.getByTestId('delivery-state');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
