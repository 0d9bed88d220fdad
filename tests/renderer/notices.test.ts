/**
 * Notices never cover controls: each layout reserves a region for them (the window, the main pane, a
 * conversation between its history and the composer, an open dialog) and exactly one region shows them,
 * the most specific on screen. Confirmations fade six seconds after they are first seen, and one that
 * arrives while a modal dialog is open waits for it; errors stay until dismissed and show inside the
 * dialog. Live-region roles are checked, and a join is announced once.
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite);
 * the geometry (nothing overlaps Send or a dialog's buttons) is asserted in a real browser there.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { INFO_MS, connectedKey, useNoticesStore } from '../../src/renderer/src/stores/notices.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
let api: FakeApi;

beforeEach(() => {
  // Only the timers the notices use: flushPromises needs the real setImmediate.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  expect(api.violations).toEqual([]);
  cleanup();
});

describe('the notices store', () => {
  beforeEach(() => {
    api = createFakeApi();
    freshPinia(api);
  });

  test('the most specific host shows them; among dialogs the newest; removing one falls back', () => {
    const notices = useNoticesStore();
    const win = notices.addHost('window');
    const conv = notices.addHost('conversation');
    const pane = notices.addHost('pane'); // registered later, but less specific
    expect([win, conv, pane].map((h) => notices.isActive(h))).toEqual([false, true, false]);
    const d1 = notices.addHost('dialog');
    const d2 = notices.addHost('dialog');
    expect(notices.isActive(d2)).toBe(true);
    notices.removeHost(d2);
    expect(notices.isActive(d1)).toBe(true);
    notices.removeHost(d1);
    notices.removeHost(conv);
    expect(notices.isActive(pane)).toBe(true);
    notices.removeHost(pane);
    expect(notices.isActive(win)).toBe(true);
  });

  test('a confirmation goes after six seconds on screen; an error stays until dismissed; five at most', () => {
    const notices = useNoticesStore();
    notices.addHost('pane');
    const info = notices.push('info', 'Name saved');
    const error = notices.push('error', 'Cannot host', 'port in use');
    vi.advanceTimersByTime(INFO_MS - 1);
    expect(notices.visible.map((n) => n.id)).toEqual([info, error]);
    vi.advanceTimersByTime(1);
    expect(notices.visible.map((n) => n.id)).toEqual([error]);
    vi.advanceTimersByTime(10 * INFO_MS);
    expect(notices.visible.map((n) => n.id)).toEqual([error]);
    notices.dismiss(error);
    expect(notices.items).toEqual([]);
    for (let i = 0; i < 7; i++) notices.push('error', `e${i}`);
    expect(notices.items.map((n) => n.title)).toEqual(['e2', 'e3', 'e4', 'e5', 'e6']);
  });

  test('while a dialog is open, a confirmation that arrives waits for it (then gets its full time); errors show', () => {
    const notices = useNoticesStore();
    notices.addHost('pane');
    const before = notices.push('info', 'Connected to Bob');
    vi.advanceTimersByTime(INFO_MS - 1000);
    const dialog = notices.addHost('dialog');
    expect(notices.items.map((n) => n.id)).toContain(before);
    const during = notices.push('info', 'Dave connected');
    const error = notices.push('error', 'The secure handshake failed');
    expect(notices.holding).toBe(true);
    expect(notices.visible.map((n) => n.id)).toEqual([error]);
    vi.advanceTimersByTime(1000); // the one already seen runs out as it would have: not brought back later
    expect(notices.items.map((n) => n.id)).toEqual([during, error]);
    vi.advanceTimersByTime(5 * INFO_MS);
    expect(notices.items.map((n) => n.id)).toEqual([during, error]); // nothing unseen went away
    notices.removeHost(dialog);
    expect(notices.visible.map((n) => n.id)).toEqual([during, error]);
    vi.advanceTimersByTime(INFO_MS - 1);
    expect(notices.visible.map((n) => n.id)).toEqual([during, error]);
    vi.advanceTimersByTime(1);
    expect(notices.visible.map((n) => n.id)).toEqual([error]);
  });

  test('a notice with the key of an earlier one replaces it (one notice per connection)', () => {
    const notices = useNoticesStore();
    notices.addHost('pane');
    notices.push('info', 'Bob connected', 'Key b0b0 b0b0… — verified.', connectedKey(BOB));
    notices.push('error', 'Cannot host');
    notices.push('info', 'Connected to Bob', 'Verified: the key matched the invite.', connectedKey(BOB));
    notices.push('info', 'Carol connected', '', connectedKey(fp('c0')));
    expect(notices.items.map((n) => n.title)).toEqual(['Cannot host', 'Connected to Bob', 'Carol connected']);
    vi.advanceTimersByTime(INFO_MS);
    expect(notices.items.map((n) => n.title)).toEqual(['Cannot host']); // the replaced one left no timer behind
  });

  test('with no region on screen nothing is shown and nothing times out unseen', () => {
    const notices = useNoticesStore();
    notices.push('info', 'Name saved');
    vi.advanceTimersByTime(2 * INFO_MS);
    expect(notices.visible).toEqual([]);
    expect(notices.items).toHaveLength(1);
  });
});

describe('where notices appear', () => {
  async function app(phase: 'ready' | 'setup' = 'ready'): Promise<VueWrapper> {
    api = createFakeApi({ phase });
    api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
    api.state.messages.set(BOB, []);
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    return w;
  }
  const regions = () => Array.from(document.querySelectorAll<HTMLElement>('[data-testid="notices"]'));
  /** The one region showing notices (there is never more than one). */
  function region(): HTMLElement {
    const all = regions();
    expect(all).toHaveLength(1);
    return all[0] as HTMLElement;
  }
  async function openBob(w: VueWrapper): Promise<void> {
    await w.get(`[data-testid="contact-${BOB}"]`).trigger('click');
    await flushPromises();
  }

  test('in a conversation: between the history and the composer, a polite live region; errors are alerts', async () => {
    const w = await app();
    await openBob(w);
    useNoticesStore().push('info', 'Dave connected', 'Key dada dada… — not verified yet.');
    useNoticesStore().push('error', 'A contact’s key changed', 'Open the conversation to review it.');
    await flushPromises();
    const r = region();
    expect(r.dataset.host).toBe('conversation');
    expect(r.getAttribute('aria-live')).toBe('polite');
    expect(r.closest('section')?.getAttribute('aria-label')).toBe('Conversation with Bob');
    const history = w.get('.messages').element;
    const composer = w.get('[data-testid="composer"]').element.closest('form') as HTMLElement;
    expect(history.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(r.compareDocumentPosition(composer) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(r.contains(composer)).toBe(false);
    const items = Array.from(r.children) as HTMLElement[];
    expect(items.map((n) => [n.getAttribute('role'), n.querySelector('.banner-title')?.textContent])).toEqual([
      ['status', 'Dave connected'],
      ['alert', 'A contact’s key changed'],
    ]);
    // Dismissing by the button named after the notice.
    const dismiss = Array.from(r.querySelectorAll('button')).find((b) => b.getAttribute('aria-label') === 'Dismiss: A contact’s key changed');
    dismiss?.click();
    await flushPromises();
    expect(region().textContent).not.toContain('key changed');
  });

  test('on the other panes: below the page, inside the main pane', async () => {
    const w = await app();
    await w.get('[data-testid="nav-host"]').trigger('click');
    useNoticesStore().push('info', 'Bob connected');
    await flushPromises();
    const r = region();
    expect(r.dataset.host).toBe('pane');
    const page = w.get('main.page').element;
    expect(r.parentElement).toBe(page.parentElement);
    expect(page.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(r.textContent).toContain('Bob connected');
  });

  test('before the main window (first run): in the window’s own region', async () => {
    await app('setup');
    useNoticesStore().push('error', 'Something went wrong');
    await flushPromises();
    expect(region().dataset.host).toBe('window');
    expect(region().querySelector('[role="alert"]')?.textContent).toContain('Something went wrong');
  });

  test('a dialog holds confirmations and shows errors inside itself; closed, the confirmation comes back in full', async () => {
    const w = await app();
    await openBob(w);
    await w.get('[data-testid="open-verify"]').trigger('click');
    await flushPromises();
    const notices = useNoticesStore();
    notices.push('info', 'Dave connected');
    notices.push('error', 'Cannot host', 'That port is already taken.');
    await flushPromises();
    const dialog = w.get('[role="dialog"]').element;
    const r = region();
    expect(r.dataset.host).toBe('dialog');
    expect(dialog.contains(r)).toBe(true);
    // Between the dialog's title bar and its content: the content (and its buttons) gives way.
    expect(r.previousElementSibling?.tagName).toBe('HEADER');
    expect(r.nextElementSibling?.classList.contains('body')).toBe(true);
    expect(r.textContent).toContain('Cannot host');
    expect(r.textContent).not.toContain('Dave connected');
    vi.advanceTimersByTime(3 * INFO_MS);
    await w.get('[data-testid="verify-dialog"]').trigger('keydown', { key: 'Escape' });
    await flushPromises();
    expect(w.find('[role="dialog"]').exists()).toBe(false);
    expect(region().dataset.host).toBe('conversation');
    expect(region().textContent).toContain('Dave connected');
    expect(region().textContent).toContain('Cannot host');
    vi.advanceTimersByTime(INFO_MS);
    await flushPromises();
    expect(region().textContent).not.toContain('Dave connected');
    expect(region().textContent).toContain('Cannot host');
  });

  test('joining someone new says so once: the join’s notice replaces the one the connection raised', async () => {
    const w = await app();
    const CAROL = fp('c0');
    api.override('join', () => {
      // The connection is announced before the join resolves, while Carol is not yet a contact.
      api.emit({ type: 'connected', peer: CAROL, name: 'Carol', verified: true, safetyNumber: '3'.repeat(60), connection: { path: 'tcp', sameNetwork: true, relayed: false } });
      api.state.contacts.set(CAROL, contact({ fingerprint: CAROL, name: 'Carol', verified: true, verifiedMethod: 'invite' }));
      api.state.messages.set(CAROL, []);
      return { ok: true, value: { peer: CAROL } };
    });
    await w.get('[data-testid="nav-join"]').trigger('click');
    await w.get('[data-testid="join-target"]').setValue(`parley://10.0.0.3:47800?fp=${CAROL}&name=Carol`);
    await w.get('form').trigger('submit');
    await flushPromises();
    await flushPromises();
    const titles = Array.from(region().querySelectorAll('.banner-title')).map((t) => t.textContent);
    expect(titles).toEqual(['Connected to Carol']);
    expect(region().textContent).toContain('Verified: the key matched the invite.');
  });

  test('an empty region takes no room and is still there for the next announcement', async () => {
    const w = await app();
    await openBob(w);
    const r = region();
    expect(r.children).toHaveLength(0);
    expect(r.classList.contains('filled')).toBe(false);
    useNoticesStore().push('info', 'Name saved');
    await flushPromises();
    expect(region()).toBe(r); // the same live region, now filled
    expect(r.classList.contains('filled')).toBe(true);
  });
});
