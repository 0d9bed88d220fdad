/**
 * Issue 12, item 4: calm notices. One status line per contact (a newer one replaces the older), cleared
 * once resolved (verified, accepted, disconnected); plain names, no hex keys; the header's Verify button
 * reads "Safety number" once verified and "Not verified" is a caution. The API is the schema-checked stand-in.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { useNoticesStore } from '../../src/renderer/src/stores/notices.ts';
import { useContactsStore } from '../../src/renderer/src/stores/contacts.ts';
import { routeEvents } from '../../src/renderer/src/stores/event-router.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { NOW, contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
const CAROL = fp('c0');
const TCP = { path: 'tcp', sameNetwork: true, relayed: false } as const;
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

async function setup(): Promise<{ notices: ReturnType<typeof useNoticesStore>; contacts: ReturnType<typeof useContactsStore> }> {
  api = createFakeApi();
  api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob', online: false }));
  freshPinia(api);
  const contacts = useContactsStore();
  await contacts.load();
  routeEvents(api);
  return { notices: useNoticesStore(), contacts };
}

describe('one status line per contact, cleared when resolved', () => {
  test('a new peer connecting says so in plain words; disconnecting clears it', async () => {
    const { notices } = await setup();
    api.state.contacts.set(CAROL, contact({ fingerprint: CAROL, name: 'Carol' }));
    api.emit({ type: 'connected', peer: CAROL, name: 'Carol', verified: false, safetyNumber: '1'.repeat(60), connection: TCP });
    await flushPromises();
    expect(notices.items).toHaveLength(1);
    expect(notices.items[0]?.title).toBe('Carol connected');
    expect(`${notices.items[0]?.title} ${notices.items[0]?.text}`).not.toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);
    api.emit({ type: 'disconnected', peer: CAROL, reason: 'closed' });
    expect(notices.items).toHaveLength(0);
  });

  test('a message request connecting is not notified (the Requests count says it)', async () => {
    const { notices } = await setup();
    api.state.contacts.set(CAROL, contact({ fingerprint: CAROL, name: 'Carol', status: 'request' }));
    api.emit({ type: 'connected', peer: CAROL, name: 'Carol', verified: false, safetyNumber: '1'.repeat(60), connection: TCP });
    await flushPromises();
    expect(notices.items).toHaveLength(0);
  });

  test('repeated warnings about one contact are one line; it clears once the key is accepted or verified', async () => {
    const { notices, contacts } = await setup();
    const carol = contact({ fingerprint: CAROL, name: 'Bob', blocked: 'key-changed', replaces: BOB });
    api.state.contacts.set(CAROL, carol);
    for (let i = 0; i < 3; i++) api.emit({ type: 'warning', code: 'key-changed', message: 'key changed', peer: CAROL, previous: BOB });
    await flushPromises();
    expect(notices.items).toHaveLength(1);
    expect(notices.items[0]?.title).toBe('Bob’s key changed');
    expect(await contacts.acceptKey(CAROL)).toBeNull();
    expect(notices.items).toHaveLength(0);

    api.emit({ type: 'warning', code: 'key-changed', message: 'key changed', peer: CAROL, previous: BOB });
    await flushPromises();
    expect(notices.items).toHaveLength(1);
    api.emit({ type: 'verified', peer: CAROL, verified: true });
    expect(notices.items).toHaveLength(0);
  });

  test('a contact-changed that ends the hold clears the warning line (one that keeps it does not)', async () => {
    const { notices } = await setup();
    api.state.contacts.set(CAROL, contact({ fingerprint: CAROL, name: 'Bob', blocked: 'key-changed', replaces: BOB }));
    api.emit({ type: 'warning', code: 'key-changed', message: 'key changed', peer: CAROL, previous: BOB });
    await flushPromises();
    expect(notices.items).toHaveLength(1);
    api.emit({ type: 'contact-changed', contact: contact({ fingerprint: CAROL, name: 'Bob', blocked: 'key-changed', replaces: BOB, lastSeen: NOW + 1 }) });
    expect(notices.items).toHaveLength(1);
    api.emit({ type: 'contact-changed', contact: contact({ fingerprint: CAROL, name: 'Bob' }) });
    expect(notices.items).toHaveLength(0);
  });
});

describe('the conversation header', () => {
  test('Verify reads "Safety number" once verified; "Not verified" is a caution; no hex in the header text', async () => {
    api = createFakeApi();
    api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
    api.state.contacts.set(CAROL, contact({ fingerprint: CAROL, name: 'Carol', verified: true, verifiedMethod: 'safety-number', verifiedAt: NOW }));
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    await w.get(`[data-testid="contact-${BOB}"]`).trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="open-verify"]').text()).toBe('Verify');
    expect(w.get('[data-testid="unverified-badge"]').classes()).toContain('caution');
    expect(w.get('.conversation header').text()).not.toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);
    await w.get(`[data-testid="contact-${CAROL}"]`).trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="open-verify"]').text()).toBe('Safety number');
    expect(w.get('[data-testid="open-verify"]').attributes('aria-label')).toBe('Safety number with Carol');
  });
});

describe('coming back where you were (issue 12, item 7)', () => {
  test('an offline contact offers Try now; Reconnecting… while it runs; a failure says Parley keeps trying', async () => {
    api = createFakeApi();
    api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob', online: false, connection: null }));
    let answer: (r: { ok: true; value: boolean }) => void = () => undefined;
    api.override('rejoinNow', () => new Promise((resolve) => (answer = resolve)));
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    await w.get(`[data-testid="contact-${BOB}"]`).trigger('click');
    await flushPromises();
    await w.get('[data-testid="try-now"]').trigger('click');
    expect(api.callsOf('rejoinNow')).toEqual([[BOB]]);
    expect(w.get('[data-testid="reconnect"]').text()).toContain('Reconnecting…');
    answer({ ok: true, value: false });
    await flushPromises();
    expect(w.get('[data-testid="reconnect"]').text()).toContain('Not reachable right now; Parley keeps trying.');
    expect(w.find('[data-testid="try-now"]').exists()).toBe(true);
    // Online: no Try now.
    api.emit({ type: 'connected', peer: BOB, name: 'Bob', verified: false, safetyNumber: '1'.repeat(60), connection: TCP });
    await flushPromises();
    expect(w.find('[data-testid="reconnect"]').exists()).toBe(false);
  });

  test('an automatic rejoin shows Reconnecting… in the sidebar and the header (with the next try), and clears on connect', async () => {
    api = createFakeApi();
    const next = NOW + 30_000;
    api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob', online: false, connection: null, rejoining: { next } }));
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    const row = w.get(`[data-testid="contact-${BOB}"]`);
    expect(row.attributes('data-reconnecting')).toBe('true');
    expect(row.get('[data-testid="contact-reconnecting"]').text()).toBe('Reconnecting…');
    expect(row.attributes('aria-label')).toContain('offline, reconnecting');
    await row.trigger('click');
    await flushPromises();
    const at = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(next);
    expect(w.get('[data-testid="reconnecting"]').text()).toBe(`· Reconnecting… next try at ${at}`);
    // The header line fits: the last-seen time moves to the tooltip while it reconnects.
    expect(w.get('[data-testid="presence"]').text()).toBe('Offline');
    expect(w.get('[data-testid="presence"]').attributes('title')).toMatch(/^Last seen /);
    expect(w.find('[data-testid="try-now"]').exists()).toBe(true);
    // An attempt under way: Reconnecting… alone, no Try now.
    api.emit({ type: 'contact-changed', contact: contact({ fingerprint: BOB, name: 'Bob', online: false, connection: null, rejoining: { next: null } }) });
    await flushPromises();
    expect(w.get('[data-testid="reconnect"]').attributes('data-state')).toBe('trying');
    expect(w.get('[data-testid="reconnect"]').text()).toBe('· Reconnecting…');
    expect(w.find('[data-testid="try-now"]').exists()).toBe(false);
    // Given up (or stopped by the user): offline, Try now, no Reconnecting….
    api.emit({ type: 'contact-changed', contact: contact({ fingerprint: BOB, name: 'Bob', online: false, connection: null, rejoining: null }) });
    await flushPromises();
    expect(w.get(`[data-testid="contact-${BOB}"]`).attributes('data-reconnecting')).toBe('false');
    expect(w.get('[data-testid="reconnect"]').text()).not.toContain('Reconnecting');
    api.emit({ type: 'contact-changed', contact: contact({ fingerprint: BOB, name: 'Bob', online: false, connection: null, rejoining: { next } }) });
    api.emit({ type: 'connected', peer: BOB, name: 'Bob', verified: false, safetyNumber: '1'.repeat(60), connection: TCP });
    await flushPromises();
    expect(w.find('[data-testid="reconnect"]').exists()).toBe(false);
    expect(w.find('[data-testid="contact-reconnecting"]').exists()).toBe(false);
  });

  test('"Host when Parley starts" failing is a notice with the reason and Open Host; the Host screen says which port, and hosting clears it', async () => {
    api = createFakeApi();
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    api.emit({ type: 'host-at-start-failed', code: 'port-in-use', message: 'port 47800 on 0.0.0.0 is already in use', port: 47800 });
    await flushPromises();
    const notice = w.get('[data-testid="notices"] [data-kind="error"]');
    expect(notice.text()).toContain('Parley could not start hosting');
    expect(notice.text()).toContain('That port is already taken on this computer.');
    expect(notice.text()).toContain('It tried port 47800.');
    expect(notice.get('[data-testid="notice-action"]').text()).toBe('Open Host');
    await notice.get('[data-testid="notice-action"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="notices"] [data-kind="error"]').exists()).toBe(false);
    expect(w.get('#host-title').text()).toBe('Host');
    expect(w.get('[data-testid="host-at-start-failed"]').text()).toContain('could not host on port 47800');
    expect(w.get('[data-testid="host-error"]').text()).toContain('That port is in use');
    // Retry on another port: hosting runs, the reason goes.
    await w.get('input[type="number"]').setValue(0);
    await w.get('form[aria-label="Hosting options"]').trigger('submit');
    await flushPromises();
    expect(api.callsOf('startHosting')).toEqual([[{ port: 0, bind: '0.0.0.0', dht: true, announce: false }]]);
    expect(w.find('[data-testid="host-at-start-failed"]').exists()).toBe(false);
    expect(w.find('[data-testid="host-error"]').exists()).toBe(false);
  });

  test('a host-at-start notice left open clears once hosting runs', async () => {
    api = createFakeApi();
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    api.emit({ type: 'host-at-start-failed', code: 'port-in-use', message: 'in use', port: 47800 });
    await flushPromises();
    expect(useNoticesStore().items.map((n) => n.key)).toEqual(['host-at-start']);
    api.emit({ type: 'listening', hosting: { host: '0.0.0.0', port: 47801, invite: `parley://192.168.1.2:47801?fp=${fp('a1')}`, addresses: ['192.168.1.2'], dht: null, reachability: null, discoverable: false } });
    await flushPromises();
    expect(useNoticesStore().items).toEqual([]);
    expect(w.find('[data-testid="notices"] [data-kind="error"]').exists()).toBe(false);
  });

  test('Settings: "Host when Parley starts" shows the stored choice and changes it', async () => {
    api = createFakeApi();
    api.state.settings = { ...api.state.settings, hostAtStart: true, hostReach: 'network' };
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    await w.get('[data-testid="nav-settings"]').trigger('click');
    await flushPromises();
    const box = w.get('[data-testid="host-at-start"]');
    expect((box.element as HTMLInputElement).checked).toBe(true);
    expect(w.text()).toContain('Open for people on this network');
    await box.setValue(false);
    await flushPromises();
    expect(api.callsOf('updateSettings')).toContainEqual([{ hostAtStart: false }]);
  });
});
