/**
 * Security review of how the page shows what peers choose (names, message texts):
 * - a bidi override in a name must not reorder the text around it — above all the short key that
 *   "Name (key 1a2b 3c4d…)" puts beside it so that two look-alike contacts can be told apart;
 * - a message's own bidi controls stay inside the message (its time and state are page text);
 * - names that look alike to a person ("Bob" and "Bob" + zero-width space) both show their keys.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import LinkifiedText from '../../src/renderer/src/components/LinkifiedText.vue';
import { displayName, nameWithKey } from '../../src/renderer/src/lib/people.ts';
import { previewTarget } from '../../src/renderer/src/lib/invite-preview.ts';
import type { ContactDto } from '../../src/shared/dto.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { contact, createFakeApi, fp, type FakeApi } from './helpers/fake-api.ts';

// Explicit bidi formatting characters: marks, embeddings, overrides, isolates.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
let api: FakeApi | null = null;

afterEach(() => {
  if (api) expect(api.violations).toEqual([]);
  api = null;
  cleanup();
});

async function openWith(contacts: ContactDto[]): Promise<VueWrapper> {
  api = createFakeApi();
  for (const c of contacts) {
    api.state.contacts.set(c.fingerprint, c);
    api.state.messages.set(c.fingerprint, []);
  }
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  return w;
}

describe('names', () => {
  test('a name cannot carry a bidi control into the sentences that show it', () => {
    for (const name of ['Bob\u202e', '\u202eBob', 'Bob\u2067', 'B\u200fob', '\u202aBob\u202c']) {
      expect(displayName(name)).toBe('Bob');
      expect(nameWithKey(name, fp('9e'))).toBe('Bob (key 9e9e 9e9e…)');
      expect(nameWithKey(name, fp('9e'))).not.toMatch(BIDI);
    }
    // Names in right-to-left scripts are kept as they are; only the invisible controls go.
    expect(displayName('\u05e9\u05dc\u05d5\u05dd\u200f')).toBe('\u05e9\u05dc\u05d5\u05dd');
    expect(displayName('\u202e')).toBe('Unnamed contact');
  });

  test("an invite's name cannot reverse the address in the join preview", () => {
    const invite = `parley://192.0.2.7:47800?fp=${fp('9e')}&name=%E2%80%AEAlice%E2%81%A6`;
    expect(previewTarget(invite)).toMatchObject({ kind: 'invite', name: 'Alice', address: '192.0.2.7:47800' });
  });

  test('the contact list shows a key beside names that only look alike', async () => {
    const bob = contact({ fingerprint: fp('0d'), name: 'Bob' });
    const lookalike = contact({ fingerprint: fp('9e'), name: 'Bob\u200b' });
    const carol = contact({ fingerprint: fp('ca'), name: 'Carol' });
    const w = await openWith([bob, lookalike, carol]);
    expect(w.get(`[data-testid="contact-${bob.fingerprint}"]`).find('.key').exists()).toBe(true);
    expect(w.get(`[data-testid="contact-${lookalike.fingerprint}"]`).get('.key').text()).toBe('9e9e 9e9e…');
    expect(w.get(`[data-testid="contact-${carol.fingerprint}"]`).find('.key').exists()).toBe(false);
    for (const row of w.findAll('[data-testid^="contact-"]')) expect(row.attributes('aria-label') ?? '').not.toMatch(BIDI);
  });
});

describe('message texts', () => {
  test('are shown inside a bidi isolate, so their controls cannot reach the time beside them', async () => {
    api = createFakeApi();
    const w = mountWith(LinkifiedText, freshPinia(api), { props: { text: '\u202eevil https://example.com/ text' } });
    await flushPromises();
    const root = w.element as HTMLElement;
    // <bdi> isolates by default (HTML: unicode-bidi: isolate), whatever the page's CSS does.
    expect(root.tagName).toBe('BDI');
    expect(root.textContent).toBe('\u202eevil https://example.com/ text'); // the text itself is shown as written
    expect(w.get('a').attributes('href')).toBe('https://example.com/');
  });
});
