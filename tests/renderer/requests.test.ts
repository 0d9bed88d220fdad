/**
 * Issue 12, items 1 and 2: message requests (listed apart with a count, held messages shown inside the
 * request and never notified, Accept / Block / Delete with a confirmation) and managing a contact from the
 * conversation header's menu (rename, block / unblock, delete with its history, disconnect).
 * The API is the in-memory stand-in of helpers/fake-api.ts, its arguments checked against the contract's schemas.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { useContactsStore } from '../../src/renderer/src/stores/contacts.ts';
import type { ContactDto, MessageDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { NOW, contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
const CAROL = fp('c0');
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

function held(peer: string, seq: number, text: string): MessageDto {
  return { peer, id: `h-${seq}`, seq, direction: 'in', ts: NOW, storedAt: NOW, text, state: 'delivered', kind: 'text', key: peer, replyTo: null, reactTo: null };
}

async function start(contacts: ContactDto[]): Promise<VueWrapper> {
  api = createFakeApi();
  for (const c of contacts) api.state.contacts.set(c.fingerprint, c);
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  return w;
}

const carolRequest = contact({ fingerprint: CAROL, name: 'Carol', status: 'request' });
const bob = contact({ fingerprint: BOB, name: 'Bob' });

describe('message requests', () => {
  test('a request is listed under Requests with its count, picture and short key, not among contacts', async () => {
    const w = await start([bob, carolRequest]);
    const section = w.get('[data-testid="requests"]');
    expect(section.get('[data-testid="requests-count"]').text()).toBe('1');
    const item = section.get(`[data-testid="request-${CAROL}"]`);
    expect(item.text()).toContain('Carol');
    expect(item.text()).toContain('c0c0 c0c0');
    expect(item.find('[data-testid="identicon"]').exists()).toBe(true);
    expect(w.get('[data-testid="contact-list"]').text()).not.toContain('Carol');
  });

  test('a request arriving as an event shows up; its messages are held in it and not counted as unread', async () => {
    const w = await start([bob]);
    expect(w.find('[data-testid="requests"]').exists()).toBe(false);
    api.state.contacts.set(CAROL, carolRequest);
    api.emit({ type: 'request', contact: carolRequest });
    await flushPromises();
    expect(w.get('[data-testid="requests-count"]').text()).toBe('1');
    api.state.messages.set(CAROL, [held(CAROL, 1, 'Hi, we met at the conference')]);
    api.emit({ type: 'request-message', message: held(CAROL, 1, 'Hi, we met at the conference') });
    await flushPromises();
    expect(useContactsStore().totalUnread).toBe(0);
    expect(w.findAll('[data-testid="notices"] [role="status"], [data-testid="notices"] [role="alert"]')).toHaveLength(0);

    await w.get(`[data-testid="request-${CAROL}"] button`).trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="request-panel"]').text()).toContain('Carol wants to talk to you');
    expect(w.get('[data-testid="message-list"]').text()).toContain('Hi, we met at the conference');
    expect(w.find('[data-testid="composer"]').exists()).toBe(false);
  });

  test('Accept moves the request to the contacts and opens the conversation with a composer', async () => {
    const w = await start([bob, carolRequest]);
    await w.get(`[data-testid="request-${CAROL}"] [data-testid="request-accept"]`).trigger('click');
    await flushPromises();
    expect(api.callsOf('acceptRequest')).toEqual([[CAROL]]);
    expect(w.find('[data-testid="requests"]').exists()).toBe(false);
    expect(w.get('[data-testid="contact-list"]').text()).toContain('Carol');
    expect(w.find('[data-testid="composer"]').exists()).toBe(true);
  });

  test('Delete asks first (Cancel keeps it), then deletes; Block moves it to Blocked', async () => {
    const dave = contact({ fingerprint: fp('d0'), name: 'Dave', status: 'request' });
    const w = await start([bob, carolRequest, dave]);
    await w.get(`[data-testid="request-${CAROL}"] [data-testid="request-delete"]`).trigger('click');
    await flushPromises();
    const dialog = w.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Delete the request from Carol?');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('confirm-cancel');
    await dialog.get('[data-testid="confirm-cancel"]').trigger('click');
    expect(api.callsOf('deleteContact')).toEqual([]);
    await w.get(`[data-testid="request-${CAROL}"] [data-testid="request-delete"]`).trigger('click');
    await w.get('[data-testid="confirm-action"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('deleteContact')).toEqual([[CAROL]]);
    expect(w.find(`[data-testid="request-${CAROL}"]`).exists()).toBe(false);

    await w.get(`[data-testid="request-${fp('d0')}"] [data-testid="request-block"]`).trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="requests"]').exists()).toBe(false);
    expect(w.get('[data-testid="blocked-list"]').text()).toContain('Dave');
  });
});

describe('managing a contact from the conversation menu', () => {
  async function openBob(over: Partial<ContactDto> = {}): Promise<VueWrapper> {
    const w = await start([{ ...bob, ...over }]);
    await w.get(`[data-testid="contact-${BOB}"]`).trigger('click');
    await flushPromises();
    return w;
  }

  async function menu(w: VueWrapper, item: string): Promise<void> {
    await w.get('[data-testid="contact-menu"]').trigger('click');
    await flushPromises();
    await w.get(`[data-testid="menu-${item}"]`).trigger('click');
    await flushPromises();
  }

  test('the menu is keyboard-reachable: it opens on the first item, arrows move, Escape gives the focus back', async () => {
    const w = await openBob();
    await w.get('[data-testid="contact-menu"]').trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="contact-menu"]').attributes('aria-expanded')).toBe('true');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-rename');
    await w.get('[role="menu"]').trigger('keydown', { key: 'ArrowDown' });
    expect(document.activeElement?.getAttribute('data-testid')).toBe('menu-disconnect');
    await w.get('[role="menu"]').trigger('keydown', { key: 'Escape' });
    expect(w.find('[role="menu"]').exists()).toBe(false);
    expect(document.activeElement?.getAttribute('data-testid')).toBe('contact-menu');
  });

  test('rename sets a local nickname, shown in the header and the list; empty goes back to their name', async () => {
    const w = await openBob();
    await menu(w, 'rename');
    await w.get('[data-testid="rename-input"]').setValue('Bobby (work)');
    await w.get('[data-testid="rename-save"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('rename')).toEqual([[BOB, 'Bobby (work)']]);
    expect(w.get('.conversation h1').text()).toBe('Bobby (work)');
    expect(w.get(`[data-testid="contact-${BOB}"]`).text()).toContain('Bobby (work)');
    await menu(w, 'rename');
    await w.get('[data-testid="rename-input"]').setValue('  ');
    await w.get('[data-testid="rename-save"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('rename')[1]).toEqual([BOB, null]);
    expect(w.get('.conversation h1').text()).toBe('Bob');
  });

  test('block replaces the composer with Unblock; unblock brings it back', async () => {
    const w = await openBob();
    await menu(w, 'block');
    expect(api.callsOf('block')).toEqual([[BOB]]);
    expect(w.get('[data-testid="blocked-panel"]').text()).toContain('You blocked Bob');
    expect(w.find('[data-testid="composer"]').exists()).toBe(false);
    await menu(w, 'unblock');
    expect(api.callsOf('unblock')).toEqual([[BOB]]);
    expect(w.find('[data-testid="composer"]').exists()).toBe(true);
  });

  test('delete names what is lost, and only deletes after the confirmation', async () => {
    const w = await openBob({ verified: true, verifiedMethod: 'safety-number', verifiedAt: NOW });
    await menu(w, 'delete');
    const dialog = w.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Delete Bob?');
    expect(dialog.text()).toContain('every message you and Bob exchanged');
    expect(dialog.text()).toContain('that you verified their key');
    expect(api.callsOf('deleteContact')).toEqual([]);
    await dialog.get('[data-testid="confirm-action"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('deleteContact')).toEqual([[BOB]]);
    expect(w.find(`[data-testid="contact-${BOB}"]`).exists()).toBe(false);
    expect(w.find('.conversation').exists()).toBe(false);
  });

  test('disconnect is offered while online and calls the core', async () => {
    const w = await openBob();
    await menu(w, 'disconnect');
    expect(api.callsOf('disconnect')).toEqual([[BOB]]);
  });
});
