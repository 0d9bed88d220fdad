/**
 * The app's phases through App.vue: first run (name, key protection, with and without a keychain), the own
 * fingerprint afterwards, the passphrase prompt, and the error screen. The API is the in-memory stand-in of
 * helpers/fake-api.ts (the real core runs in the end-to-end suite); every call is checked against the schemas.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../src/renderer/src/App.vue';
import { ERROR_HINTS } from '../../src/shared/errors.ts';
import { cleanup, freshPinia, mountWith } from './helpers/mount.ts';
import { ME, createFakeApi, type FakeApi } from './helpers/fake-api.ts';

let api: FakeApi;

afterEach(() => {
  expect(api.violations).toEqual([]);
  cleanup();
});

async function start(opts: Parameters<typeof createFakeApi>[0]): Promise<VueWrapper> {
  api = createFakeApi(opts);
  const w = mountWith(App, freshPinia(api));
  await flushPromises();
  return w;
}

function labelled(w: VueWrapper, text: string): HTMLInputElement {
  const label = w.findAll('label').find((l) => l.text().trim() === text);
  if (label === undefined) throw new Error(`no label "${text}"`);
  const id = label.attributes('for');
  return (id ? w.get(`[id="${id}"]`).element : label.get('input').element) as HTMLInputElement;
}

async function type(el: HTMLInputElement, value: string): Promise<void> {
  el.value = value;
  el.dispatchEvent(new Event('input'));
  await flushPromises();
}

const button = (w: VueWrapper, name: string | RegExp) => {
  const b = w.findAll('button').find((x) => (typeof name === 'string' ? x.text().trim() === name : name.test(x.text())));
  if (b === undefined) throw new Error(`no button ${String(name)}`);
  return b;
};

describe('first run', () => {
  test('with a keychain: a name, the keychain by default, then the own fingerprint, then the app', async () => {
    const w = await start({ phase: 'setup', keychainAvailable: true });
    expect(w.find('[data-testid="no-keychain"]').exists()).toBe(false);
    const radios = w.findAll('input[type="radio"]');
    expect(radios.map((r) => (r.element as HTMLInputElement).value)).toEqual(['keychain', 'passphrase', 'key-file']);
    expect((radios[0]?.element as HTMLInputElement).checked).toBe(true);

    await w.get('form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('setup')).toEqual([]); // no name yet
    expect(w.text()).toContain('Choose a name');

    await type(labelled(w, 'Display name'), '  Alice Liddell ');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('setup')).toEqual([[{ name: 'Alice Liddell', protection: 'keychain', passphrase: null }]]);

    expect(w.get('h1').text()).toBe('Your identity is ready');
    const fp = w.get('[data-testid="own-fingerprint"]');
    expect(fp.attributes('data-fingerprint')).toBe(ME);
    expect(fp.findAll('span')).toHaveLength(16);
    expect(fp.findAll('span').map((s) => s.text()).join('')).toBe(ME);
    expect(w.get('[data-testid="identicon"]').attributes('aria-label')).toContain('a recognition aid, not a proof');

    await w.get('[data-testid="intro-continue"]').trigger('click');
    await flushPromises();
    expect(w.find('[data-testid="nav-host"]').exists()).toBe(true);
    expect(w.text()).toContain('Start a conversation');
  });

  test('without a keychain: says so plainly, offers a passphrase (checked twice) or an unprotected key file', async () => {
    const w = await start({ phase: 'setup', keychainAvailable: false });
    expect(w.get('[data-testid="no-keychain"]').text()).toContain('This computer offers no keychain');
    const values = w.findAll('input[type="radio"]').map((r) => (r.element as HTMLInputElement).value);
    expect(values).toEqual(['passphrase', 'key-file']);
    await type(labelled(w, 'Display name'), 'Alice');

    await type(labelled(w, 'Passphrase'), 'short');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.text()).toContain('at least 8 characters');
    await type(labelled(w, 'Passphrase'), 'correct horse');
    await type(labelled(w, 'Confirm passphrase'), 'correct horsf');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.text()).toContain('The two passphrases differ.');
    expect(api.callsOf('setup')).toEqual([]);

    await type(labelled(w, 'Confirm passphrase'), 'correct horse');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('setup')).toEqual([[{ name: 'Alice', protection: 'passphrase', passphrase: 'correct horse' }]]);
  });

  test('the unprotected key file sends no passphrase; a refused setup shows its hint', async () => {
    const w = await start({ phase: 'setup', keychainAvailable: false });
    api.override('setup', () => ({ ok: false, error: { code: 'data-dir', message: 'EACCES' } }));
    await type(labelled(w, 'Display name'), 'Alice');
    const keyFile = w.findAll('input[type="radio"]').find((r) => (r.element as HTMLInputElement).value === 'key-file');
    await keyFile?.setValue(true);
    expect(w.text()).toContain('Anyone with your account or a copy of your files can take it.');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(api.callsOf('setup')).toEqual([[{ name: 'Alice', protection: 'key-file', passphrase: null }]]);
    expect(w.get('[role="alert"]').text()).toContain(ERROR_HINTS['data-dir']);
  });
});

describe('locked and error phases', () => {
  test('locked: a wrong passphrase explains that nothing was changed; the right one opens the app', async () => {
    const w = await start({ phase: 'locked' });
    expect(w.get('h1').text()).toBe('Parley is locked');
    await type(labelled(w, 'Passphrase'), 'wrong guess');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toContain(ERROR_HINTS['unseal-failed']);
    expect(labelled(w, 'Passphrase').value).toBe('');
    await type(labelled(w, 'Passphrase'), 'correct horse');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid="nav-join"]').exists()).toBe(true);
  });

  test('error: the problem sentence and a retry, nothing destructive', async () => {
    const w = await start({ phase: 'error', problem: 'The data folder /x is owned by another user.' });
    expect(w.get('[data-testid="startup-problem"]').text()).toBe('The data folder /x is owned by another user.');
    const labels = w.findAll('button').map((b) => b.text());
    expect(labels).toEqual(['Try again']);
    api.state.status = { ...api.state.status, phase: 'setup', problem: null };
    await button(w, 'Try again').trigger('click');
    await flushPromises();
    expect(w.text()).toContain('Welcome to Parley');
  });
});
