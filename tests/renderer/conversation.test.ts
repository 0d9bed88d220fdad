/**
 * The conversation screen: history paged through the virtual list (100,000 messages), sticking to the bottom,
 * Enter vs Shift+Enter, text-only rendering with http(s)-only links, and delivery states from events.
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the end-to-end suite);
 * its arguments are checked against the contract's schemas on every call.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type DOMWrapper, type VueWrapper } from '@vue/test-utils';
import ConversationView from '../../src/renderer/src/views/ConversationView.vue';
import { useContactsStore } from '../../src/renderer/src/stores/contacts.ts';
import { useConversationsStore } from '../../src/renderer/src/stores/conversations.ts';
import { routeEvents } from '../../src/renderer/src/stores/event-router.ts';
import type { MessageDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { contact, createFakeApi, fp, generatedMessage, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
const MAX_MESSAGE_NODES = 200;
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

async function openConversation(setup: (api: FakeApi) => void): Promise<{ w: VueWrapper; scroller: HTMLElement }> {
  api = createFakeApi();
  api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
  setup(api);
  const pinia = freshPinia(api);
  await useContactsStore().load();
  routeEvents(api);
  const w = mountWith(ConversationView, pinia, { props: { peer: BOB } });
  await flushPromises();
  await flushPromises();
  return { w, scroller: w.get('[data-testid="message-list"]').element as HTMLElement };
}

async function scrollTo(scroller: HTMLElement, top: number): Promise<void> {
  scroller.scrollTop = top;
  scroller.dispatchEvent(new Event('scroll'));
  await flushPromises();
  await flushPromises();
}

const rendered = (w: VueWrapper): DOMWrapper<Element>[] => w.findAll('[data-testid="message"]');
const renderedSeqs = (w: VueWrapper): number[] => rendered(w).map((r) => Number(r.attributes('data-seq')));

describe('history through the virtual list', () => {
  test('100,000 messages: paged in from the newest, never more than 200 message nodes, the anchor kept', async () => {
    const N = 100_000;
    const { w, scroller } = await openConversation((a) => a.state.generated.set(BOB, N));
    const conv = useConversationsStore();
    expect(api.callsOf('history')[0]).toEqual([BOB, { before: null, limit: 100 }]);
    // Stuck to the bottom: the newest message is on screen.
    expect(renderedSeqs(w)).toContain(N);
    expect(scroller.scrollTop).toBeGreaterThan(0);

    // Scrolling to the top loads the page before the oldest loaded message and keeps that message in place.
    await scrollTo(scroller, 0);
    expect(api.callsOf('history')[1]).toEqual([BOB, { before: N - 99, limit: 100 }]);
    expect(conv.peek(BOB)?.messages.length).toBe(200);
    expect(scroller.scrollTop).toBe(100 * 64); // 100 rows (estimated at 64 px) went in above the anchor
    expect(renderedSeqs(w)).toContain(N - 99);

    // Twenty more pages by scrolling, each keeping the message that was at the top of the view in place.
    let most = rendered(w).length;
    for (let page = 3; page <= 22; page++) {
      await scrollTo(scroller, 0);
      expect(api.callsOf('history')).toHaveLength(page);
      expect(conv.peek(BOB)?.messages.length).toBe(page * 100);
      expect(scroller.scrollTop).toBe(100 * 64);
      // The row now at the top of the view (index 100) is the oldest message before this page came in.
      expect(conv.peek(BOB)?.messages[100]?.seq).toBe(N - (page - 1) * 100 + 1);
      expect(renderedSeqs(w)).toContain(N - (page - 1) * 100 + 1);
      most = Math.max(most, rendered(w).length);
    }
    // The rest without scrolling (happy-dom renders slowly; the mechanism is the same): loadOlder until the start.
    while (!conv.peek(BOB)?.reachedStart) await conv.loadOlder(BOB);
    await flushPromises();
    most = Math.max(most, rendered(w).length);
    expect(conv.peek(BOB)?.messages.length).toBe(N);
    expect(conv.peek(BOB)?.messages.map((m) => m.seq).every((s, i) => s === i + 1)).toBe(true);
    expect(most).toBeLessThanOrEqual(MAX_MESSAGE_NODES);
    expect(most).toBeGreaterThan(5);

    // Anywhere in the list, only a window around the view is in the DOM, and it is the right window.
    for (const top of [0, 3_200_000, 6_399_000]) {
      await scrollTo(scroller, top);
      const seqs = renderedSeqs(w);
      expect(seqs.length).toBeLessThanOrEqual(MAX_MESSAGE_NODES);
      expect(seqs).toContain(Math.floor(top / 64) + 1);
    }
    expect(w.find('.beginning').exists()).toBe(false); // the beginning notice only on the first row
    await scrollTo(scroller, 0);
    expect(w.get('.beginning').text()).toContain('beginning of your conversation with Bob');
  }, 120_000);

  test('new messages follow the bottom while the user is there; otherwise a "new messages" button counts them', async () => {
    const { w, scroller } = await openConversation((a) => a.state.generated.set(BOB, 100));
    const bottom = scroller.scrollTop;
    api.emit({ type: 'message', message: generatedMessage(BOB, 101) });
    await flushPromises();
    expect(scroller.scrollTop).toBe(bottom + 64);
    expect(renderedSeqs(w)).toContain(101);
    expect(w.find('[data-testid="jump-to-latest"]').exists()).toBe(false);

    await scrollTo(scroller, 1000);
    api.emit({ type: 'message', message: generatedMessage(BOB, 103) });
    await flushPromises();
    expect(scroller.scrollTop).toBe(1000); // not yanked away from what the user reads
    expect(w.get('[data-testid="jump-to-latest"]').text()).toBe('1 new message');
    await w.get('[data-testid="jump-to-latest"]').trigger('click');
    await flushPromises();
    expect(renderedSeqs(w)).toContain(103);
    expect(w.find('[data-testid="jump-to-latest"]').exists()).toBe(false);
  });
});

describe('the composer', () => {
  test('Enter sends, Shift+Enter does not (it breaks the line), composing with an IME does not', async () => {
    const { w } = await openConversation((a) => a.state.messages.set(BOB, []));
    const box = w.get('textarea[data-testid="composer"]');
    expect(box.attributes('aria-label')).toBe('Message Bob');
    expect(w.get('[data-testid="presence"]').text()).toBe('Online');
    // Issue 12: plain names in the header; the key is in the name's tooltip and the Verify dialog.
    expect(w.find('[data-testid="peer-key"]').exists()).toBe(false);
    expect(w.get('.conversation h1').attributes('title')).toBe('Bob (key b0b0 b0b0…)');

    await box.setValue('first line');
    const shiftEnter = new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, cancelable: true });
    box.element.dispatchEvent(shiftEnter);
    await flushPromises();
    expect(shiftEnter.defaultPrevented).toBe(false); // the textarea inserts its line break
    expect(api.callsOf('send')).toEqual([]);

    const composing = new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true });
    box.element.dispatchEvent(composing);
    await flushPromises();
    expect(api.callsOf('send')).toEqual([]);

    await box.setValue('first line\r\nsecond line');
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    box.element.dispatchEvent(enter);
    await flushPromises();
    expect(enter.defaultPrevented).toBe(true);
    expect(api.callsOf('send')).toEqual([[BOB, 'first line\nsecond line']]);
    expect((box.element as HTMLTextAreaElement).value).toBe('');
    expect(renderedSeqs(w)).toHaveLength(1);

    // Whitespace alone is not sent.
    await box.setValue('   \n ');
    box.element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    await flushPromises();
    expect(api.callsOf('send')).toHaveLength(1);
    expect(w.get('[data-testid="send"]').attributes('disabled')).toBeDefined();
  });

  test('a refused send keeps the text and explains the code', async () => {
    const { w } = await openConversation((a) => a.state.messages.set(BOB, []));
    api.override('send', () => ({ ok: false, error: { code: 'no-peer', message: 'Bob is gone' } }));
    const box = w.get('textarea[data-testid="composer"]');
    await box.setValue('are you there?');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect((box.element as HTMLTextAreaElement).value).toBe('are you there?');
    expect(w.get('[data-testid="send-error"]').text()).toContain('There is no such contact, or it is not connected.');
  });
});

describe('message text', () => {
  const hostile = '<b>bold</b> <img src=x onerror=alert(1)> <script>alert(1)</script> javascript:alert(1) data:text/html,x https://example.org/a?b=1 http://x.example.';

  test('is rendered as text: markup stays visible, only http(s) links are clickable, and clicks go to openLink', async () => {
    const m: MessageDto = { ...generatedMessage(BOB, 1), text: hostile };
    const { w } = await openConversation((a) => a.state.messages.set(BOB, [m]));
    const bubble = w.get('[data-testid="message"]');
    expect(bubble.text()).toContain('<b>bold</b>');
    expect(bubble.text()).toContain('<script>alert(1)</script>');
    expect(bubble.find('b').exists()).toBe(false);
    expect(bubble.find('img').exists()).toBe(false);
    expect(bubble.find('script').exists()).toBe(false);
    const anchors = bubble.findAll('a');
    expect(anchors.map((a) => a.attributes('href'))).toEqual(['https://example.org/a?b=1', 'http://x.example/']);
    expect(anchors.map((a) => a.text())).toEqual(['https://example.org/a?b=1', 'http://x.example']);
    await anchors[0]?.trigger('click');
    await flushPromises();
    expect(api.callsOf('openLink')).toEqual([['https://example.org/a?b=1']]);
  });
});

describe('delivery states', () => {
  test('follow message-state events, each with a spoken label', async () => {
    const out: MessageDto = { ...generatedMessage(BOB, 2), id: 'out-1', state: 'queued', text: 'see you' };
    const { w } = await openConversation((a) => a.state.messages.set(BOB, [out]));
    const state = (): { label: string | undefined; state: string | undefined } => {
      const s = w.get('[data-testid="delivery-state"]');
      return { label: s.attributes('aria-label'), state: s.attributes('data-state') };
    };
    expect(state()).toEqual({ label: 'Queued: will be sent when the contact is online', state: 'queued' });
    api.emit({ type: 'message-state', peer: BOB, id: 'out-1', state: 'sent' });
    await flushPromises();
    expect(state()).toEqual({ label: 'Sent', state: 'sent' });
    api.emit({ type: 'message-state', peer: BOB, id: 'out-1', state: 'delivered' });
    await flushPromises();
    expect(state()).toEqual({ label: 'Delivered', state: 'delivered' });
    api.emit({ type: 'message-state', peer: BOB, id: 'out-1', state: 'sent' }); // late and out of order
    await flushPromises();
    expect(state().state).toBe('delivered');
    expect(w.get('time').text()).toMatch(/\d/);
  });
});

describe('the header says how the peer is connected', () => {
  const cases = [
    [{ path: 'tcp', sameNetwork: true, relayed: false }, '· same network, direct', 'Connected straight to their address on your network.'],
    [{ path: 'dht', sameNetwork: false, relayed: false }, '· over the internet, direct', 'Connected through the peer-to-peer network (HyperDHT) across the internet.'],
    [{ path: 'dht', sameNetwork: false, relayed: true }, '· over the internet, relayed', 'a relay passes the traffic along but cannot read it'],
    [{ path: 'dht', sameNetwork: true, relayed: false }, '· same network, direct', 'through the peer-to-peer network (HyperDHT) on your network'],
  ] as const;
  for (const [connection, short, long] of cases) {
    test(`${connection.path}, ${connection.sameNetwork ? 'same network' : 'internet'}, ${connection.relayed ? 'relayed' : 'direct'}`, async () => {
      const { w } = await openConversation((a) => {
        a.state.messages.set(BOB, []);
        a.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob', connection }));
      });
      const path = w.get('[data-testid="connection-path"]');
      expect(path.text()).toBe(short);
      expect(path.attributes('title')).toContain(long);
    });
  }

  test('follows connected and disconnected events; nothing is said while offline', async () => {
    const { w } = await openConversation((a) => a.state.messages.set(BOB, []));
    api.emit({ type: 'connected', peer: BOB, name: 'Bob', verified: false, safetyNumber: '1', connection: { path: 'dht', sameNetwork: false, relayed: true } });
    await flushPromises();
    expect(w.get('[data-testid="connection-path"]').text()).toBe('· over the internet, relayed');
    api.emit({ type: 'disconnected', peer: BOB, reason: 'closed' });
    await flushPromises();
    expect(w.find('[data-testid="connection-path"]').exists()).toBe(false);
  });
});
