/**
 * The stores and the event router against the in-memory ParleyApi of helpers/fake-api.ts (why a stand-in:
 * see that file; the real core drives the renderer in the end-to-end suite).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { PAGE_SIZE, useConversationsStore } from '../../src/renderer/src/stores/conversations.ts';
import { useContactsStore } from '../../src/renderer/src/stores/contacts.ts';
import { useAppStore } from '../../src/renderer/src/stores/app.ts';
import { useHostingStore, isAllInterfaces } from '../../src/renderer/src/stores/hosting.ts';
import { useJoinStore } from '../../src/renderer/src/stores/join.ts';
import { useUiStore } from '../../src/renderer/src/stores/ui.ts';
import { useNoticesStore } from '../../src/renderer/src/stores/notices.ts';
import { routeEvents } from '../../src/renderer/src/stores/event-router.ts';
import type { MessageDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia } from './helpers/mount.ts';
import { NOW, contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
let api: FakeApi;

beforeEach(() => {
  api = createFakeApi();
  api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
  freshPinia(api);
});
afterEach(() => {
  expect(api.violations).toEqual([]); // every call the renderer made passed the contract's schemas
  cleanup();
});

function msg(seq: number, over: Partial<MessageDto> = {}): MessageDto {
  return { peer: BOB, id: `x-${seq}`, seq, direction: 'in', ts: NOW + seq, storedAt: NOW + seq, text: `t${seq}`, state: 'delivered', key: BOB, replyTo: null, reactTo: null, kind: 'text', ...over };
}

describe('conversations: paging', () => {
  test('opens with the newest page, then pages backwards with `before` = the oldest seq, ascending', async () => {
    api.state.generated.set(BOB, 250);
    const conv = useConversationsStore();
    await conv.open(BOB);
    expect(api.callsOf('history')).toEqual([[BOB, { before: null, limit: PAGE_SIZE }]]);
    const seqs = (): number[] => (conv.peek(BOB)?.messages ?? []).map((m) => m.seq);
    expect(seqs()).toEqual(Array.from({ length: 100 }, (_, i) => 151 + i));
    await conv.loadOlder(BOB);
    expect(api.callsOf('history')[1]).toEqual([BOB, { before: 151, limit: PAGE_SIZE }]);
    await conv.loadOlder(BOB);
    expect(seqs()).toEqual(Array.from({ length: 250 }, (_, i) => 1 + i));
    expect(conv.peek(BOB)?.reachedStart).toBe(true);
    await conv.loadOlder(BOB); // nothing older: no further call
    expect(api.callsOf('history')).toHaveLength(3);
  });

  test('a page in the wrong order or overlapping is still merged in seq order without duplicates', async () => {
    api.override('history', () => ({ ok: true, value: [msg(5), msg(3), msg(4)] }));
    const conv = useConversationsStore();
    conv.thread(BOB);
    conv.receive(msg(4)); // ignored: the thread is not loaded yet
    await conv.open(BOB);
    conv.receive(msg(5));
    conv.receive(msg(6));
    expect(conv.peek(BOB)?.messages.map((m) => m.id)).toEqual(['x-3', 'x-4', 'x-5', 'x-6']);
  });

  test('a failing history call is kept as the thread error', async () => {
    api.override('history', () => ({ ok: false, error: { code: 'internal', message: 'disk on fire' } }));
    const conv = useConversationsStore();
    await conv.open(BOB);
    expect(conv.peek(BOB)?.error?.message).toBe('disk on fire');
  });
});

describe('conversations: delivery states', () => {
  test('states only move forward, and a state that overtakes its message is applied when it arrives', async () => {
    api.state.messages.set(BOB, []);
    const conv = useConversationsStore();
    await conv.open(BOB);
    conv.setState(BOB, 'x-1', 'delivered'); // before the message itself
    conv.receive(msg(1, { direction: 'out', state: 'queued' }));
    expect(conv.peek(BOB)?.messages[0]?.state).toBe('delivered');
    conv.receive(msg(2, { direction: 'out', state: 'sent' }));
    conv.setState(BOB, 'x-2', 'queued');
    expect(conv.peek(BOB)?.messages[1]?.state).toBe('sent');
    conv.setState(BOB, 'x-2', 'delivered');
    expect(conv.peek(BOB)?.messages[1]?.state).toBe('delivered');
  });

  test('send puts the message in the thread with the state the core gave it', async () => {
    api.state.messages.set(BOB, []);
    const conv = useConversationsStore();
    await conv.open(BOB);
    expect(await conv.send(BOB, 'hello')).toBeNull();
    expect(conv.peek(BOB)?.messages.map((m) => [m.text, m.state])).toEqual([['hello', 'sent']]);
    api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob', blocked: 'key-changed' }));
    expect((await conv.send(BOB, 'again'))?.code).toBe('send-blocked');
  });
});

describe('event router', () => {
  test('routes every event type to its store', async () => {
    const contacts = useContactsStore();
    const conv = useConversationsStore();
    const hosting = useHostingStore();
    const notices = useNoticesStore();
    const ui = useUiStore();
    await contacts.load();
    api.state.messages.set(BOB, []);
    await conv.open(BOB);
    const off = routeEvents(api);

    api.emit({ type: 'message', message: msg(7) });
    expect(conv.peek(BOB)?.messages.map((m) => m.seq)).toEqual([7]);
    expect(contacts.get(BOB)?.unread).toBe(1); // not on screen: counts as unread
    expect(contacts.get(BOB)?.lastMessage?.text).toBe('t7');

    api.emit({ type: 'message', message: msg(8, { direction: 'out', state: 'queued' }) });
    api.emit({ type: 'message-state', peer: BOB, id: 'x-8', state: 'delivered' });
    expect(conv.peek(BOB)?.messages.at(-1)?.state).toBe('delivered');

    api.emit({ type: 'disconnected', peer: BOB, reason: 'closed' });
    expect(contacts.get(BOB)?.online).toBe(false);
    api.emit({ type: 'connected', peer: BOB, name: 'Bobby', verified: true, safetyNumber: '1'.repeat(60), connection: { path: 'tcp', sameNetwork: true, relayed: false } });
    expect(contacts.get(BOB)).toMatchObject({ online: true, name: 'Bobby', verified: true });
    api.emit({ type: 'verified', peer: BOB, verified: false });
    expect(contacts.get(BOB)?.verified).toBe(false);
    api.emit({ type: 'contact-changed', contact: contact({ fingerprint: BOB, name: 'Robert', unread: 4 }) });
    expect(contacts.get(BOB)).toMatchObject({ name: 'Robert', unread: 4 });

    const h = { host: '0.0.0.0', port: 47800, invite: `parley://192.168.1.2:47800?fp=${fp('a1')}`, addresses: ['192.168.1.2'], dht: null, reachability: null, discoverable: false };
    api.emit({ type: 'listening', hosting: h });
    expect(hosting.hosting).toEqual(h);
    api.emit({ type: 'stopped-hosting' });
    expect(hosting.hosting).toBeNull();

    api.emit({ type: 'error', code: 'handshake-failed', message: 'bad tag' });
    expect(notices.items.at(-1)).toMatchObject({ kind: 'error', title: 'The secure handshake failed' });

    const CAROL = fp('c0');
    api.state.contacts.set(CAROL, contact({ fingerprint: CAROL, name: 'Bob', blocked: 'name-collision', replaces: BOB }));
    api.emit({ type: 'warning', code: 'name-collision', message: 'new key uses the name Bob', peer: CAROL, previous: BOB });
    await flushPromises();
    expect(contacts.get(CAROL)?.blocked).toBe('name-collision'); // the new identity was fetched
    expect(contacts.warningFor(CAROL)).toMatchObject({ blocking: true, code: 'name-collision', previous: BOB });
    // Issue 12: plain names in notices (keys only in the Verify dialog and tooltips), one status line per contact.
    expect(notices.items.at(-1)).toMatchObject({ kind: 'error', title: 'Someone new uses the name of Robert', key: `status:${CAROL}` });
    expect(notices.items.at(-1)?.text).not.toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);

    const DAVE = fp('da');
    api.state.contacts.set(DAVE, contact({ fingerprint: DAVE, name: 'Dave' }));
    api.emit({ type: 'connected', peer: DAVE, name: 'Dave', verified: false, safetyNumber: '2'.repeat(60), connection: { path: 'tcp', sameNetwork: true, relayed: false } });
    await flushPromises();
    expect(contacts.get(DAVE)?.name).toBe('Dave');
    expect(notices.items.at(-1)).toMatchObject({ kind: 'info', title: 'Dave connected' });

    off();
    api.emit({ type: 'disconnected', peer: BOB, reason: 'closed' });
    expect(contacts.get(BOB)?.online).toBe(true); // unsubscribed
    expect(ui.section).toBe('welcome');
  });

  test('a message in the conversation on screen is marked read (once for a burst)', async () => {
    vi.useFakeTimers();
    try {
      const contacts = useContactsStore();
      const ui = useUiStore();
      await contacts.load();
      ui.openConversation(BOB);
      const off = routeEvents(api);
      api.emit({ type: 'message', message: msg(1) });
      api.emit({ type: 'message', message: msg(2) });
      expect(contacts.get(BOB)?.unread).toBe(0);
      expect(api.callsOf('markRead')).toEqual([]);
      await vi.advanceTimersByTimeAsync(500);
      expect(api.callsOf('markRead')).toEqual([[BOB]]);
      off();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('reactions in the sidebar (issue 12)', () => {
  test('a received reaction adds no unread and previews as a reaction to the quoted message', async () => {
    const contacts = useContactsStore();
    const conv = useConversationsStore();
    await contacts.load();
    api.state.messages.set(BOB, []);
    await conv.open(BOB);
    const off = routeEvents(api);
    api.emit({ type: 'message', message: msg(1, { direction: 'out', text: 'See you at 8' }) });
    api.emit({ type: 'message', message: msg(2, { text: '👍', reactTo: 'x-1' }) });
    expect(contacts.get(BOB)?.unread).toBe(0);
    expect(contacts.get(BOB)?.lastMessage).toMatchObject({ text: 'Reacted 👍 to “See you at 8”', direction: 'in' });
    // A reaction to a message this window has not loaded still reads as a reaction.
    api.emit({ type: 'message', message: msg(3, { text: '❤️', reactTo: 'x-0' }) });
    expect(contacts.get(BOB)?.lastMessage?.text).toBe('Reacted ❤️');
    expect(contacts.get(BOB)?.unread).toBe(0);
    api.emit({ type: 'message', message: msg(4) });
    expect(contacts.get(BOB)?.unread).toBe(1);
    off();
  });
});

describe('contacts: warnings are graduated', () => {
  test('blocked contacts always warn; unverified replacements warn until dismissed; verified ones do not', async () => {
    const contacts = useContactsStore();
    const NEW = fp('c1');
    contacts.upsert(contact({ fingerprint: NEW, name: 'Bob', replaces: BOB }));
    expect(contacts.warningFor(NEW)).toMatchObject({ blocking: false, previous: BOB });
    contacts.dismissWarning(NEW);
    expect(contacts.warningFor(NEW)).toBeNull();
    contacts.upsert(contact({ fingerprint: NEW, name: 'Bob', replaces: BOB, blocked: 'key-changed' }));
    expect(contacts.warningFor(NEW)).toMatchObject({ blocking: true, code: 'key-changed' }); // not dismissible
    contacts.upsert(contact({ fingerprint: NEW, name: 'Bob', replaces: BOB, verified: true }));
    expect(contacts.warningFor(NEW)).toBeNull();
    expect(contacts.warningFor(BOB)).toBeNull();
  });
});

describe('app, hosting and join stores', () => {
  test('setup passes the choice through and the identity becomes ready', async () => {
    api = createFakeApi({ phase: 'setup' });
    freshPinia(api);
    const app = useAppStore();
    await app.load();
    expect(app.phase).toBe('setup');
    expect(await app.setup({ name: 'Alice', protection: 'passphrase', passphrase: 'long enough' })).toBeNull();
    expect(api.callsOf('setup')).toEqual([[{ name: 'Alice', protection: 'passphrase', passphrase: 'long enough' }]]);
    expect(app.phase).toBe('ready');
    expect(app.showIdentityIntro).toBe(true);
  });

  test('no window.parley at all is an error phase with a sentence, not a crash', async () => {
    cleanup();
    api = createFakeApi();
    const app = useAppStore();
    await app.load();
    expect(app.phase).toBe('error');
    expect(app.problem).toMatch(/desktop app/);
    freshPinia(api);
  });

  test('hosting start/stop and the all-interfaces test', async () => {
    const hosting = useHostingStore();
    expect(await hosting.start(47800, 'network', true)).toBe(true);
    expect(api.callsOf('startHosting')).toEqual([[{ port: 47800, bind: '0.0.0.0', dht: false, announce: true }]]);
    expect(api.callsOf('updateSettings')).toEqual([[{ hostReach: 'network', hostAnnounce: true }]]);
    expect(hosting.hosting?.port).toBe(47800);
    expect(await hosting.stop()).toBe(true);
    api.override('startHosting', () => ({ ok: false, error: { code: 'port-in-use', message: 'EADDRINUSE' } }));
    expect(await hosting.start(47800, 'this-computer', true)).toBe(false);
    expect(api.callsOf('startHosting')[1]).toEqual([{ port: 47800, bind: '127.0.0.1', dht: false, announce: false }]);
    expect(hosting.error?.code).toBe('port-in-use');
    expect(['0.0.0.0', '::', '[::]', ' :: '].every(isAllInterfaces)).toBe(true);
    expect(['127.0.0.1', '::1', '192.168.1.2'].some(isAllInterfaces)).toBe(false);
  });

  test('join: progress, then the error code', async () => {
    let release: (() => void) | undefined;
    api.override('join', () => new Promise((resolve) => (release = () => resolve({ ok: false, error: { code: 'connect-timeout', message: 'timed out' } }))));
    const join = useJoinStore();
    join.target = '  10.0.0.9:47800 ';
    const pending = join.join();
    await flushPromises();
    expect(join.phase).toBe('connecting');
    expect(api.callsOf('join')).toEqual([['10.0.0.9:47800', { nearby: false }]]);
    release?.();
    expect(await pending).toBeNull();
    expect(join.phase).toBe('failed');
    expect(join.error?.code).toBe('connect-timeout');
  });
});
