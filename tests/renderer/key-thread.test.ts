/**
 * Issue 12, item 3: one thread per person. After a key change was accepted or verified, the thread shows the
 * old key's messages and the new key's, with the inline "Carol's key changed on … — Verify" event between
 * them (at `afterSeq` from keyHistory), and the list has one Carol. The API is the schema-checked stand-in.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import type { ContactDto, KeyChangeDto, MessageDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { NOW, contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

const OLD = fp('0c');
const NEW = fp('9c');
let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

function msg(seq: number, key: string, text: string): MessageDto {
  return { peer: NEW, id: `k-${seq}`, seq, direction: seq % 2 ? 'in' : 'out', ts: NOW - (10 - seq) * 60_000, storedAt: NOW, text, state: 'delivered', kind: 'text', key, replyTo: null, reactTo: null };
}

const change: KeyChangeDto = {
  oldKey: OLD, newKey: NEW, oldName: 'Carol', oldVerifiedMethod: 'safety-number', oldVerifiedAt: NOW - 86_400_000,
  detectedAt: NOW - 3_600_000, mergedAt: NOW - 1_800_000, afterSeq: 2,
};

async function start(carol: ContactDto): Promise<VueWrapper> {
  api = createFakeApi();
  api.state.contacts.set(NEW, carol);
  api.state.messages.set(NEW, [msg(1, OLD, 'old one'), msg(2, OLD, 'old two'), msg(3, NEW, 'new three'), msg(4, NEW, 'new four')]);
  api.state.keyHistory.set(NEW, [change]);
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  await w.get(`[data-testid="contact-${NEW}"]`).trigger('click');
  await flushPromises();
  await flushPromises();
  return w;
}

describe('one thread per person', () => {
  test('the key-change event sits between the old key’s messages and the new key’s, in plain words', async () => {
    const w = await start(contact({ fingerprint: NEW, name: 'Carol', previousKeys: 1 }));
    expect(api.callsOf('keyHistory')).toEqual([[NEW]]);
    const order = Array.from(w.get('[data-testid="message-list"]').element.querySelectorAll('[data-testid="message"], [data-testid="key-change-event"]')).map((el) =>
      el.getAttribute('data-testid') === 'message' ? el.getAttribute('data-seq') : 'change',
    );
    expect(order).toEqual(['1', '2', 'change', '3', '4']);
    const event = w.get('[data-testid="key-change-event"]');
    expect(event.text()).toContain('Carol’s key changed on');
    expect(event.text()).toContain('You had verified the old key');
    // Keys only in the tooltip, never in the sentence.
    expect(event.text()).not.toMatch(/[0-9a-f]{4} [0-9a-f]{4}/);
    expect(event.attributes('title')).toContain('0c0c');
    // One Carol in the list.
    expect(w.findAll('[data-testid="contact-list"] li')).toHaveLength(1);
    await event.get('[data-testid="key-change-verify"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="verify-dialog"]').exists()).toBe(true);
  });

  test('once the new key is verified the event says so instead of offering Verify', async () => {
    const w = await start(contact({ fingerprint: NEW, name: 'Carol', previousKeys: 1, verified: true, verifiedMethod: 'safety-number', verifiedAt: NOW }));
    expect(w.get('[data-testid="key-change-event"]').text()).toContain('Verified since');
    expect(w.find('[data-testid="key-change-verify"]').exists()).toBe(false);
  });

  test('contact-removed with `into`: the old contact leaves the list and the thread reloads with the event', async () => {
    api = createFakeApi();
    const oldCarol = contact({ fingerprint: OLD, name: 'Carol', online: false, verified: true, verifiedMethod: 'safety-number', verifiedAt: NOW });
    const newCarol = contact({ fingerprint: NEW, name: 'Carol', blocked: 'key-changed', replaces: OLD });
    api.state.contacts.set(OLD, oldCarol);
    api.state.contacts.set(NEW, newCarol);
    api.state.messages.set(NEW, [msg(3, NEW, 'new three')]);
    const w = mountWith(App, freshPinia(api));
    await flushPromises();
    expect(w.findAll('[data-testid="contact-list"] li')).toHaveLength(2);
    await w.get(`[data-testid="contact-${NEW}"]`).trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="key-change-event"]').exists()).toBe(false);

    // The user accepts the new key; the core archives the old one on this thread.
    api.state.contacts.delete(OLD);
    api.state.contacts.set(NEW, { ...newCarol, blocked: null, replaces: null, previousKeys: 1 });
    api.state.messages.set(NEW, [msg(1, OLD, 'old one'), msg(2, OLD, 'old two'), msg(3, NEW, 'new three')]);
    api.state.keyHistory.set(NEW, [change]);
    api.emit({ type: 'contact-removed', peer: OLD, into: NEW });
    await flushPromises();
    await flushPromises();
    expect(w.findAll('[data-testid="contact-list"] li')).toHaveLength(1);
    expect(w.findAll('[data-testid="message"]')).toHaveLength(3);
    expect(w.find('[data-testid="key-change-event"]').exists()).toBe(true);
  });
});
