/**
 * Key warnings, graduated as PROTOCOL.md section 6 asks: a banner for an unverified contact's new key, the
 * composer blocked for a relied-on contact's key change or a name collision until re-verification or acceptance,
 * always naming who changed (names and short fingerprints). Also what the contact list shows.
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import type { ContactDto } from '../../src/shared/dto.ts';
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

  test('the composer is replaced by the warning, which names both keys', async () => {
    const w = await openWith([oldBob, newBob], NEW);
    expect(w.find('[data-testid="composer"]').exists()).toBe(false);
    const panel = w.get('[data-testid="send-blocked"]');
    expect(panel.attributes('role')).toBe('alert');
    expect(panel.attributes('data-code')).toBe('key-changed');
    expect(panel.text()).toContain('Sending is paused: Bob’s key changed');
    expect(panel.text()).toContain('Bob (key 9e9e 9e9e…)');
    expect(panel.text()).toContain('Bob (key 0d0d 0d0d…)');
    expect(panel.text()).toContain('someone is intercepting');
  });

  test('accepting the new key takes a confirmation, then the composer returns', async () => {
    const w = await openWith([oldBob, newBob], NEW);
    await button(w, 'Accept new key…').trigger('click');
    await flushPromises();
    expect(api.callsOf('acceptKey')).toEqual([]);
    expect(w.get('[data-testid="send-blocked"]').text()).toContain('Accept Bob (key 9e9e 9e9e…) without verifying it?');
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
    expect(panel.text()).toContain('presents itself with the name of Bob (key 0d0d 0d0d…)');
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
  test('the warning event shows a dismissible banner that names both keys', async () => {
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
    expect(banner.text()).toContain('Carol (key 9e9e 9e9e…) answered where you used to reach Carol (key 0d0d 0d0d…)');
    expect(banner.text()).toContain('sending is not paused');
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
