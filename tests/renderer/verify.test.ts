/**
 * The verify dialog: both fingerprints in 16 groups, the safety number in 12 groups, the pictures, the own QR,
 * the paste-and-compare box (match, mismatch, garbage), Mark verified / Remove verification, and the keyboard.
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite).
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { ME, contact, createFakeApi, type FakeApi } from './helpers/fake-api.ts';

const BOB = '0123456789abcdef'.repeat(4);
let api: FakeApi;
let w: VueWrapper;

beforeEach(async () => {
  api = createFakeApi();
  api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
  api.state.messages.set(BOB, []);
  w = mountWith(App, freshPinia(api));
  await flushPromises();
  await w.get(`[data-testid="contact-${BOB}"]`).trigger('click');
  await flushPromises();
  await w.get('[data-testid="open-verify"]').trigger('click');
  await flushPromises();
});
afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

const dialog = () => w.get('[role="dialog"]');
const buttonNamed = (name: string) => {
  const b = dialog().findAll('button').find((x) => x.text().trim() === name);
  if (b === undefined) throw new Error(`no button ${name}`);
  return b;
};
async function paste(text: string): Promise<string | undefined> {
  await dialog().get('[data-testid="fingerprint-paste"]').setValue(text);
  await flushPromises();
  return dialog().find('[data-testid="compare-result"]').attributes('data-result');
}

describe('verify dialog layout (issue 12)', () => {
  test('leads with the safety number; the rest is under "Other ways"; one Mark as verified in the footer; Not verified is a caution', () => {
    const d = dialog();
    const status = d.get('[data-testid="verification-status"]');
    expect(status.classes()).toContain('banner-warning');
    expect(status.text()).toContain('Not verified');
    // The safety number comes before the other ways, which start closed and hold fingerprints, QR and the compare box.
    const html = d.html();
    expect(html.indexOf('data-testid="safety-number"')).toBeLessThan(html.indexOf('data-testid="other-ways"'));
    const other = d.get('[data-testid="other-ways"]');
    expect((other.element as HTMLDetailsElement).open).toBe(false);
    for (const id of ['their-fingerprint', 'own-fingerprint', 'own-fingerprint-qr', 'fingerprint-paste']) expect(other.find(`[data-testid="${id}"]`).exists()).toBe(true);
    const footer = d.get('[data-testid="verify-footer"]');
    expect(footer.findAll('button').map((b) => b.text())).toEqual(['Mark as verified', 'Done']);
    expect(footer.get('button').classes()).toContain('btn-primary');
  });
});

describe('verify dialog', () => {
  test('is a labelled modal showing both keys, the safety number and the pictures', () => {
    const d = dialog();
    expect(d.attributes('aria-modal')).toBe('true');
    expect(w.get(`#${d.attributes('aria-labelledby')}`).text()).toBe('Verify Bob');
    const theirs = d.get('[data-testid="their-fingerprint"]');
    expect(theirs.findAll('span').map((s) => s.text())).toEqual(BOB.match(/.{4}/g));
    expect(d.get('[data-testid="own-fingerprint"]').attributes('data-fingerprint')).toBe(ME);
    const sn = d.get('[data-testid="safety-number"]');
    expect(sn.findAll('span').map((s) => s.text())).toEqual(['12345', '67890', '11111', '22222', '33333', '44444', '55555', '66666', '77777', '88888', '99999', '00000']);
    const pictures = d.findAll('[data-testid="identicon"]');
    expect(pictures).toHaveLength(2);
    expect(pictures.every((p) => /a recognition aid, not a proof/.test(p.attributes('aria-label') ?? ''))).toBe(true);
    expect(d.text()).toContain('A recognition aid, not a proof');
    expect(d.get('[data-testid="own-fingerprint-qr"]').attributes('role')).toBe('img');
    expect(d.get('[data-testid="verification-status"]').text()).toContain('Bob is not verified.');
  });

  test('pasted fingerprints are normalised and compared in full: garbage, mismatch, match', async () => {
    expect(await paste('not a fingerprint at all')).toBe('invalid');
    expect(await paste(BOB.slice(0, 40))).toBe('invalid');
    expect(dialog().text()).toContain('this has 40');
    const other = `${BOB.slice(0, 60)}ffff`;
    expect(await paste(other)).toBe('mismatch');
    expect(dialog().get('[data-testid="compare-result"]').attributes('role')).toBe('alert');
    expect(dialog().text()).toContain('Do not mark Bob as verified');
    expect(buttonNamed('Mark verified by fingerprint').attributes('disabled')).toBeDefined();
    const colons = BOB.toUpperCase().match(/../g)?.join(':') ?? '';
    expect(await paste(colons)).toBe('match');
    expect(dialog().text()).toContain('All 64 digits are the same');
    expect(buttonNamed('Mark verified by fingerprint').attributes('disabled')).toBeUndefined();
  });

  test('after a mismatch, the differing groups are marked on their key and named; a match clears the marks', async () => {
    const theirs = () => dialog().get('[data-testid="their-fingerprint"]');
    const marked = () => theirs().findAll('[data-differs="true"]').map((g) => g.text());
    expect(marked()).toEqual([]);
    // Group 11 (digits 41–44) wrong: "89ab" becomes "89ff".
    await paste(`${BOB.slice(0, 42)}ff${BOB.slice(44)}`);
    expect(marked()).toEqual(['89ab']);
    expect(theirs().findAll('span').findIndex((g) => g.attributes('data-differs') === 'true')).toBe(10);
    expect(dialog().get('[data-testid="compare-groups"]').text()).toBe('group 11 differs');
    expect(dialog().get('[data-testid="compare-result"]').text()).toContain('(from digit 43), marked on Bob’s key above');
    // Two groups wrong, the groups read in order; one's own key is never marked.
    await paste(`ffff${BOB.slice(4, 60)}ffff`);
    expect(marked()).toEqual(['0123', 'cdef']);
    expect(dialog().get('[data-testid="compare-groups"]').text()).toBe('groups 1 and 16 differ');
    expect(dialog().get('[data-testid="own-fingerprint"]').findAll('[data-differs]')).toHaveLength(0);
    await paste(BOB);
    expect(marked()).toEqual([]);
    await paste('not hex');
    expect(marked()).toEqual([]);
  });

  test('a mismatch for a contact already verified says to check again and remove the verification, not "do not mark"', async () => {
    await buttonNamed('Mark as verified').trigger('click');
    await flushPromises();
    await paste(`${BOB.slice(0, 60)}ffff`);
    const result = dialog().get('[data-testid="compare-result"]');
    expect(result.attributes('data-result')).toBe('mismatch');
    expect(result.text()).toContain('Bob is marked verified: check the fingerprint with Bob again, and remove the verification');
    expect(result.text()).not.toContain('Do not mark Bob as verified');
    expect(dialog().get('[data-testid="their-fingerprint"]').findAll('[data-differs="true"]').map((g) => g.text())).toEqual(['cdef']);
  });

  test('after a mismatch nothing suggests marking verified: no primary Mark verified button', async () => {
    const primaries = () => dialog().findAll('button.btn-primary').map((b) => b.text());
    expect(primaries()).toEqual(['Mark as verified']);
    await paste(`${BOB.slice(0, 60)}ffff`);
    expect(primaries()).toEqual([]);
    expect(buttonNamed('Mark as verified').attributes('disabled')).toBeUndefined(); // still possible, not suggested
    await paste(BOB);
    expect(primaries()).toEqual(['Mark verified by fingerprint']);
  });

  test('Mark verified by fingerprint, then Remove verification, with how and when', async () => {
    await paste(BOB);
    await buttonNamed('Mark verified by fingerprint').trigger('click');
    await flushPromises();
    expect(api.callsOf('verify')).toEqual([[BOB, 'fingerprint']]);
    const status = dialog().get('[data-testid="verification-status"]');
    expect(status.attributes('data-verified')).toBe('true');
    expect(status.text()).toMatch(/Verified by comparing fingerprints on .*2026/);
    expect(w.find('[data-testid="verified-badge"]').exists()).toBe(true);
    await buttonNamed('Remove verification').trigger('click');
    await flushPromises();
    expect(api.callsOf('unverify')).toEqual([[BOB]]);
    expect(dialog().get('[data-testid="verification-status"]').attributes('data-verified')).toBe('false');
  });

  test('Mark as verified uses that method', async () => {
    await buttonNamed('Mark as verified').trigger('click');
    await flushPromises();
    expect(api.callsOf('verify')).toEqual([[BOB, 'safety-number']]);
    expect(dialog().text()).toContain('Verified by comparing the safety number');
  });

  test('Escape closes it and focus goes back to the Verify button', async () => {
    await buttonNamed('Done').trigger('click');
    await flushPromises();
    const opener = w.get('[data-testid="open-verify"]');
    (opener.element as HTMLElement).focus();
    await opener.trigger('click');
    await flushPromises();
    expect(dialog().element.contains(document.activeElement)).toBe(true); // focus moved into the dialog
    await dialog().trigger('keydown', { key: 'Escape' });
    await flushPromises();
    expect(w.find('[role="dialog"]').exists()).toBe(false);
    expect(document.activeElement).toBe(opener.element);
  });

  test('Tab stays inside the dialog', async () => {
    const focusable = dialog().findAll('button, textarea');
    const last = focusable.at(-1)?.element as HTMLElement;
    last.focus();
    await dialog().trigger('keydown', { key: 'Tab' });
    expect(document.activeElement).toBe(focusable[0]?.element);
  });
});
