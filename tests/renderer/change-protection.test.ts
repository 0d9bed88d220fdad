/**
 * Settings → Change the protection: the form sends exactly what main expects (validated by the
 * channel's schema in the fake API), asks for the current passphrase when leaving one, refuses a
 * short or mismatched new passphrase before calling, and shows the new protection or the error.
 * The API is the in-memory stand-in of helpers/fake-api.ts (the real core runs in the main tests).
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

async function openSettings(keyProtection: 'keychain' | 'passphrase' | 'key-file', keychainAvailable = true): Promise<VueWrapper> {
  api = createFakeApi({ keychainAvailable });
  api.state.settings = { ...api.state.settings, keyProtection };
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  await w.get('[data-testid="nav-settings"]').trigger('click');
  await flushPromises();
  return w;
}

function radio(w: VueWrapper, value: string) {
  return w.get(`[data-testid="change-protection"] input[type="radio"][value="${value}"]`);
}

async function submit(w: VueWrapper): Promise<void> {
  await w.get('[data-testid="change-protection"]').trigger('submit');
  await flushPromises();
}

describe('changing the key protection in Settings', () => {
  test('keychain → passphrase: a new passphrase twice, then the settings show the passphrase', async () => {
    const w = await openSettings('keychain');
    expect((radio(w, 'keychain').element as HTMLInputElement).disabled).toBe(true); // in use
    await radio(w, 'passphrase').setValue(true);
    expect(w.find('[data-testid="current-passphrase"]').exists()).toBe(false);
    await w.get('[data-testid="new-passphrase"]').setValue('short');
    await w.get('[data-testid="confirm-passphrase"]').setValue('short');
    await submit(w);
    expect(api.callsOf('changeProtection')).toEqual([]);
    expect(w.get('[data-testid="change-protection"]').text()).toContain('at least 8 characters');
    await w.get('[data-testid="new-passphrase"]').setValue('correct horse battery');
    await w.get('[data-testid="confirm-passphrase"]').setValue('correct horse batterz');
    await submit(w);
    expect(api.callsOf('changeProtection')).toEqual([]);
    expect(w.get('[data-testid="change-protection"]').text()).toContain('The two passphrases differ');
    await w.get('[data-testid="confirm-passphrase"]').setValue('correct horse battery');
    await submit(w);
    expect(api.callsOf('changeProtection')).toEqual([[{ protection: 'passphrase', passphrase: 'correct horse battery', currentPassphrase: null }]]);
    expect(w.get('[data-testid="key-protection"]').text()).toContain('Passphrase');
    expect(w.text()).toContain('Key protection changed');
  });

  test('passphrase → key file asks for the current passphrase; a wrong one is explained and changes nothing', async () => {
    const w = await openSettings('passphrase');
    await radio(w, 'key-file').setValue(true);
    await submit(w);
    expect(api.callsOf('changeProtection')).toEqual([]);
    expect(w.get('[data-testid="change-protection"]').text()).toContain('Type your current passphrase');
    await w.get('[data-testid="current-passphrase"]').setValue('wrong horse');
    await submit(w);
    expect(api.callsOf('changeProtection')).toEqual([[{ protection: 'key-file', passphrase: null, currentPassphrase: 'wrong horse' }]]);
    expect(w.get('[data-testid="change-protection"]').text()).toContain('not your current passphrase');
    expect(w.get('[data-testid="key-protection"]').text()).toContain('Passphrase');
    await w.get('[data-testid="current-passphrase"]').setValue('correct horse');
    await submit(w);
    expect(w.get('[data-testid="key-protection"]').text()).toContain('Unprotected key file');
  });

  test('the keychain is not offered where there is none', async () => {
    const w = await openSettings('key-file', false);
    expect(w.find('[data-testid="change-protection"] input[value="keychain"]').exists()).toBe(false);
    expect((radio(w, 'key-file').element as HTMLInputElement).disabled).toBe(true);
    expect((radio(w, 'passphrase').element as HTMLInputElement).disabled).toBe(false);
  });
});
