/**
 * Issue 12, item 9: reply (a quoted preview in the composer and in the bubble), react (a small picker; the
 * reactions under the message, one per sender, never a bubble of their own), and copy text.
 * The API is the schema-checked stand-in (message ids are UUIDs, as the reply channel insists).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import ConversationView from '../../src/renderer/src/views/ConversationView.vue';
import { useContactsStore } from '../../src/renderer/src/stores/contacts.ts';
import type { MessageDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { NOW, contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const BOB = fp('b0');
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
  vi.unstubAllGlobals();
});

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

function msg(seq: number, over: Partial<MessageDto> = {}): MessageDto {
  return { peer: BOB, id: uuid(seq), seq, direction: seq % 2 ? 'in' : 'out', ts: NOW, storedAt: NOW, text: `text ${seq}`, state: 'delivered', kind: 'text', key: BOB, replyTo: null, reactTo: null, ...over };
}

async function open(messages: MessageDto[]): Promise<VueWrapper> {
  api = createFakeApi();
  api.state.contacts.set(BOB, contact({ fingerprint: BOB, name: 'Bob' }));
  api.state.messages.set(BOB, messages);
  const pinia = freshPinia(api);
  await useContactsStore().load();
  const w = mountWith(ConversationView, pinia, { props: { peer: BOB } });
  await flushPromises();
  await flushPromises();
  return w;
}

const bubble = (w: VueWrapper, seq: number) => w.get(`[data-testid="message"][data-seq="${seq}"]`);
const row = (w: VueWrapper, seq: number) => bubble(w, seq).element.closest('.msg-row') as HTMLElement;

/** A row's action button, as the user reaches it: the pointer over the row first (the bar exists only then). */
async function action(w: VueWrapper, seq: number, id: 'msg-reply' | 'msg-react' | 'msg-copy'): Promise<HTMLButtonElement> {
  row(w, seq).dispatchEvent(new MouseEvent('mouseenter'));
  await flushPromises();
  const button = row(w, seq).querySelector<HTMLButtonElement>(`[data-testid="${id}"]`);
  if (button === null) throw new Error(`no ${id} on row ${seq}`);
  return button;
}

describe('the action bar', () => {
  test('exists only on the row under the pointer or holding focus, so a long thread lays out no hidden buttons', async () => {
    const w = await open([msg(1), msg(2)]);
    const actions = (seq: number): boolean => row(w, seq).querySelector('.actions') !== null;
    expect([actions(1), actions(2)]).toEqual([false, false]);
    row(w, 1).dispatchEvent(new MouseEvent('mouseenter'));
    await flushPromises();
    expect([actions(1), actions(2)]).toEqual([true, false]);
    row(w, 1).dispatchEvent(new MouseEvent('mouseleave'));
    await flushPromises();
    expect(actions(1)).toBe(false);
    // Keyboard: a text bubble takes focus, which brings its actions; focus leaving the row takes them away.
    const b2 = bubble(w, 2).element as HTMLElement;
    expect(b2.getAttribute('tabindex')).toBe('0');
    b2.focus();
    await flushPromises();
    expect(actions(2)).toBe(true);
    (row(w, 2).querySelector('[data-testid="msg-reply"]') as HTMLButtonElement).focus();
    await flushPromises();
    expect(actions(2)).toBe(true);
    b2.blur();
    (bubble(w, 1).element as HTMLElement).focus();
    await flushPromises();
    expect([actions(1), actions(2)]).toEqual([true, false]);
  });
});

describe('replies', () => {
  test('Reply puts a quoted preview in the composer; sending sends a reply; the bubble quotes the message', async () => {
    const w = await open([msg(1, { text: 'Lunch at noon?' })]);
    (await action(w, 1, 'msg-reply')).click();
    await flushPromises();
    expect(w.get('[data-testid="composer-reply"]').text()).toContain('Replying to Bob');
    expect(w.get('[data-testid="composer-reply"]').text()).toContain('Lunch at noon?');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('composer');
    await w.get('[data-testid="composer"]').setValue('Yes!');
    await w.get('form.composer').trigger('submit');
    await flushPromises();
    expect(api.callsOf('reply')).toEqual([[BOB, 'Yes!', { replyTo: uuid(1) }]]);
    expect(w.find('[data-testid="composer-reply"]').exists()).toBe(false);
    const sent = w.findAll('[data-testid="message"]').at(-1);
    expect(sent?.get('[data-testid="reply-quote"]').text()).toContain('Bob');
    expect(sent?.get('[data-testid="reply-quote"]').text()).toContain('Lunch at noon?');
  });

  test('Escape or the cancel button drops the reply; a plain message goes through send', async () => {
    const w = await open([msg(1)]);
    (await action(w, 1, 'msg-reply')).click();
    await flushPromises();
    await w.get('[data-testid="composer"]').trigger('keydown', { key: 'Escape' });
    expect(w.find('[data-testid="composer-reply"]').exists()).toBe(false);
    await w.get('[data-testid="composer"]').setValue('plain');
    await w.get('form.composer').trigger('submit');
    await flushPromises();
    expect(api.callsOf('reply')).toEqual([]);
    expect(api.callsOf('send')).toEqual([[BOB, 'plain']]);
  });

  test('a reply to a message not loaded says so instead of quoting nothing', async () => {
    const w = await open([msg(5, { replyTo: uuid(99) })]);
    expect(bubble(w, 5).get('[data-testid="reply-quote"]').text()).toBe('An earlier message');
  });
});

describe('reactions', () => {
  test('reactions are drawn under their message, one per sender (the latest), never as bubbles', async () => {
    const w = await open([
      msg(1, { text: 'Big news' }),
      msg(2, { direction: 'in', text: '👍', reactTo: uuid(1) }),
      msg(3, { direction: 'in', text: '❤️', reactTo: uuid(1) }),
      msg(4, { direction: 'out', text: '😂', reactTo: uuid(1) }),
    ]);
    expect(w.findAll('[data-testid="message"]')).toHaveLength(1);
    const reactions = w.get('[data-testid="reactions"]');
    expect(reactions.findAll('li').map((li) => [li.attributes('data-from'), li.text().slice(0, 2)])).toEqual([
      ['in', '❤️'],
      ['out', '😂'],
    ]);
  });

  test('the picker offers a few emoji and sends the chosen one as a reaction', async () => {
    const w = await open([msg(1)]);
    (await action(w, 1, 'msg-react')).click();
    await flushPromises();
    const picker = w.get('[data-testid="reaction-picker"]');
    expect(picker.findAll('button')).toHaveLength(6);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('React with 👍');
    await picker.get('button[aria-label="React with ❤️"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('reply')).toEqual([[BOB, '❤️', { reactTo: uuid(1) }]]);
    expect(w.find('[data-testid="reaction-picker"]').exists()).toBe(false);
    expect(w.get('[data-testid="reactions"]').text()).toContain('❤️');
  });
});

describe('copy', () => {
  test('Copy puts the message text on the clipboard and says so', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const w = await open([msg(1, { text: 'copy me https://example.com' })]);
    (await action(w, 1, 'msg-copy')).click();
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith('copy me https://example.com');
    expect(row(w, 1).querySelector('[data-testid="msg-copy"]')?.getAttribute('aria-label')).toBe('Copied');
  });
});
