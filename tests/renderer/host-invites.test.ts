/**
 * Issue 12: invite tokens on the Host screen — which kind of invite is shown (the hosting invite is
 * reusable), a new one-time or reusable invite (link, Copy and QR follow it), and "Revoke open invites"
 * only after a confirmation; all reachable by keyboard (plain buttons in order, Cancel focused first).
 * The API is the schema-checked stand-in of helpers/fake-api.ts.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { createFakeApi, type FakeApi } from './helpers/fake-api.ts';

let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

async function hosting(): Promise<VueWrapper> {
  api = createFakeApi();
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  await w.get('[data-testid="nav-host"]').trigger('click');
  await flushPromises();
  await w.get('form[aria-label="Hosting options"]').trigger('submit');
  await flushPromises();
  return w;
}

const url = (w: VueWrapper): string => (w.get('[data-testid="invite-url"]').element as HTMLInputElement).value;

describe('invites on the Host screen', () => {
  test('the hosting invite is shown as reusable; a new one-time invite replaces it, with its own token, and says so', async () => {
    const w = await hosting();
    expect(w.get('[data-testid="invite-kind"]').text()).toBe('Reusable invite');
    expect(w.get('[data-testid="invite-kind-help"]').text()).toContain('until you revoke it');
    const first = url(w);
    await w.get('[data-testid="new-one-time-invite"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('createInvite')).toEqual([[{ reusable: false }]]);
    expect(w.get('[data-testid="invite-kind"]').text()).toBe('One-time invite');
    expect(w.get('[data-testid="invite-kind"]').attributes('data-reusable')).toBe('false');
    expect(w.get('[data-testid="invite-kind-help"]').text()).toContain('Works once');
    expect(url(w)).not.toBe(first);
    expect(url(w)).toMatch(/&tok=[0-9a-f]{32}&/);
    // The QR code and Copy follow the invite shown (the QR is redrawn from the new text).
    expect(w.get('[data-testid="invite-qr"]').attributes('aria-label')).toBe('QR code of the invite link');
    await w.get('[data-testid="new-reusable-invite"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('createInvite')).toEqual([[{ reusable: false }], [{ reusable: true }]]);
    expect(w.get('[data-testid="invite-kind"]').text()).toBe('Reusable invite');
  });

  test('Revoke open invites asks first (Cancel focused, cancelling changes nothing), then revokes and shows the new hosting invite', async () => {
    const w = await hosting();
    await w.get('[data-testid="new-one-time-invite"]').trigger('click');
    await flushPromises();
    await w.get('[data-testid="revoke-invites"]').trigger('click');
    await flushPromises();
    await flushPromises();
    const dialog = w.get('[data-testid="confirm-dialog"]');
    expect(dialog.text()).toContain('Revoke open invites?');
    expect(dialog.text()).toContain('arrive as message requests');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('confirm-cancel');
    await w.get('[data-testid="confirm-cancel"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('revokeInvites')).toEqual([]);
    expect(w.find('[data-testid="confirm-dialog"]').exists()).toBe(false);

    await w.get('[data-testid="revoke-invites"]').trigger('click');
    await flushPromises();
    await w.get('[data-testid="confirm-action"]').trigger('click');
    await flushPromises();
    expect(api.callsOf('revokeInvites')).toEqual([[]]);
    expect(w.find('[data-testid="confirm-dialog"]').exists()).toBe(false);
    expect(url(w)).toBe(api.state.hosting?.invite);
    expect(w.get('[data-testid="invite-kind"]').text()).toBe('Reusable invite');
    expect(w.get('[data-testid="invites-revoked"]').text()).toContain('Every earlier invite is revoked');
  });

  test('the invite controls are buttons in the page order, so Tab reaches each of them', async () => {
    const w = await hosting();
    const ids = w.findAll('[role="group"][aria-label="Invites"] button').map((b) => b.attributes('data-testid'));
    expect(ids).toEqual(['new-one-time-invite', 'new-reusable-invite', 'revoke-invites']);
    for (const b of w.findAll('[role="group"][aria-label="Invites"] button')) {
      expect(b.element.tagName).toBe('BUTTON');
      expect(b.attributes('tabindex')).toBeUndefined();
    }
  });
});
