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

/** Host screen: start hosting for "This computer only" (127.0.0.1; port 0 picks a free one unless given); returns the invite shown. */
export async function startHosting(person: Person, port = 0): Promise<Hosted> {
  const page = person.page;
  await page.getByTestId('nav-host').click();
  await expect(page.getByRole('heading', { name: 'Host', exact: true })).toBeVisible();
  await page.getByRole('radio', { name: /^This computer only/ }).check();
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
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
}

/** Joins and waits until the conversation with `peerName` opens. */
export async function join(person: Person, target: string, peerName: string): Promise<void> {
  await submitJoin(person, target);
  await expect(conversation(person.page, peerName)).toBeVisible();
}

/** A control that a notice lies over, as `expectNoticesCoverNothing` reports it. */
type Covered = { readonly notice: string; readonly control: string };

/**
 * Asserts that notices are on screen and that none lies over a control the person could use: no button,
 * field or link in view (inside the open dialog, when there is one) intersects a notice's box.
 */
export async function expectNoticesCoverNothing(page: Page): Promise<void> {
  await expect(page.getByTestId('notices').locator('.notice').first()).toBeVisible();
  const covered = await page.evaluate((): Covered[] => {
    type Box = { left: number; right: number; top: number; bottom: number; width: number; height: number };
    type El = { getBoundingClientRect(): Box; closest(s: string): El | null; querySelectorAll(s: string): ArrayLike<El>; textContent: string | null; getAttribute(n: string): string | null; tagName: string };
    const doc = (globalThis as unknown as { document: El & { documentElement: { clientWidth: number; clientHeight: number } } }).document;
    const view = { width: doc.documentElement.clientWidth, height: doc.documentElement.clientHeight };
    const scope = Array.from(doc.querySelectorAll('[role="dialog"]')).at(-1) ?? doc;
    const notices = Array.from(doc.querySelectorAll('[data-testid="notices"] .notice')).map((n) => ({ name: n.textContent?.trim() ?? '', box: n.getBoundingClientRect() }));
    const controls = Array.from(scope.querySelectorAll('button, input, textarea, select, a[href], [tabindex="0"]')).filter((c) => {
      const b = c.getBoundingClientRect();
      return c.closest('[data-testid="notices"]') === null && b.width > 0 && b.height > 0 && b.bottom > 0 && b.right > 0 && b.top < view.height && b.left < view.width;
    });
    const out: Covered[] = [];
    for (const c of controls) {
      const b = c.getBoundingClientRect();
      for (const n of notices) {
        const overlap = b.left < n.box.right && n.box.left < b.right && b.top < n.box.bottom && n.box.top < b.bottom;
        if (overlap) out.push({ notice: n.name, control: c.getAttribute('aria-label') ?? c.getAttribute('data-testid') ?? c.textContent?.trim() ?? c.tagName });
      }
    }
    return out;
  });
  expect(covered).toEqual([]);
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

/** WCAG relative luminance contrast of two computed CSS colours (rgb()/rgba(), alpha ignored). */
function contrast(a: string, b: string): number {
  const lum = (c: string): number => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((x) => {
      const v = Number(x) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/**
 * Moves keyboard focus to `target` (from a focused field, so the ring shows as after Tab) and asserts a ring
 * people can see: drawn, inside `target`'s own box when `inside` (so a clipping pane cannot hide it), and
 * at least 3:1 against the background it is drawn on (`on`, WCAG 1.4.11).
 */
export async function expectVisibleFocusRing(target: Locator, on: Locator, inside = false): Promise<void> {
  await target.focus();
  const ring = await target.evaluate((el) => {
    const g = globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> };
    const s = g.getComputedStyle(el);
    return { visible: (el as { matches(q: string): boolean }).matches(':focus-visible'), style: s['outlineStyle'] ?? '', width: parseFloat(s['outlineWidth'] ?? '0'), offset: parseFloat(s['outlineOffset'] ?? '0'), color: s['outlineColor'] ?? '' };
  });
  const background = await on.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
  expect(ring.visible).toBe(true);
  expect(ring.style).not.toBe('none');
  expect(ring.width).toBeGreaterThanOrEqual(2);
  if (inside) expect(ring.offset + ring.width).toBeLessThanOrEqual(0);
  expect(contrast(ring.color, background)).toBeGreaterThanOrEqual(3);
}
