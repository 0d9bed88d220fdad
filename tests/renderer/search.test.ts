/**
 * Issue 12, item 8: Find. A search over all conversations (paged by the core's cursor, the count of messages
 * searched stated), hits with a snippet and the match marked, and "jump to the hit": the thread opens on the
 * history around that seq with the message highlighted, newer pages following as the user scrolls down.
 * The API is the schema-checked stand-in.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { useConversationsStore } from '../../src/renderer/src/stores/conversations.ts';
import type { SearchPageDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { contact, createFakeApi, fp, generatedMessage, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
const CAROL = fp('c0');
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

async function start(): Promise<VueWrapper> {
  api = createFakeApi();
  api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
  api.state.contacts.set(CAROL, contact({ fingerprint: CAROL, name: 'Carol' }));
  api.state.generated.set(BOB, 1000);
  api.state.messages.set(CAROL, [{ ...generatedMessage(CAROL, 2001), text: 'the picnic is on Sunday' }]);
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  return w;
}

describe('find in messages', () => {
  test('from the sidebar filter: hits with name, snippet and the match marked; the count searched is stated', async () => {
    const w = await start();
    await w.get('input[aria-label="Search contacts"]').setValue('picnic');
    await w.get('[data-testid="find-messages"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('search')).toEqual([['picnic', null]]);
    const hit = w.get('[data-testid="search-hit-2001"]');
    expect(hit.text()).toContain('Carol');
    expect(hit.get('mark').text()).toBe('picnic');
    expect(w.get('[data-testid="search-status"]').text()).toContain('1 message matches “picnic” in 1 messages searched');
  });

  test('pages through the cursor until enough hits, and "Search older messages" continues from it', async () => {
    const w = await start();
    const pages: Record<string, SearchPageDto> = {
      first: { hits: [], next: 5000, scanned: 1000 },
      5000: { hits: [{ peer: BOB, key: BOB, id: 'm-900', seq: 900, ts: 0, direction: 'in', snippet: 'a word', matchStart: 2, matchLength: 4 }], next: null, scanned: 1000 },
    };
    api.override('search', (_q: never, cursor: never) => ({ ok: true, value: pages[(cursor as number | null) ?? 'first'] as SearchPageDto }));
    await w.get('[data-testid="nav-settings"]').trigger('click');
    await w.get('[data-testid="find-messages"]').trigger('click');
    await flushPromises();
    await w.get('[data-testid="search-input"]').setValue('word');
    await w.get('form[role="search"]').trigger('submit');
    await flushPromises();
    // Nothing in the first slice: it went on by itself with the cursor.
    expect(api.callsOf('search')).toEqual([['word', null], ['word', 5000]]);
    expect(w.get('[data-testid="search-status"]').text()).toContain('in 2,000 messages searched.');
    expect(w.find('[data-testid="search-more"]').exists()).toBe(false);
  });

  test('a hit opens its thread around that message, highlighted; reaching the bottom loads the newer pages', async () => {
    const w = await start();
    api.override('search', () => ({ ok: true, value: { hits: [{ peer: BOB, key: BOB, id: 'm-300', seq: 300, ts: 0, direction: 'in', snippet: 'Message number 300', matchStart: 15, matchLength: 3 }], next: null, scanned: 1000 } }));
    await w.get('input[aria-label="Search contacts"]').setValue('300');
    await w.get('[data-testid="find-messages"]').trigger('click');
    await flushPromises();
    await w.get('[data-testid="search-hit-300"]').trigger('click');
    await flushPromises();
    await flushPromises();
    expect(api.callsOf('history')[0]).toEqual([BOB, { before: null, around: 300, limit: 100 }]);
    const hit = w.get('[data-testid="message"][data-seq="300"]');
    expect(hit.attributes('data-highlighted')).toBe('true');
    const thread = useConversationsStore().peek(BOB);
    expect(thread?.messages[0]?.seq).toBe(250);
    expect(thread?.reachedEnd).toBe(false);

    await useConversationsStore().loadNewer(BOB);
    expect(api.callsOf('history').at(-1)).toEqual([BOB, { before: null, after: 349, limit: 100 }]);
    expect(thread?.messages.at(-1)?.seq).toBe(449);
  });

  test('sending after a jump goes back to the newest messages', async () => {
    await start();
    const conv = useConversationsStore();
    await conv.jumpTo(BOB, 300);
    expect(conv.peek(BOB)?.reachedEnd).toBe(false);
    await conv.send(BOB, 'back to now');
    const t = conv.peek(BOB);
    expect(t?.reachedEnd).toBe(true);
    expect(t?.highlight).toBeNull();
    expect(t?.messages.at(-1)?.text).toBe('back to now');
  });
});
