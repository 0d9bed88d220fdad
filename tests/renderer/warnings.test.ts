/**
 * Key warnings, graduated as PROTOCOL.md section 6 asks: a banner for an unverified contact's new key, the
 * composer blocked for a relied-on contact's key change or a name collision until re-verification or acceptance,
 * naming who changed in plain words and when (the keys only in tooltips and the Verify dialog, issue 12). Also
 * what the contact list shows.
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import type { ContactDto } from '../../src/shared/dto.ts';
import { formatDateTime } from '../../src/renderer/src/lib/format.ts';
import { formatFingerprint } from '../../src/renderer/src/lib/fingerprint.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { NOW, contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const OLD = fp('0d');
const NEW = fp('9e');
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

async function openWith(contacts: ContactDto[], open: string): Promise<VueWrapper> {
  api = createFakeApi();
  for (const c of contacts) {
    api.state.contacts.set(c.fingerprint, c);
    api.state.messages.set(c.fingerprint, []);
  }
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  await w.get(`[data-testid="contact-${open}"]`).trigger('click');
  await flushPromises();
  return w;
}

const oldBob = contact({ fingerprint: OLD, name: 'Bob', verified: true, verifiedMethod: 'safety-number', verifiedAt: NOW, online: false });
const button = (w: VueWrapper, name: string) => {
  const b = w.findAll('button').find((x) => x.text().trim() === name);
  if (b === undefined) throw new Error(`no button ${name}`);
  return b;
};

describe('a relied-on contact changed key: sending is blocked', () => {
  const newBob = contact({ fingerprint: NEW, name: 'Bob', blocked: 'key-changed', replaces: OLD });

  test('the composer is replaced by the warning: plain name and date, the keys only in the tooltip (issue 12)', async () => {
    const w = await openWith([{ ...oldBob, nickname: 'Bobby', displayName: 'Bobby' }, newBob], NEW);
    expect(w.find('[data-testid="composer"]').exists()).toBe(false);
    const panel = w.get('[data-testid="send-blocked"]');
    expect(panel.attributes('role')).toBe('alert');
    expect(panel.attributes('data-code')).toBe('key-changed');
    // The person as the user knows them (the nickname), when the new key was first seen.
    expect(panel.get('h2').text()).toBe(`Sending is paused: Bobby’s key changed on ${formatDateTime(newBob.firstSeen)}`);
    expect(panel.text()).toContain('someone is intercepting');
    expect(panel.text()).toContain('then verify it to resume sending');
    // No hex keys in the text, and no "separate contact" (one thread per person).
    expect(panel.text()).not.toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);
    expect(panel.text()).not.toMatch(/separate/);
    const tip = panel.get('h2').attributes('title');
    expect(tip).toContain(`New key ${formatFingerprint(NEW)}`);
    expect(tip).toContain(`Old key ${formatFingerprint(OLD)}`);
  });

  test('accepting the new key takes a confirmation, then the composer returns', async () => {
    const w = await openWith([oldBob, newBob], NEW);
    await button(w, 'Accept new key…').trigger('click');
    await flushPromises();
    expect(api.callsOf('acceptKey')).toEqual([]);
    expect(w.get('[data-testid="send-blocked"]').text()).toContain('Accept Bob’s new key without verifying it? Sending resumes');
    await button(w, 'Cancel').trigger('click');
    await button(w, 'Accept new key…').trigger('click');
    await button(w, 'Yes, accept the new key').trigger('click');
    await flushPromises();
    expect(api.callsOf('acceptKey')).toEqual([[NEW]]);
    expect(w.find('[data-testid="send-blocked"]').exists()).toBe(false);
    expect(w.find('[data-testid="composer"]').exists()).toBe(true);
  });

  test('re-verifying the new key also unblocks it', async () => {
    const w = await openWith([oldBob, newBob], NEW);
    await button(w, 'Verify new key').trigger('click');
    await flushPromises();
    await button(w, 'Mark as verified').trigger('click');
    await flushPromises();
    expect(api.callsOf('verify')).toEqual([[NEW, 'safety-number']]);
    await button(w, 'Done').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="send-blocked"]').exists()).toBe(false);
    expect(w.find('[data-testid="composer"]').exists()).toBe(true);
  });

  test('a name collision on a relied-on name blocks too, and says so', async () => {
    const impostor = contact({ fingerprint: NEW, name: 'Bob', blocked: 'name-collision', replaces: OLD });
    const w = await openWith([oldBob, impostor], NEW);
    const panel = w.get('[data-testid="send-blocked"]');
    expect(panel.text()).toContain('someone new is using the name Bob');
    expect(panel.text()).toContain('presents themselves with the name of Bob, a contact you rely on');
    expect(panel.text()).not.toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);
    expect(w.find('[data-testid="composer"]').exists()).toBe(false);
  });

  test('the contact list shows the blocked state', async () => {
    const w = await openWith([oldBob, newBob], NEW);
    const item = w.get(`[data-testid="contact-${NEW}"]`);
    expect(item.text()).toContain('Key changed — check before sending');
    expect(item.attributes('aria-label')).toContain('sending paused');
    // Two contacts named Bob: each row shows its short key so they can be told apart.
    expect(item.attributes('aria-label')).toContain('Bob, key 9e9e 9e9e…');
    expect(w.get(`[data-testid="contact-${OLD}"]`).get('.key').text()).toBe('0d0d 0d0d…');
  });
});

describe('an unverified contact changed key: a banner, sending allowed', () => {
  test('the warning event shows a dismissible banner in plain words: the name, the date, the keys only in the tooltip', async () => {
    const unverifiedOld = contact({ fingerprint: OLD, name: 'Carol', online: false });
    const w = await openWith([unverifiedOld], OLD);
    const newCarol = contact({ fingerprint: NEW, name: 'Carol' });
    api.state.contacts.set(NEW, newCarol);
    api.state.messages.set(NEW, []);
    api.emit({ type: 'warning', code: 'key-changed', message: 'the key at 10.0.0.5:47800 changed', peer: NEW, previous: OLD });
    await flushPromises();
    await w.get(`[data-testid="contact-${NEW}"]`).trigger('click');
    await flushPromises();
    const banner = w.get('[data-testid="key-warning"]');
    expect(banner.get('[data-testid="key-warning-title"]').text()).toBe(`Carol’s key changed on ${formatDateTime(newCarol.firstSeen)}`);
    expect(banner.text()).toContain('sending is not paused');
    expect(banner.text()).not.toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);
    expect(banner.text()).not.toMatch(/separate/);
    expect(banner.get('[data-testid="key-warning-title"]').attributes('title')).toBe(`New key ${formatFingerprint(NEW)}\nOld key ${formatFingerprint(OLD)}`);
    expect(banner.text()).toContain('Verify Carol');
    expect(w.find('[data-testid="composer"]').exists()).toBe(true);
    await button(w, 'Dismiss').trigger('click');
    expect(w.find('[data-testid="key-warning"]').exists()).toBe(false);
  });
});

describe('the contact list', () => {
  test('shows online state, unread count, verified badge and the last message', async () => {
    const dave = contact({ fingerprint: fp('da'), name: 'Dave', online: true, unread: 3, lastMessage: { text: 'see you\nat 8', at: NOW, direction: 'in' } });
    const erin = contact({ fingerprint: fp('e1'), name: 'Erin', online: false, verified: true, verifiedMethod: 'invite', verifiedAt: NOW, lastMessage: { text: 'ok', at: NOW - 1000, direction: 'out' } });
    const w = await openWith([dave, erin], erin.fingerprint);
    const d = w.get(`[data-testid="contact-${dave.fingerprint}"]`);
    expect(d.attributes('aria-label')).toBe('Dave, online, not verified, 3 unread, see you at 8');
    expect(d.get('.unread').text()).toBe('3');
    expect(d.get('.dot').classes()).toContain('on');
    const e = w.get(`[data-testid="contact-${erin.fingerprint}"]`);
    expect(e.attributes('aria-label')).toBe('Erin, offline, verified, You: ok');
    expect(e.attributes('aria-current')).toBe('true');
    expect(e.find('.verified').exists()).toBe(true);
    expect(w.findAll('[data-testid^="contact-"] .name').map((n) => n.text())).toEqual(['Dave', 'Erin']); // most recent first

    // Opening Dave reads his messages.
    await d.trigger('click');
    await flushPromises();
    expect(api.callsOf('markRead')).toEqual([[dave.fingerprint]]);
    expect(w.get(`[data-testid="contact-${dave.fingerprint}"]`).find('.unread').exists()).toBe(false);
  });
});
